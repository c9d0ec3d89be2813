package inspect_test

import (
	"archive/tar"
	"context"
	"reflect"
	"testing"

	ggcr "github.com/google/go-containerregistry/pkg/v1"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/tartest"
	"github.com/regscope/regscope/pkg/inspect"
	"github.com/regscope/regscope/pkg/layers"
	"github.com/regscope/regscope/pkg/pull"
)

type e = tartest.Entry

func TestImage(t *testing.T) {
	host := regtest.GGCR(t)
	tests := []struct {
		name   string
		layers [][]e
		want   inspect.Result // Efficiency is checked as Content/TotalAdded
	}{
		{
			name: "overwritten twice",
			layers: [][]e{
				{{Name: "f", Body: "aaaa"}},
				{{Name: "f", Body: "bbbbbb"}},
				{{Name: "f", Body: "cc"}},
			},
			want: inspect.Result{
				Content: 2, TotalAdded: 12, Wasted: 10, WastedFiles: 2, WastedPaths: 1,
				Layers:    []inspect.LayerBytes{{Index: 0, Added: 4, Wasted: 0, Lost: 4}, {Index: 1, Added: 6, Wasted: 4, Lost: 6}, {Index: 2, Added: 2, Wasted: 6, Lost: 0}},
				TopWasted: []inspect.Wasted{{Path: "/f", Bytes: 10, Count: 2, Writers: []int{0, 1}, Removers: []int{1, 2}, Present: true}},
				Largest:   []inspect.File{{Path: "/f", Size: 2, Layer: 2}},
			},
		},
		{
			name: "whiteout",
			layers: [][]e{
				{{Name: "a", Body: "12345"}, {Name: "keep", Body: "xy"}},
				{{Name: ".wh.a"}},
			},
			want: inspect.Result{
				Content: 2, TotalAdded: 7, Wasted: 5, WastedFiles: 1, WastedPaths: 1,
				Layers:    []inspect.LayerBytes{{Index: 0, Added: 7, Wasted: 0, Lost: 5}, {Index: 1, Added: 0, Wasted: 5, Lost: 0}},
				TopWasted: []inspect.Wasted{{Path: "/a", Bytes: 5, Count: 1, Writers: []int{0}, Removers: []int{1}}},
				Largest:   []inspect.File{{Path: "/keep", Size: 2, Layer: 0}},
			},
		},
		{
			name: "opaque directory",
			layers: [][]e{
				{{Name: "d/x", Body: "xxx"}, {Name: "d/y", Body: "yyyy"}},
				{{Name: "d/.wh..wh..opq"}, {Name: "d/z", Body: "zz"}},
			},
			want: inspect.Result{
				Content: 2, TotalAdded: 9, Wasted: 7, WastedFiles: 2, WastedPaths: 2,
				Layers: []inspect.LayerBytes{{Index: 0, Added: 7, Wasted: 0, Lost: 7}, {Index: 1, Added: 2, Wasted: 7, Lost: 0}},
				TopWasted: []inspect.Wasted{
					{Path: "/d/y", Bytes: 4, Count: 1, Writers: []int{0}, Removers: []int{1}},
					{Path: "/d/x", Bytes: 3, Count: 1, Writers: []int{0}, Removers: []int{1}},
				},
				Largest: []inspect.File{{Path: "/d/z", Size: 2, Layer: 1}},
			},
		},
		{
			name: "deleted directory subtree",
			layers: [][]e{
				{{Name: "d/sub/f", Body: "ffff"}, {Name: "d/g", Body: "g"}, {Name: "d/sub/deeper/h", Body: "hhh"}},
				{{Name: ".wh.d"}},
			},
			want: inspect.Result{
				Content: 0, TotalAdded: 8, Wasted: 8, WastedFiles: 3, WastedPaths: 3,
				Layers: []inspect.LayerBytes{{Index: 0, Added: 8, Wasted: 0, Lost: 8}, {Index: 1, Added: 0, Wasted: 8, Lost: 0}},
				TopWasted: []inspect.Wasted{
					{Path: "/d/sub/f", Bytes: 4, Count: 1, Writers: []int{0}, Removers: []int{1}},
					{Path: "/d/sub/deeper/h", Bytes: 3, Count: 1, Writers: []int{0}, Removers: []int{1}},
					{Path: "/d/g", Bytes: 1, Count: 1, Writers: []int{0}, Removers: []int{1}},
				},
				Largest: []inspect.File{},
			},
		},
		{
			name: "hardlink counts 0",
			layers: [][]e{
				{{Name: "f", Body: "data"}, {Name: "l", Type: tar.TypeLink, Link: "f"}, {Name: "l2", Type: tar.TypeLink, Link: "f"}},
				{{Name: ".wh.l"}},
			},
			want: inspect.Result{
				Content: 4, TotalAdded: 4,
				Layers:    []inspect.LayerBytes{{Index: 0, Added: 4, Wasted: 0, Lost: 0}, {Index: 1, Added: 0, Wasted: 0, Lost: 0}},
				TopWasted: []inspect.Wasted{},
				Largest:   []inspect.File{{Path: "/f", Size: 4, Layer: 0}},
			},
		},
		{
			name: "hardlink whose target a later layer deletes keeps the bytes",
			layers: [][]e{
				{{Name: "usr/bin/curl", Body: "curl-bytes"}, {Name: "usr/local/bin/curl-hardlink", Type: tar.TypeLink, Link: "usr/bin/curl"}},
				{{Name: "usr/bin/.wh.curl"}},
			},
			want: inspect.Result{
				Content: 10, TotalAdded: 10,
				Layers:    []inspect.LayerBytes{{Index: 0, Added: 10, Wasted: 0, Lost: 0}, {Index: 1, Added: 0, Wasted: 0, Lost: 0}},
				TopWasted: []inspect.Wasted{},
				Largest:   []inspect.File{{Path: "/usr/local/bin/curl-hardlink", Size: 10, Layer: 0}},
			},
		},
		{
			name: "hardlink whose target a later layer replaces",
			layers: [][]e{
				{{Name: "b", Body: "old"}, {Name: "a", Type: tar.TypeLink, Link: "b"}},
				{{Name: "b", Body: "new content"}},
			},
			want: inspect.Result{
				Content: 14, TotalAdded: 14,
				Layers:    []inspect.LayerBytes{{Index: 0, Added: 3, Wasted: 0, Lost: 0}, {Index: 1, Added: 11, Wasted: 0, Lost: 0}},
				TopWasted: []inspect.Wasted{},
				Largest:   []inspect.File{{Path: "/b", Size: 11, Layer: 1}, {Path: "/a", Size: 3, Layer: 0}},
			},
		},
		{
			name: "every name of a hardlinked file deleted wastes it once",
			layers: [][]e{
				{{Name: "d/f", Body: "12345"}, {Name: "d/h", Type: tar.TypeLink, Link: "d/f"}},
				{{Name: ".wh.d"}},
			},
			want: inspect.Result{
				Content: 0, TotalAdded: 5, Wasted: 5, WastedFiles: 1, WastedPaths: 1,
				Layers:    []inspect.LayerBytes{{Index: 0, Added: 5, Wasted: 0, Lost: 5}, {Index: 1, Added: 0, Wasted: 5, Lost: 0}},
				TopWasted: []inspect.Wasted{{Path: "/d/h", Bytes: 5, Count: 1, Writers: []int{0}, Removers: []int{1}}},
				Largest:   []inspect.File{},
			},
		},
		{
			name: "deleted and put back by the same layer",
			layers: [][]e{
				{{Name: "f", Body: "old"}},
				{{Name: ".wh.f"}, {Name: "f", Body: "newer"}},
			},
			want: inspect.Result{
				Content: 5, TotalAdded: 8, Wasted: 3, WastedFiles: 1, WastedPaths: 1,
				Layers:    []inspect.LayerBytes{{Index: 0, Added: 3, Wasted: 0, Lost: 3}, {Index: 1, Added: 5, Wasted: 3, Lost: 0}},
				TopWasted: []inspect.Wasted{{Path: "/f", Bytes: 3, Count: 1, Writers: []int{0}, Removers: []int{1}, Present: true}},
				Largest:   []inspect.File{{Path: "/f", Size: 5, Layer: 1}},
			},
		},
		{
			name: "a path twice in one tar is self-shadowed",
			layers: [][]e{
				{{Name: "f", Body: "aaa"}, {Name: "f", Body: "bb"}},
			},
			want: inspect.Result{
				Content: 2, TotalAdded: 5, SelfShadowed: 3,
				Layers:    []inspect.LayerBytes{{Index: 0, Added: 5, Wasted: 0, Lost: 0}},
				TopWasted: []inspect.Wasted{},
				Largest:   []inspect.File{{Path: "/f", Size: 2, Layer: 0}},
			},
		},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ls []ggcr.Layer
			for _, entries := range tt.layers {
				ls = append(ls, imagetest.Layer(t, imagetest.Gzip, entries...))
			}
			ref := host + "/inspect:" + string(rune('a'+i))
			regtest.Push(t, ref, imagetest.Image(t, imagetest.OCI, ls...))
			img, err := pull.Pull(context.Background(), ref, pull.Options{Store: layers.DiscardStore()})
			if err != nil {
				t.Fatal(err)
			}
			got, err := inspect.Image(img)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			want.Efficiency = 1
			if want.TotalAdded > 0 {
				want.Efficiency = float64(want.Content) / float64(want.TotalAdded)
			}
			if !reflect.DeepEqual(*got, want) {
				t.Errorf("got  %+v\nwant %+v", *got, want)
			}
		})
	}
}

