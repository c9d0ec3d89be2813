package engine

import (
	"bytes"
	"testing"

	"github.com/regscope/regscope/internal/tartest"
	"github.com/regscope/regscope/pkg/layers"
	"github.com/regscope/regscope/pkg/manifest"
	"github.com/regscope/regscope/pkg/pull"
	"github.com/regscope/regscope/wasm/msg"
)

// image applies tar layers to a filesystem as pkg/pull does, without a registry.
func image(t *testing.T, tars ...[]tartest.Entry) *pull.Image {
	t.Helper()
	img := &pull.Image{FS: layers.NewFS()}
	for i, ents := range tars {
		cs, _, err := layers.Read(bytes.NewReader(tartest.Layer(t, ents)), manifest.MediaTypeOCILayer, nil, layers.Limits{})
		if err != nil {
			t.Fatalf("layer %d: %v", i, err)
		}
		st, err := img.FS.Apply(i, cs)
		if err != nil {
			t.Fatalf("layer %d: %v", i, err)
		}
		img.Layers = append(img.Layers, pull.Layer{Index: i, Changes: cs, Stats: st})
	}
	return img
}

// TestLayerChangeKinds: a layer's own rows say "modified" exactly when the
// path was there below that layer, whatever later layers did to it again.
func TestLayerChangeKinds(t *testing.T) {
	img := image(t,
		[]tartest.Entry{{Name: "a", Body: "0"}, {Name: "d/"}, {Name: "d/x", Body: "0"}, {Name: "gone", Body: "0"},
			{Name: "o/"}, {Name: "o/keep", Body: "0"}, {Name: "o/lower", Body: "0"}},
		[]tartest.Entry{{Name: "a", Body: "1"}, {Name: "d/x", Body: "1"}, {Name: ".wh.gone"}, {Name: "new", Body: "1"}},
		[]tartest.Entry{{Name: "a", Body: "2"}, {Name: ".wh.d"}, {Name: "gone", Body: "2"}, {Name: "new", Body: "2"},
			{Name: "o/"}, {Name: "o/.wh..wh..opq"}, {Name: "o/lower", Body: "2"}, {Name: "o/fresh", Body: "2"}},
		[]tartest.Entry{{Name: "d/x", Body: "3"}, {Name: ".wh.a"}, {Name: "new", Body: "3"}},
	)
	want := []map[string]string{
		{"/a": "added", "/d": "added", "/d/x": "added", "/gone": "added", "/o": "added", "/o/keep": "added", "/o/lower": "added"},
		{"/a": "modified", "/d/x": "modified", "/gone": "deleted", "/new": "added"},
		{"/a": "modified", "/d": "deleted", "/gone": "added", "/new": "modified", "/o": "opaque", "/o/lower": "modified", "/o/fresh": "added"},
		{"/d/x": "added", "/a": "deleted", "/new": "modified"},
	}
	e := &Engine{}
	e.SetImage(img)
	for n, w := range want {
		r, err := e.List(msg.ListRequest{Source: msg.Source{Layer: &n}, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, en := range r.Entries {
			if en.Layer != n {
				t.Errorf("layer %d: row %s has layer %d", n, en.Path, en.Layer)
			}
			if prev, dup := got[en.Path]; dup && prev != en.Change && !(prev == "opaque" || en.Change == "opaque") {
				t.Errorf("layer %d: %s listed as %s and %s", n, en.Path, prev, en.Change)
			}
			if _, dup := got[en.Path]; !dup || en.Change == "opaque" {
				got[en.Path] = en.Change
			}
		}
		for p, k := range w {
			if got[p] != k {
				t.Errorf("layer %d: %s is %q, want %q (all: %v)", n, p, got[p], k, got)
			}
		}
		if len(got) != len(w) {
			t.Errorf("layer %d: rows %v, want %v", n, got, w)
		}
	}
}
