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
