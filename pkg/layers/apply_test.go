package layers

import (
	"archive/tar"
	"strings"
	"testing"

	"github.com/regscope/regscope/internal/tartest"
)

type L = []tartest.Entry

func dirE(name string) tartest.Entry { return tartest.Entry{Name: name, Type: tar.TypeDir} }
func fileE(name, body string) tartest.Entry {
	return tartest.Entry{Name: name, Body: body}
}
func linkE(name, target string) tartest.Entry {
	return tartest.Entry{Name: name, Type: tar.TypeSymlink, Link: target}
}
func hardE(name, target string) tartest.Entry {
	return tartest.Entry{Name: name, Type: tar.TypeLink, Link: target}
}

func TestApplyRules(t *testing.T) {
	for _, tc := range []struct {
		name   string
		layers []L
		want   string // sorted paths of the merged FS
	}{
		{"whiteout file", []L{{fileE("a", "1"), fileE("b", "2")}, {fileE(".wh.a", "")}}, "/b"},
		{"whiteout dir subtree", []L{{dirE("d"), fileE("d/x", ""), dirE("d/e"), fileE("d/e/y", ""), fileE("k", "")}, {fileE(".wh.d", "")}}, "/k"},
		{"whiteout nested", []L{{dirE("d"), fileE("d/x", ""), fileE("d/y", "")}, {dirE("d"), fileE("d/.wh.x", "")}}, "/d /d/y"},
		{"whiteout missing is harmless", []L{{fileE("a", "")}, {fileE(".wh.zz", ""), fileE("q/.wh.zz", "")}}, "/a"},
		{"opaque marker first", []L{{dirE("d"), fileE("d/old", ""), dirE("d/sub"), fileE("d/sub/o", "")}, {dirE("d"), fileE("d/.wh..wh..opq", ""), fileE("d/new", "")}}, "/d /d/new"},
		{"opaque marker last", []L{{dirE("d"), fileE("d/old", ""), dirE("d/sub"), fileE("d/sub/o", "")}, {dirE("d"), fileE("d/new", ""), fileE("d/.wh..wh..opq", "")}}, "/d /d/new"},
		{"opaque keeps same-layer subdir, hides its lower contents", []L{{dirE("d"), dirE("d/s"), fileE("d/s/old", "")}, {dirE("d/s"), fileE("d/s/new", ""), fileE("d/.wh..wh..opq", "")}}, "/d /d/s /d/s/new"},
		{"opaque same-layer deep entry without its parent", []L{{dirE("d"), dirE("d/s"), fileE("d/s/old", "")}, {fileE("d/s/new", ""), fileE("d/.wh..wh..opq", "")}}, "/d /d/s /d/s/new"},
		{"opaque only hides lower layers, not later ones", []L{{dirE("d"), fileE("d/a", "")}, {fileE("d/.wh..wh..opq", "")}, {fileE("d/b", "")}}, "/d /d/b"},
		{"delete and recreate dir", []L{{dirE("d"), fileE("d/old", "")}, {fileE(".wh.d", "")}, {dirE("d"), fileE("d/new", "")}}, "/d /d/new"},
		{"delete and recreate in the same layer", []L{{dirE("d"), fileE("d/old", "")}, {fileE(".wh.d", ""), dirE("d"), fileE("d/new", "")}}, "/d /d/new"},
		{"file replaces dir subtree", []L{{dirE("d"), fileE("d/x", "")}, {fileE("d", "f")}}, "/d"},
		{"dir replaces file", []L{{fileE("d", "f")}, {dirE("d"), fileE("d/x", "")}}, "/d /d/x"},
		{"redeclared dir keeps children", []L{{dirE("d"), fileE("d/x", "")}, {tartest.Entry{Name: "d", Type: tar.TypeDir, Mode: 0o700}}}, "/d /d/x"},
		{"implicit parents", []L{{fileE("a/b/c", "")}}, "/a /a/b /a/b/c"},
		{"symlinked parent replaced by dir", []L{{dirE("real"), fileE("real/x", ""), linkE("ln", "real")}, {fileE("ln/y", "")}}, "/ln /ln/y /real /real/x"},
		{"absolute symlinked parent replaced by dir", []L{{dirE("etc"), linkE("ln", "/etc")}, {fileE("ln/passwd", "")}}, "/etc /ln /ln/passwd"},
		{"traversal cleaned", []L{{fileE("../../x", ""), fileE("/abs", ""), fileE("./dot", ""), fileE("a/../../b", "")}}, "/abs /b /dot /x"},
		{"aufs metadata ignored", []L{{fileE(".wh..wh.plnk/123.456", ""), dirE(".wh..wh.aufs"), fileE("a", "")}}, "/a"},
		{"whiteout of traversal stays inside", []L{{fileE("a", ""), fileE("b", "")}, {fileE("../../.wh.a", "")}}, "/b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, _ := build(t, tc.layers...)
			if got := paths(t, f); got != tc.want {
				t.Errorf("paths = %q\n want %q", got, tc.want)
			}
			if f.Len() != len(strings.Fields(tc.want)) {
				t.Errorf("Len = %d, want %d", f.Len(), len(strings.Fields(tc.want)))
			}
		})
	}
}

