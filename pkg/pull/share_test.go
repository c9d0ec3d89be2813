//go:build !js

package pull_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/tartest"
	"github.com/regscope/regscope/pkg/pull"
)

// A pull waiting for a layer another pull is downloading downloads it
// itself when that other pull is cancelled.
func TestSharedCancelledOwner(t *testing.T) {
	var faults regtest.Faults
	host := regtest.GGCRWith(t, faults.Wrap)
	shared := imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "shared", Body: "both images hold this"})
	regtest.Push(t, host+"/share/a:1", imagetest.Image(t, imagetest.OCI, shared))
	regtest.Push(t, host+"/share/b:1", imagetest.Image(t, imagetest.OCI, shared,
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "own", Body: "b"})))
	d, err := shared.Digest()
	if err != nil {
		t.Fatal(err)
	}
	blob := regtest.BlobPath(digest.Digest(d.String()))
	faults.Add(regtest.Fault{Kind: regtest.Stall, Path: blob, Offset: 5, Times: 1})

	s := pull.NewShared()
	ctxA, cancelA := context.WithCancel(context.Background())
	defer cancelA()
	errA := make(chan error, 1)
	go func() {
		_, err := pull.Pull(ctxA, host+"/share/a:1", pull.Options{Shared: s})
		errA <- err
	}()
	for len(gets(&faults, blob)) == 0 { // A is downloading (and stalled)
		time.Sleep(10 * time.Millisecond)
	}
	errB := make(chan error, 1)
	var imgB *pull.Image
	go func() {
		var err error
		imgB, err = pull.Pull(context.Background(), host+"/share/b:1", pull.Options{Shared: s})
		errB <- err
	}()
	cancelA()
	if err := <-errA; !errors.Is(err, context.Canceled) {
		t.Fatalf("A: %v, want cancelled", err)
	}
	if err := <-errB; err != nil {
		t.Fatalf("B: %v", err)
	}
	if b, err := imgB.FS.ReadFile("shared"); err != nil || string(b) != "both images hold this" {
		t.Errorf("B's shared file: %q, %v", b, err)
	}
	if n := len(gets(&faults, blob)); n != 2 {
		t.Errorf("the shared blob was fetched %d times, want 2 (A's stalled try, B's own)", n)
	}
}
