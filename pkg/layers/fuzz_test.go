package layers

import (
	"archive/tar"
	"bytes"
	"strings"
	"testing"

	"github.com/regscope/regscope/internal/tartest"
)

// FuzzRead feeds arbitrary bytes (tar, gzip or zstd) to Read and Apply:
// they must not panic, and no path may leave the root.
func FuzzRead(f *testing.F) {
	for _, entries := range [][]tartest.Entry{
		{{Name: "etc/", Type: tar.TypeDir}, {Name: "etc/x", Body: "hi"}, {Name: "a", Type: tar.TypeSymlink, Link: "../../etc"}},
		{{Name: "../../x", Body: "up"}, {Name: "/abs"}, {Name: "./.wh.gone"}, {Name: "d/.wh..wh..opq"}},
		{{Name: "f", Body: "1"}, {Name: "h", Type: tar.TypeLink, Link: "f"}, {Name: "dev/null", Type: tar.TypeChar, Devmajor: 1, Devminor: 3}},
	} {
		b, err := tartest.Build(entries)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(tartest.Gzip(f, b))
		f.Add(tartest.Zstd(f, b))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lim := Limits{MaxEntries: 1000, MaxBytes: 1 << 20, MaxPathDepth: 64, MaxPAXBytes: 4096}
		cs, _, err := Read(bytes.NewReader(data), "", nil, lim)
		if err != nil {
			return
		}
		fsys := NewFS()
		for layer := 0; layer < 2; layer++ { // twice: the layer over itself
			if _, err := fsys.Apply(layer, cs); err != nil {
				return
			}
		}
		err = fsys.Walk(func(e *Entry) error {
			if !strings.HasPrefix(e.Path, "/") || cleanPath(e.Path) != e.Path || e.Path == "/" {
				t.Errorf("bad path %q", e.Path)
			}
			if e.Type == TypeHardlink && e.Link != cleanPath(e.Link) {
				t.Errorf("hardlink %q: unclean target %q", e.Path, e.Link)
			}
			if e.Type == TypeWhiteout || e.Type == TypeOpaque {
				t.Errorf("%s %q in the merged FS", e.Type, e.Path)
			}
			if e.Type == TypeSymlink {
				if p, err := fsys.Resolve(e.Path); err == nil && cleanPath(p) != p {
					t.Errorf("Resolve(%q) = %q", e.Path, p)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
