package blobcache

import (
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/opencontainers/go-digest"
)

// Get opens the kept blob d of size bytes (size < 0: unknown), or returns
// ok == false when it is not kept. The reader verifies as it goes: its last
// Read returns a *CorruptError instead of io.EOF when the bytes are not d's
// (and the blob is removed), so a caller that reads to io.EOF has read d.
func (c *Cache) Get(d digest.Digest, size int64) (rc io.ReadCloser, ok bool) {
	p := c.path(d)
	if p == "" {
		return nil, false
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, false
	}
	now := time.Now()
	os.Chtimes(p, now, now) // least recently used is by modification time
	return &verifier{f: f, path: p, d: d, size: size, h: d.Algorithm().Hash()}, true
}

// verifier hashes a kept blob as it is read and checks it at the end.
type verifier struct {
	f    *os.File
	path string
	d    digest.Digest
	size int64
	h    hash.Hash
	n    int64
}

func (v *verifier) Read(p []byte) (int, error) {
	n, err := v.f.Read(p)
	v.h.Write(p[:n])
	v.n += int64(n)
	if v.size >= 0 && v.n > v.size {
		return n, v.corrupt(fmt.Sprintf("more than its %d bytes", v.size))
	}
	if err == io.EOF {
		switch got := digest.NewDigest(v.d.Algorithm(), v.h); {
		case v.size >= 0 && v.n != v.size:
			return n, v.corrupt(fmt.Sprintf("%d bytes, want %d", v.n, v.size))
		case got != v.d:
			return n, v.corrupt("its bytes hash to " + string(got))
		}
	}
	return n, err
}

// corrupt removes the blob and returns the error that says so.
func (v *verifier) corrupt(reason string) error {
	os.Remove(v.path)
	return &CorruptError{Digest: v.d, Path: v.path, Reason: reason}
}

func (v *verifier) Close() error { return v.f.Close() }

// Keep returns a reader of r (a blob d being downloaded, from a reader that
// verifies it) that writes what it reads to a temporary file and, when r
// ends with io.EOF, keeps it as d and prunes the cache to its limit. Any
// other end — an error, a Close before io.EOF — drops the temporary file.
// Failing to write the cache never fails the read: the blob is just not
// kept.
func (c *Cache) Keep(d digest.Digest, r io.ReadCloser) io.ReadCloser {
	p := c.path(d)
	if p == "" {
		return r
	}
	f, err := os.CreateTemp(c.dir, tmpPrefix+"*")
	if err != nil {
		return r
	}
	return &keeper{c: c, r: r, f: f, final: p}
}

// keeper tees a download into the cache.
type keeper struct {
	c     *Cache
	r     io.ReadCloser
	f     *os.File // nil once kept or dropped
	final string
}

func (k *keeper) Read(p []byte) (int, error) {
	n, err := k.r.Read(p)
	if k.f != nil && n > 0 {
		if _, werr := k.f.Write(p[:n]); werr != nil {
			k.drop()
		}
	}
	switch {
	case err == io.EOF:
		k.commit()
	case err != nil:
		k.drop()
	}
	return n, err
}

// commit makes the temporary file the blob, then bounds the cache.
func (k *keeper) commit() {
	if k.f == nil {
		return
	}
	f := k.f
	k.f = nil
	err := errors.Join(f.Sync(), f.Close())
	if err == nil {
		err = os.MkdirAll(filepath.Dir(k.final), 0o755)
	}
	if err == nil {
		err = os.Rename(f.Name(), k.final)
	}
	if err != nil {
		os.Remove(f.Name())
		return
	}
	if k.c.max >= 0 {
		k.c.Prune(k.c.max)
	}
}

// drop forgets the download.
func (k *keeper) drop() {
	if k.f == nil {
		return
	}
	k.f.Close()
	os.Remove(k.f.Name())
	k.f = nil
}

func (k *keeper) Close() error {
	k.drop()
	return k.r.Close()
}
