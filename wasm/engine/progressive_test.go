package engine

import (
	"context"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/tartest"
	"github.com/regscope/regscope/pkg/pull"
	"github.com/regscope/regscope/wasm/msg"
)

// names lists the paths of dir as the engine answers now.
func names(t *testing.T, e *Engine, dir string) []string {
	t.Helper()
	r, err := e.List(msg.ListRequest{Source: msg.Source{Dir: dir}})
	if err != nil {
		t.Fatalf("List %s: %v", dir, err)
	}
	var out []string
	for _, en := range r.Entries {
		out = append(out, en.Path+"@"+string(rune('0'+en.Layer)))
	}
	return out
}

// A progressive pull answers about each layer as it is merged, in order,
// and ends with the same answers as a pull that was not progressive.
func TestProgressive(t *testing.T) {
	host := regtest.GGCR(t)
	ref := host + "/t/progressive:1"
	regtest.Push(t, ref, imagetest.Image(t, imagetest.OCI,
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "etc/os-release", Body: "ID=one\n"}, tartest.Entry{Name: "a", Body: "a"}),
		imagetest.Layer(t, imagetest.Zstd, tartest.Entry{Name: "etc/os-release", Body: "ID=two\n"}, tartest.Entry{Name: ".wh.a"}),
		imagetest.Layer(t, imagetest.None, tartest.Entry{Name: "b", Body: "b"})))

	e := &Engine{}
	var events []msg.Merged
	var seen [][]string
	var text []string
	opts := pull.Options{}
	e.Progressive(&opts, msg.StorageMemory, func() bool { return true }, func(m msg.Merged) {
		events = append(events, m)
		seen = append(seen, names(t, e, "/"))
		r, c, err := e.Open(msg.ReadRequest{Path: "/etc/os-release", Limit: -1})
		if err != nil {
			t.Fatalf("Open after layer %d: %v", m.Layers-1, err)
		}
		b, _ := io.ReadAll(io.NewSectionReader(c, r.Offset, r.N))
		text = append(text, string(b))
	})
	img, err := pull.Pull(context.Background(), ref, opts)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"/a@0", "/etc@0"},
		{"/etc@0"},
		{"/b@2", "/etc@0"},
	}
	if !slices.EqualFunc(seen, want, slices.Equal) {
		t.Errorf("rows as layers merge = %v, want %v", seen, want)
	}
	if !slices.Equal(text, []string{"ID=one\n", "ID=two\n", "ID=two\n"}) {
		t.Errorf("/etc/os-release as layers merge = %q", text)
	}
	for i, m := range events {
		if m.Layers != i+1 || m.Total != 3 || m.Layer.Index != i || m.Layer.DiffID != string(img.Layers[i].DiffID) || m.Storage != msg.StorageMemory {
			t.Errorf("event %d = %+v", i, m)
		}
	}
	if events[2].Files != img.FS.Len() {
		t.Errorf("last event counts %d files, the image has %d", events[2].Files, img.FS.Len())
	}
	plain := &Engine{}
	whole, err := pull.Pull(context.Background(), ref, pull.Options{})
	if err != nil {
		t.Fatal(err)
	}
	plain.SetImage(whole)
	if got, want := strings.Join(names(t, e, "/etc"), " "), strings.Join(names(t, plain, "/etc"), " "); got != want {
		t.Errorf("progressive /etc = %s, plain = %s", got, want)
	}
}