func TestApplyDetails(t *testing.T) {
	f, stats := build(t,
		L{dirE("d"), fileE("d/x", "one"), fileE("d/y", "y"), fileE("t", "target"), linkE("ln", "d"), fileE("dup", "first"), fileE("dup", "second")},
		L{hardE("h", "t"), fileE("d/x", "two"), fileE(".wh.d", ""), fileE("ln/z", "z")},
		L{fileE(".wh.t", ""), dirE("d"), fileE("d/n", "n")},
	)
	want := strings.Join([]string{
		"/d dir drwxr-xr-x 2",
		"/d/n file -rw-r--r-- 2 =n",
		"/dup file -rw-r--r-- 0 =second",
		"/h file -rw-r--r-- 1 =target",
		"/ln dir drwxr-xr-x 1",
		"/ln/z file -rw-r--r-- 1 =z",
	}, "\n")
	if got := dump(t, f); got != want {
		t.Errorf("merged:\n%s\nwant:\n%s", got, want)
	}
	wantStats := []ApplyStats{
		{Added: 6},                          // d d/x d/y t ln dup (dup twice counts once)
		{Added: 2, Modified: 2, Deleted: 1}, // h ln/z; d/x, ln replaced by a dir; d deleted
		{Added: 2, Deleted: 1},              // d d/n; t
	}
	for i := range wantStats {
		if stats[i] != wantStats[i] {
			t.Errorf("layer %d stats = %+v, want %+v", i, stats[i], wantStats[i])
		}
	}
	// History: /d/x was modified by layer 1 then deleted by layer 1 with /d.
	h := f.History("d/x")
	if len(h) != 2 || h[0].Kind != Modified || h[0].Layer != 1 || h[0].Entry.Layer != 0 || h[1].Kind != Deleted {
		t.Errorf("History(/d/x) = %+v", h)
	}
	h = f.History("/d")
	if len(h) != 2 || h[0].Kind != Deleted || h[0].Layer != 1 || h[1].Kind != Added || h[1].Layer != 2 {
		t.Errorf("History(/d) = %+v", h)
	}
	if h := f.History("/ln"); len(h) != 1 || h[0].Kind != Modified || h[0].Entry.Type != TypeSymlink {
		t.Errorf("History(/ln) = %+v", h)
	}
	var removed []string
	for _, e := range f.Removed("/d") {
		removed = append(removed, e.Path)
	}
	if got := strings.Join(removed, " "); got != "/d/x /d/y" {
		t.Errorf("Removed(/d) = %q", got)
	}
	if r := f.Removed("/"); len(r) != 2 || r[0].Path != "/d" || r[1].Path != "/t" || r[1].Content == nil {
		t.Errorf("Removed(/) = %v", r)
	}
}

