package layers

import (
	"archive/tar"
	"bytes"
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/regscope/regscope/internal/tartest"
)

// fuzzLower is the fixed layer every fuzz input is applied over, so that
// whiteouts, opaque markers, hardlinks and replaced parents in the input
// meet something: files, nested directories, a symlink out of a directory,
// a symlink loop, a hardlink.
var fuzzLower = []tartest.Entry{
	{Name: "etc/", Type: tar.TypeDir},
	{Name: "etc/passwd", Body: "root:x:0:0"},
	{Name: "etc/sub/deep/f", Body: "deep"},
	{Name: "bin/sh", Body: "#!"},
	{Name: "lib", Type: tar.TypeSymlink, Link: "usr/lib"},
	{Name: "usr/lib/libc.so", Body: "elf"},
	{Name: "loop", Type: tar.TypeSymlink, Link: "loop"},
	{Name: "up", Type: tar.TypeSymlink, Link: "../../.."},
	{Name: "h", Type: tar.TypeLink, Link: "etc/passwd"},
}

// FuzzRead feeds arbitrary bytes (tar, gzip or zstd) to Read and applies the
// result over a fixed lower layer (fuzzLower), then again over itself. It
// must not panic, and the merged filesystem must stay a tree inside "/":
// clean absolute paths, every entry's parent a directory, Walk visiting each
// path once, in order, Lstat agreeing with Walk, Resolve staying inside.
func FuzzRead(f *testing.F) {
	deep := strings.Repeat("d/", 70) + "f"
	for _, entries := range [][]tartest.Entry{
		{{Name: "etc/", Type: tar.TypeDir}, {Name: "etc/x", Body: "hi"}, {Name: "a", Type: tar.TypeSymlink, Link: "../../etc"}},
		{{Name: "../../x", Body: "up"}, {Name: "/abs"}, {Name: "./.wh.gone"}, {Name: "d/.wh..wh..opq"}},
		{{Name: "f", Body: "1"}, {Name: "h", Type: tar.TypeLink, Link: "f"}, {Name: "dev/null", Type: tar.TypeChar, Devmajor: 1, Devminor: 3}},
		// Hostile seeds (see hostile_test.go).
		{{Name: ".wh..wh..opq"}, {Name: ".wh.etc"}, {Name: "etc/.wh.passwd"}, {Name: "lib/x", Body: "through a symlink"}},
		{{Name: "up/escape", Body: "?"}, {Name: "loop/x"}, {Name: "h2", Type: tar.TypeLink, Link: "h"}, {Name: "h3", Type: tar.TypeLink, Link: "later"}, {Name: "later"}},
		{{Name: "etc", Body: "file over a dir"}, {Name: "etc/passwd", Body: "again"}, {Name: "etc/sub/.wh.deep"}},
		{{Name: "f", Body: "1"}, {Name: "f", Body: "2"}, {Name: "f/", Type: tar.TypeDir}, {Name: "f/g"}},
		{{Name: "bad\xff\xfe\nname", Format: tar.FormatPAX}, {Name: "s", Type: tar.TypeSymlink, Link: "bad\xff\xfe\nname"}},
		{{Name: deep, Format: tar.FormatPAX}},
		{{Name: "hl", Type: tar.TypeLink, Link: "lib"}, {Name: "hd", Type: tar.TypeLink, Link: "etc"}},
		{{Name: "big", Body: "cut", Size: 1 << 40}},
	} {
		b, err := tartest.Build(entries)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(tartest.Gzip(f, b))
		f.Add(tartest.Zstd(f, b))
	}
	f.Add(tartest.ZeroZstd(4 << 20))
	f.Add(tartest.ZstdSkippable(f, tartest.Layer(f, []tartest.Entry{{Name: "z", Body: "skippable"}})))
	base := tartest.Layer(f, fuzzLower)
	f.Add(append(tartest.Gzip(f, base[:700]), tartest.Gzip(f, base[700:])...))
	f.Add(append(tartest.Gzip(f, base), "trailing garbage"...))

	lower, _, err := Read(bytes.NewReader(base), "", nil, Limits{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lim := Limits{MaxEntries: 1000, MaxBytes: 1 << 20, MaxPathDepth: 64, MaxPAXBytes: 4096, MaxStored: 1 << 20}
		cs, _, err := Read(bytes.NewReader(data), "", nil, lim)
		if err != nil {
			return
		}
		fsys := NewFS()
		if _, err := fsys.Apply(0, cloneChangeSet(lower)); err != nil {
			t.Fatal(err)
		}
		for layer := 1; layer < 3; layer++ { // twice: the layer over itself
			if _, err := fsys.Apply(layer, cloneChangeSet(cs)); err != nil {
				return
			}
		}
		checkTree(t, fsys)
	})
}

