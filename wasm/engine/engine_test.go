package engine

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/tartest"
	"github.com/regscope/regscope/pkg/manifest"
	"github.com/regscope/regscope/pkg/pull"
	"github.com/regscope/regscope/pkg/registry"
	"github.com/regscope/regscope/wasm/fetch"
	"github.com/regscope/regscope/wasm/msg"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// pulled pushes a three-layer image to an in-process registry and pulls it.
func pulled(t *testing.T) *Engine {
	t.Helper()
	host := regtest.GGCR(t)
	l0 := imagetest.Layer(t, imagetest.Gzip,
		tartest.Entry{Name: "etc/"}, tartest.Entry{Name: "etc/os-release", Body: "ID=one\n"},
		tartest.Entry{Name: "etc/old.conf", Body: "old\n"}, tartest.Entry{Name: "bin/"},
		tartest.Entry{Name: "bin/sh", Body: "\x7fELF", Mode: 0o755})
	l1 := imagetest.Layer(t, imagetest.Gzip,
		tartest.Entry{Name: "etc/os-release", Body: "ID=two\n"}, tartest.Entry{Name: "etc/.wh.old.conf"},
		tartest.Entry{Name: "etc/link", Type: '2', Link: "os-release"})
	var many []tartest.Entry
	for i := 0; i < 1500; i++ {
		many = append(many, tartest.Entry{Name: fmt.Sprintf("data/f%04d", i), Body: "x"})
	}
	l2 := imagetest.Layer(t, imagetest.Gzip, many...)
	regtest.Push(t, host+"/t/img:1", imagetest.Image(t, imagetest.OCI, l0, l1, l2))
	img, err := pull.Pull(context.Background(), host+"/t/img:1", pull.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e := &Engine{}
	e.SetImage(img)
	return e
}

func TestEngine(t *testing.T) {
	e := pulled(t)
	img, _ := e.Image()
	sum := Summary(img)
	const verified = "all 8 digests verified (the manifest, the config, 3 layer blobs, 3 DiffIDs)"
	if sum.Verification != verified {
		t.Errorf("verification %q, want %q", sum.Verification, verified)
	}
	if len(sum.Layers) != 3 || len(sum.Checks) != 8 || sum.Pinned == "" || sum.Layers[1].Modified != 1 || sum.Layers[1].Deleted != 1 {
		t.Fatalf("summary: %+v", sum)
	}

	list := func(src msg.Source, off, lim int) *msg.ListResult {
		t.Helper()
		r, err := e.List(msg.ListRequest{Source: src, Offset: off, Limit: lim})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	// A directory, plain and with what was deleted or overwritten.
	r := list(msg.Source{Dir: "/etc"}, 0, 100)
	if r.Total != 2 || r.Entries[0].Path != "/etc/link" || r.Entries[1].Path != "/etc/os-release" || r.Entries[1].Layer != 1 {
		t.Fatalf("/etc: %+v", r)
	}
	r = list(msg.Source{Dir: "/etc", Deleted: true}, 0, 100)
	var gone, over bool
	for _, en := range r.Entries {
		gone = gone || (en.Path == "/etc/old.conf" && en.Change == "deleted" && en.By == 1 && en.Layer == 0)
		over = over || (en.Path == "/etc/os-release" && en.Change == "overwritten" && en.By == 1 && en.Layer == 0)
	}
	if !gone || !over {
		t.Fatalf("/etc with deleted: %+v", r.Entries)
	}
	// Paging.
	r = list(msg.Source{Dir: "/data"}, 1400, 200)
	if r.Total != 1500 || len(r.Entries) != 100 || r.Entries[0].Path != "/data/f1400" {
		t.Fatalf("paging: total %d, %d entries", r.Total, len(r.Entries))
	}
	// A layer's own changes.
	one := 1
	r = list(msg.Source{Layer: &one}, 0, 100)
	kinds := map[string]string{}
	for _, en := range r.Entries {
		kinds[en.Path] = en.Change
	}
	if kinds["/etc/os-release"] != "modified" || kinds["/etc/old.conf"] != "deleted" || kinds["/etc/link"] != "added" {
		t.Fatalf("layer 1 changes: %v", kinds)
	}
	// Search.
	r = list(msg.Source{Search: "F149"}, 0, 100)
	if r.Total != 10 {
		t.Fatalf("search F149: %d results", r.Total)
	}
	// Stat and read, through the symlink.
	st, err := e.Stat(msg.StatRequest{Path: "/etc/link"})
	if err != nil || st.Entry.Type != "symlink" || st.Resolved != "/etc/os-release" {
		t.Fatalf("stat: %+v %v", st, err)
	}
	rr, c, err := e.Open(msg.ReadRequest{Path: "/etc/link", Offset: 3, Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := ReadAll(rr, c)
	if err != nil || string(b) != "two\n" || rr.Size != 7 {
		t.Fatalf("read: %q %+v %v", b, rr, err)
	}
	if _, err := e.Stat(msg.StatRequest{Path: "/nope"}); err == nil || Classify(err, "").Kind != msg.ErrNotFound {
		t.Fatalf("stat of a missing path: %v", err)
	}
	e.SetImage(nil)
	if _, err := e.List(msg.ListRequest{Source: msg.Source{Dir: "/"}}); err == nil {
		t.Fatal("list without an image succeeded")
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		err   error
		kind  string
		layer int
	}{
		{fmt.Errorf("manifest: %w", &registry.Error{StatusCode: 404, Code: "MANIFEST_UNKNOWN"}), msg.ErrNotFound, -1},
		{&registry.Error{StatusCode: 401}, msg.ErrUnauthorized, -1},
		{&registry.Error{StatusCode: 429, RetryAfter: 30 * time.Second}, msg.ErrRateLimited, -1},
		{fmt.Errorf("layer 2 (sha256:x): %w", &registry.DigestError{What: "blob", Want: "sha256:a", Got: "sha256:b"}), msg.ErrDigest, 2},
		{&pull.DiffIDError{Layer: 1, Want: "sha256:a", Got: "sha256:b"}, msg.ErrDigest, 1},
		{fmt.Errorf("ping: %w", &fetch.RelayError{Host: "ghcr.io", Status: 403, Reason: "no"}), msg.ErrRelay, -1},
		{&fetch.CORSError{Host: "ghcr.io", Err: errors.New("TypeError")}, msg.ErrRelay, -1},
		{fmt.Errorf("%w: application/x-foo", manifest.ErrUnsupported), msg.ErrMediaType, -1},
		{&manifest.NoMatchError{Want: v1.Platform{OS: "linux", Architecture: "s390x"}, Offered: []v1.Platform{{OS: "linux", Architecture: "amd64"}}}, msg.ErrPlatform, -1},
		{errors.New("something else"), msg.ErrOther, -1},
	}
	for _, tt := range tests {
		got := Classify(tt.err, "example.com")
		if got.Kind != tt.kind || got.Layer != tt.layer {
			t.Errorf("Classify(%v) = %+v, want kind %s layer %d", tt.err, got, tt.kind, tt.layer)
		}
	}
	if got := Classify(&registry.Error{StatusCode: 429, RetryAfter: 30 * time.Second}, "h"); got.RetryAfter != 30 {
		t.Errorf("retry after: %+v", got)
	}
	if got := Classify(&registry.Error{StatusCode: 401}, "ghcr.io"); got.Host != "ghcr.io" {
		t.Errorf("unauthorized host: %+v", got)
	}
	if got := Classify(&manifest.NoMatchError{Offered: []v1.Platform{{OS: "linux", Architecture: "arm64", Variant: "v8"}}}, ""); len(got.Platforms) != 1 || got.Platforms[0] != "linux/arm64/v8" {
		t.Errorf("platforms: %+v", got)
	}
}