func TestApplyHardlinks(t *testing.T) {
	for _, tc := range []struct {
		name    string
		layers  []L
		path    string
		want    string // dump line of path, or error substring
		wantErr bool
	}{
		{"same layer", []L{{fileE("a", "A"), hardE("b", "a")}}, "/b", "/b hardlink -rw-r--r-- 0 ->/a =A", false},
		{"across layers", []L{{fileE("a", "A")}, {hardE("./x/b", "/a")}}, "/x/b", "/x/b hardlink -rw-r--r-- 1 ->/a =A", false},
		{"last name left when the target is deleted", []L{{fileE("a", "A"), hardE("b", "a")}, {fileE(".wh.a", "")}}, "/b", "/b file -rw-r--r-- 0 =A", false},
		{"keeps old content when target replaced", []L{{fileE("a", "A"), hardE("b", "a")}, {fileE("a", "new")}}, "/b", "/b file -rw-r--r-- 0 =A", false},
		{"chain", []L{{fileE("a", "A"), hardE("b", "a"), hardE("c", "b")}}, "/c", "/c hardlink -rw-r--r-- 0 ->/a =A", false},
		{"traversal target cleaned", []L{{fileE("a", "A"), hardE("b", "../../a")}}, "/b", "/b hardlink -rw-r--r-- 0 ->/a =A", false},
		{"to symlink links the symlink", []L{{linkE("s", "/a"), hardE("h", "s")}}, "/h", "/h symlink Lrw-r--r-- 0 ->/a", false},
		{"missing target", []L{{hardE("b", "nope")}}, "", `hardlink "/b": target "/nope" does not exist`, true},
		{"dir target", []L{{dirE("d"), hardE("b", "d")}}, "", `hardlink "/b": target "/d" is a directory`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := NewFS()
			var err error
			for i, l := range tc.layers {
				if _, err = f.Apply(i, readLayer(t, l)); err != nil {
					break
				}
			}
			if tc.wantErr {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("err = %v, want %q", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, line := range strings.Split(dump(t, f), "\n") {
				if strings.HasPrefix(line, tc.path+" ") {
					if line != tc.want {
						t.Errorf("got %q, want %q", line, tc.want)
					}
					return
				}
			}
			t.Errorf("%s missing:\n%s", tc.path, dump(t, f))
		})
	}
}

// A path a layer deletes (whiteout, opaque marker) and puts back itself is
// one modification: counted as such, recorded as such, not listed as removed.
func TestApplyDeleteAndRecreateInOneLayer(t *testing.T) {
	for _, tc := range []struct {
		name  string
		upper L
	}{
		{"whiteout then file", L{fileE(".wh.x", ""), fileE("x", "new")}},
		{"opaque marker then file", L{fileE(".wh..wh..opq", ""), fileE("x", "new")}},
		{"file then opaque marker", L{fileE("x", "new"), fileE(".wh..wh..opq", "")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, stats := build(t, L{fileE("x", "old"), fileE("y", "gone")}, tc.upper)
			want := ApplyStats{Modified: 1}
			if strings.Contains(tc.name, "opaque") {
				want.Deleted = 1 // y
			}
			if stats[1] != want {
				t.Errorf("stats %+v, want %+v", stats[1], want)
			}
			h := f.History("/x")
			if len(h) != 1 || h[0].Kind != Modified || h[0].Layer != 1 || h[0].Entry == nil || h[0].Entry.Layer != 0 {
				t.Errorf("History(/x) = %+v, want one Modified by layer 1 holding the old entry", h)
			}
			for _, e := range f.Removed("/") {
				if e.Path == "/x" {
					t.Errorf("Removed(/) lists /x, which layer 1 put back")
				}
			}
			if b, err := f.ReadFile("x"); err != nil || string(b) != "new" {
				t.Errorf("x = %q, %v", b, err)
			}
		})
	}
}