// cloneChangeSet copies the entries, which Apply marks with its layer.
func cloneChangeSet(cs *ChangeSet) *ChangeSet {
	out := &ChangeSet{Entries: make([]*Entry, len(cs.Entries))}
	for i, e := range cs.Entries {
		c := *e
		out.Entries[i] = &c
	}
	return out
}

// checkTree checks the invariants of a merged filesystem.
func checkTree(t *testing.T, fsys *FS) {
	t.Helper()
	seen := map[string]bool{}
	last := ""
	n := 0
	err := fsys.Walk(func(e *Entry) error {
		n++
		if !strings.HasPrefix(e.Path, "/") || cleanPath(e.Path) != e.Path || e.Path == "/" {
			t.Errorf("bad path %q", e.Path)
		}
		if seen[e.Path] {
			t.Errorf("Walk visited %q twice", e.Path)
		}
		seen[e.Path] = true
		if last != "" && e.Path <= last && !strings.HasPrefix(last, e.Path+"/") && parentOf(e.Path) == parentOf(last) {
			t.Errorf("Walk order: %q after %q", e.Path, last)
		}
		last = e.Path
		if p := parentOf(e.Path); p != "/" && !seen[p] {
			t.Errorf("%q visited before its parent", e.Path)
		}
		parent, err := fsys.Lstat(parentOf(e.Path))
		if err != nil || parent.Type != TypeDir {
			t.Errorf("parent of %q: %v, %v", e.Path, parent, err)
		}
		if got, err := fsys.Lstat(e.Path); err == nil && got != e && !hasSymlinkParent(fsys, e.Path) {
			t.Errorf("Lstat(%q) = %+v, Walk saw %+v", e.Path, got, e)
		} else if err != nil && !hasSymlinkParent(fsys, e.Path) {
			t.Errorf("Lstat(%q): %v", e.Path, err)
		}
		if e.Type == TypeHardlink && e.Link != cleanPath(e.Link) {
			t.Errorf("hardlink %q: unclean target %q", e.Path, e.Link)
		}
		if e.Type == TypeWhiteout || e.Type == TypeOpaque {
			t.Errorf("%s %q in the merged FS", e.Type, e.Path)
		}
		if e.Type == TypeSymlink {
			p, err := fsys.Resolve(e.Path)
			switch {
			case err == nil && (cleanPath(p) != p || !strings.HasPrefix(p, "/")):
				t.Errorf("Resolve(%q) = %q", e.Path, p)
			case err == nil:
				if _, err := fsys.Lstat(p); err != nil {
					t.Errorf("Resolve(%q) = %q, which does not exist: %v", e.Path, p, err)
				}
			case !errors.Is(err, ErrLoop) && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, errNotDir):
				t.Errorf("Resolve(%q): unexpected %v", e.Path, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != fsys.Len() {
		t.Errorf("Walk visited %d entries, Len() = %d", n, fsys.Len())
	}
}

// parentOf is path.Dir for clean absolute paths.
func parentOf(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i <= 0 {
		return "/"
	}
	return p[:i]
}

// hasSymlinkParent reports whether some parent of p is a symlink, in which
// case Lstat (which follows parents) may legitimately land elsewhere. Apply
// never leaves one — parents are made directories — so this is false in a
// healthy tree.
func hasSymlinkParent(fsys *FS, p string) bool {
	for q := parentOf(p); q != "/"; q = parentOf(q) {
		if n := fsys.lookup(q); n != nil && n.e.Type == TypeSymlink {
			return true
		}
	}
	return false
}
