// Package tartest builds small tar layers for tests: a list of entries in,
// the bytes of an uncompressed tar (and, with Gzip or Zstd, a compressed
// one) out. It is meant for tests across regscope, together with
// go-containerregistry's static.NewLayer or tarball.LayerFromOpener when a
// test needs a whole image:
//
//	b := tartest.Layer(t, []tartest.Entry{
//		{Name: "etc/", Type: tar.TypeDir},
//		{Name: "etc/os-release", Body: "ID=test\n"},
//		{Name: "bin/sh", Type: tar.TypeSymlink, Link: "/bin/busybox"},
//		{Name: "etc/.wh.motd"}, // a whiteout
//	})
//	layer := static.NewLayer(tartest.Gzip(t, b), types.DockerLayer)
package tartest

import (
	"archive/tar"
	"bytes"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// Epoch returns the modification time given to entries that set none, so
// that layers built from the same entries are byte-for-byte identical.
func Epoch() time.Time { return time.Unix(1700000000, 0).UTC() }

// Entry describes one tar entry. Only Name is required: an Entry with just
// a Name and a Body is a regular file with mode 0644.
type Entry struct {
	Name string // the path as written in the archive ("etc/x", "./a", "/abs", "../x")
	Type byte   // tar.TypeReg when zero (a Name ending in "/" makes it tar.TypeDir)
	Body string // file contents (regular files only)
	Link string // symlink or hardlink target, as written
	// Mode is the permission and setuid/setgid/sticky bits as in tar
	// (0o4755); zero means 0644 for files and 0755 for directories.
	Mode         int64
	UID, GID     int
	Uname, Gname string
	ModTime      time.Time // zero means Epoch()
	Devmajor     int64
	Devminor     int64
	// Format forces a tar format (tar.FormatPAX, tar.FormatGNU, …); zero lets
	// archive/tar choose.
	Format tar.Format
	// PAXRecords are extra PAX records to write with the header.
	PAXRecords map[string]string
	// Size, when not zero, is the size the header declares for a regular
	// file instead of len(Body): a lie. Build writes Body and stops there,
	// so the archive ends in the middle of this entry (no end-of-archive
	// marker), the way a truncated or hostile layer does.
	Size int64
}

// Header returns the tar header Layer writes for e.
func (e Entry) Header() *tar.Header {
	typ := e.Type
	if typ == 0 {
		typ = tar.TypeReg
		if len(e.Name) > 0 && e.Name[len(e.Name)-1] == '/' {
			typ = tar.TypeDir
		}
	}
	mode := e.Mode
	if mode == 0 {
		mode = 0o644
		if typ == tar.TypeDir {
			mode = 0o755
		}
	}
	mt := e.ModTime
	if mt.IsZero() {
		mt = Epoch()
	}
	h := &tar.Header{
		Typeflag:   typ,
		Name:       e.Name,
		Linkname:   e.Link,
		Mode:       mode,
		Uid:        e.UID,
		Gid:        e.GID,
		Uname:      e.Uname,
		Gname:      e.Gname,
		ModTime:    mt,
		Devmajor:   e.Devmajor,
		Devminor:   e.Devminor,
		Format:     e.Format,
		PAXRecords: e.PAXRecords,
	}
	if typ == tar.TypeReg {
		h.Size = int64(len(e.Body))
		if e.Size != 0 {
			h.Size = e.Size
		}
	}
	return h
}

// Layer returns the uncompressed tar of entries, in order. It fails the test
// when archive/tar refuses an entry.
func Layer(t testing.TB, entries []Entry) []byte {
	t.Helper()
	b, err := Build(entries)
	if err != nil {
		t.Fatalf("tartest.Layer: %v", err)
	}
	return b
}

// Build is Layer for callers without a testing.TB (fuzz seeds, benchmarks
// set-up, example programs).
func Build(entries []Entry) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := e.Header()
		if err := tw.WriteHeader(h); err != nil {
			return nil, &EntryError{Name: e.Name, Err: err}
		}
		if h.Size > 0 {
			if _, err := tw.Write([]byte(e.Body)); err != nil {
				return nil, &EntryError{Name: e.Name, Err: err}
			}
		}
		if e.Size != 0 && e.Size != int64(len(e.Body)) {
			return buf.Bytes(), nil // a lying header: the archive ends here
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// EntryError names the entry archive/tar refused.
type EntryError struct {
	Name string
	Err  error
}

func (e *EntryError) Error() string { return "tar entry " + quote(e.Name) + ": " + e.Err.Error() }

// Unwrap returns the archive/tar error.
func (e *EntryError) Unwrap() error { return e.Err }

func quote(s string) string { return "\"" + s + "\"" }

// Gzip compresses b as one gzip member.
func Gzip(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatalf("tartest.Gzip: %v", err)
	}
	if err := zw.Close(); err != nil {
		t.Fatalf("tartest.Gzip: %v", err)
	}
	return buf.Bytes()
}

// Zstd compresses b as one zstd frame.
func Zstd(t testing.TB, b []byte) []byte {
	t.Helper()
	zw, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
	if err != nil {
		t.Fatalf("tartest.Zstd: %v", err)
	}
	defer zw.Close()
	return zw.EncodeAll(b, nil)
}