// The top lists keep the greatest n, largest first, ties in path order.
func TestComputeTop(t *testing.T) {
	fsys := layers.NewFS()
	cs := &layers.ChangeSet{}
	for _, f := range []struct {
		p string
		n int64
	}{{"/a", 1}, {"/b", 5}, {"/c", 3}, {"/d", 5}, {"/e", 2}} {
		cs.Entries = append(cs.Entries, &layers.Entry{Path: f.p, Type: layers.TypeFile, Mode: 0o644, Size: f.n})
	}
	if _, err := fsys.Apply(0, cs); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		top  int
		want []inspect.File
	}{
		{0, []inspect.File{}},
		{1, []inspect.File{{Path: "/b", Size: 5, Layer: 0}}},
		{3, []inspect.File{{Path: "/b", Size: 5, Layer: 0}, {Path: "/d", Size: 5, Layer: 0}, {Path: "/c", Size: 3, Layer: 0}}},
		{9, []inspect.File{{Path: "/b", Size: 5, Layer: 0}, {Path: "/d", Size: 5, Layer: 0}, {Path: "/c", Size: 3, Layer: 0}, {Path: "/e", Size: 2, Layer: 0}, {Path: "/a", Size: 1, Layer: 0}}},
	} {
		r, err := inspect.Compute(fsys, []pull.Layer{{Changes: cs}}, tt.top)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(r.Largest, tt.want) {
			t.Errorf("top %d: %v, want %v", tt.top, r.Largest, tt.want)
		}
		if r.Content != 16 || r.TotalAdded != 16 || r.Efficiency != 1 {
			t.Errorf("top %d: content %d added %d efficiency %v, want 16 16 1", tt.top, r.Content, r.TotalAdded, r.Efficiency)
		}
	}
}

// A history naming a layer beyond the list given is an error, not a panic.
func TestComputeLayerMismatch(t *testing.T) {
	fsys := layers.NewFS()
	for i, cs := range []*layers.ChangeSet{
		{Entries: []*layers.Entry{{Path: "/f", Type: layers.TypeFile, Size: 1}}},
		{Entries: []*layers.Entry{{Path: "/f", Type: layers.TypeWhiteout}}},
	} {
		if _, err := fsys.Apply(i, cs); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := inspect.Compute(fsys, make([]pull.Layer, 1), 5); err == nil {
		t.Fatal("no error for a history naming layer 1 of 1")
	}
}
