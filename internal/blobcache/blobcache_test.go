package blobcache

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/opencontainers/go-digest"
)

// A download cut off before its end — the process killed mid-blob, here by
// never reading further nor closing — leaves no blob: Get does not find it,
// List does not list it, and the next download keeps it whole.
func TestKilledDownloadNotKept(t *testing.T) {
	c, err := Open(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	body := bytes.Repeat([]byte("layer bytes "), 10_000)
	d := digest.FromBytes(body)
	r := c.Keep(d, io.NopCloser(bytes.NewReader(body)))
	if _, err := io.CopyN(io.Discard, r, int64(len(body)/2)); err != nil {
		t.Fatal(err)
	}
	// … killed here.
	if _, ok := c.Get(d, int64(len(body))); ok {
		t.Fatal("half a download is served as the blob")
	}
	if entries, total, err := c.List(); err != nil || len(entries) != 0 || total != 0 {
		t.Fatalf("List after a cut download: %v, %d, %v", entries, total, err)
	}
	tmps, _ := filepath.Glob(filepath.Join(c.dir, tmpPrefix+"*"))
	if len(tmps) != 1 {
		t.Fatalf("temporary files: %v", tmps)
	}
	r = c.Keep(d, io.NopCloser(bytes.NewReader(body)))
	if _, err := io.Copy(io.Discard, r); err != nil {
		t.Fatal(err)
	}
	r.Close()
	rc, ok := c.Get(d, int64(len(body)))
	if !ok {
		t.Fatal("a whole download was not kept")
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("kept blob: %d bytes, %v", len(got), err)
	}
	// A download that fails (the registry's reader reports a digest
	// mismatch instead of io.EOF) is not kept either.
	bad := digest.FromString("other")
	r = c.Keep(bad, io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{})))
	io.Copy(io.Discard, r)
	r.Close()
	if _, ok := c.Get(bad, -1); ok {
		t.Error("a failed download was kept")
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("digest mismatch") }

// A kept blob shorter or longer than its descriptor says is refused and
// removed, like one whose bytes changed.
func TestGetVerifies(t *testing.T) {
	c, err := Open(t.TempDir(), -1)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte("0123456789")
	d := digest.FromBytes(body)
	for _, tc := range []struct {
		size int64
		want string
	}{
		{9, "more than its 9 bytes"},
		{11, "10 bytes, want 11"},
	} {
		r := c.Keep(d, io.NopCloser(bytes.NewReader(body)))
		io.Copy(io.Discard, r)
		rc, ok := c.Get(d, tc.size)
		if !ok {
			t.Fatal("not kept")
		}
		_, err := io.ReadAll(rc)
		rc.Close()
		var ce *CorruptError
		if !errors.As(err, &ce) || ce.Reason != tc.want || err.Error() != "cached blob "+string(d)+" ("+c.path(d)+"): "+tc.want+"; removed" {
			t.Errorf("size %d: %v", tc.size, err)
		}
		if _, err := os.Stat(c.path(d)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("size %d: the blob is still kept", tc.size)
		}
	}
}
