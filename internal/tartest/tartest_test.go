package tartest

import (
	"archive/tar"
	"bytes"
	"io"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

func TestLayerRoundTrip(t *testing.T) {
	b := Layer(t, []Entry{
		{Name: "etc/", Type: 0},
		{Name: "etc/x", Body: "hi", Mode: 0o4755},
		{Name: "a", Type: tar.TypeSymlink, Link: "b"},
		{Name: ".wh.gone"},
	})
	gz, err := gzip.NewReader(bytes.NewReader(Gzip(t, b)))
	if err != nil {
		t.Fatal(err)
	}
	viaGzip, _ := io.ReadAll(gz)
	zr, _ := zstd.NewReader(nil)
	viaZstd, err := zr.DecodeAll(Zstd(t, b), nil)
	if err != nil || !bytes.Equal(viaGzip, b) || !bytes.Equal(viaZstd, b) {
		t.Fatalf("compressed round trip differs (zstd err %v)", err)
	}
	tr := tar.NewReader(bytes.NewReader(b))
	want := []struct {
		name string
		typ  byte
		mode int64
		body string
	}{{"etc/", tar.TypeDir, 0o755, ""}, {"etc/x", tar.TypeReg, 0o4755, "hi"}, {"a", tar.TypeSymlink, 0o644, ""}, {".wh.gone", tar.TypeReg, 0o644, ""}}
	for _, w := range want {
		h, err := tr.Next()
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		if h.Name != w.name || h.Typeflag != w.typ || h.Mode != w.mode || string(body) != w.body || !h.ModTime.Equal(Epoch()) {
			t.Errorf("got %s %c %o %q %v, want %+v", h.Name, h.Typeflag, h.Mode, body, h.ModTime, w)
		}
	}
	if _, err := tr.Next(); err != io.EOF {
		t.Errorf("extra entries: %v", err)
	}
	if _, err := Build([]Entry{{Name: "x", Type: tar.TypeReg, Body: "a", Format: tar.FormatUSTAR, PAXRecords: map[string]string{"k": "v"}}}); err == nil {
		t.Error("Build accepted PAX records in USTAR format")
	}
}

func TestHostileStreams(t *testing.T) {
	zr, _ := zstd.NewReader(nil)
	defer zr.Close()
	for _, n := range []int64{0, 1, 128 << 10, 128<<10 + 1, 3 << 20} {
		got, err := zr.DecodeAll(ZeroZstd(n), nil)
		if err != nil || int64(len(got)) != n || bytes.Count(got, []byte{0}) != len(got) {
			t.Errorf("ZeroZstd(%d): %d bytes, %v", n, len(got), err)
		}
	}
	if n := len(ZeroZstd(16 << 30)); n > 600<<10 {
		t.Errorf("ZeroZstd(16 GiB) is %d bytes, want about 512 KiB", n)
	}
	skip, err := zr.DecodeAll(ZstdSkippable(t, []byte("payload")), nil)
	if err != nil || string(skip) != "payload" {
		t.Errorf("ZstdSkippable: %q, %v", skip, err)
	}
	gz, err := gzip.NewReader(bytes.NewReader(GzipMembers(t, []byte("one "), []byte("two"))))
	if err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(gz); err != nil || string(b) != "one two" {
		t.Errorf("GzipMembers: %q, %v", b, err)
	}
	bomb := ZeroGzip(t, 8<<20)
	gz, err = gzip.NewReader(bytes.NewReader(bomb))
	if err != nil {
		t.Fatal(err)
	}
	if n, err := io.Copy(io.Discard, gz); err != nil || n != 8<<20 || len(bomb) > 32<<10 {
		t.Errorf("ZeroGzip(8 MiB): %d bytes from %d, %v", n, len(bomb), err)
	}
	lie, err := Build([]Entry{{Name: "big", Body: "only this", Size: 10 << 30}})
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(bytes.NewReader(lie))
	h, err := tr.Next()
	if err != nil || h.Size != 10<<30 {
		t.Fatalf("lying header: %+v, %v", h, err)
	}
	if _, err := io.Copy(io.Discard, tr); err != io.ErrUnexpectedEOF {
		t.Errorf("reading the lying entry: %v, want io.ErrUnexpectedEOF", err)
	}
}

// TestSparseArchive: archive/tar reads what SparseArchive writes as sparse
// files of their full size.
func TestSparseArchive(t *testing.T) {
	b := SparseArchive(Sparse{Name: "a", RealSize: 5000, Last: 'A'}, Sparse{Name: "dir/b", RealSize: 1 << 20, Last: 'B'})
	if len(b) != 2*5*512+1024 {
		t.Errorf("archive is %d bytes, want %d", len(b), 2*5*512+1024)
	}
	tr := tar.NewReader(bytes.NewReader(b))
	for _, want := range []Sparse{{"a", 5000, 'A'}, {"dir/b", 1 << 20, 'B'}} {
		hdr, err := tr.Next()
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		wantBody := make([]byte, want.RealSize)
		wantBody[len(wantBody)-1] = want.Last
		if hdr.Name != want.Name || hdr.Size != want.RealSize || !bytes.Equal(body, wantBody) {
			t.Errorf("entry %q, size %d, %d body bytes; want %q, %d, zeros then %q", hdr.Name, hdr.Size, len(body), want.Name, want.RealSize, want.Last)
		}
	}
	if _, err := tr.Next(); err != io.EOF {
		t.Errorf("after the files: %v, want io.EOF", err)
	}
}
