package pull_test

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/opencontainers/go-digest"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/tartest"
	"github.com/regscope/regscope/pkg/layers"
	"github.com/regscope/regscope/pkg/pull"
)

// memIndexes keeps layer indexes encoded, as a browser's storage would,
// and records what the pull asked of it.
type memIndexes struct {
	mu      sync.Mutex
	kept    map[string][]byte
	dropped []string
}

func (m *memIndexes) key(blob, diffID digest.Digest) string {
	return string(blob) + " " + string(diffID)
}

func (m *memIndexes) LayerIndex(blob, diffID digest.Digest) (*pull.LayerIndex, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.kept[m.key(blob, diffID)]
	if !ok {
		return nil, false
	}
	x := &pull.LayerIndex{Source: "memory"}
	if err := x.UnmarshalBinary(b); err != nil {
		delete(m.kept, m.key(blob, diffID))
		m.dropped = append(m.dropped, err.Error())
		return nil, false
	}
	return x, true
}

func (m *memIndexes) PutLayerIndex(blob, diffID digest.Digest, x *pull.LayerIndex) {
	b, err := x.MarshalBinary()
	if err != nil {
		panic(err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.kept[m.key(blob, diffID)] = b
}

func (m *memIndexes) DropLayerIndex(blob, diffID digest.Digest, note string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.kept, m.key(blob, diffID))
	m.dropped = append(m.dropped, note)
}

// listing is every path of the image with its type, mode, size, owner,
// link and modification time.
func listing(t *testing.T, img *pull.Image) []string {
	t.Helper()
	var out []string
	err := fs.WalkDir(img.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		e, err := img.FS.Lstat("/" + p)
		if err != nil {
			return err
		}
		out = append(out, fmt.Sprintf("%s %s %v %d %d:%d %s %s layer %d", e.Path, e.Type, e.Mode, e.Size, e.UID, e.GID, e.Link, e.ModTime.UTC(), e.Layer))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// indexedImage pushes a two-layer image (gzip and zstd, with a hardlink
// inside a layer and one across layers) behind a recording Faults.
func indexedImage(t *testing.T) (*regtest.Faults, string, []digest.Digest) {
	f := &regtest.Faults{}
	host := regtest.GGCRWith(t, f.Wrap)
	img := imagetest.Image(t, imagetest.OCI,
		imagetest.Layer(t, imagetest.Gzip,
			tartest.Entry{Name: "etc/", Type: tar.TypeDir},
			tartest.Entry{Name: "etc/os-release", Body: "ID=indexed\n"},
			tartest.Entry{Name: "etc/motd", Body: "hello\n"},
			tartest.Entry{Name: "etc/link", Type: tar.TypeLink, Link: "etc/motd"}),
		imagetest.Layer(t, imagetest.Zstd,
			tartest.Entry{Name: "etc/.wh.motd"},
			tartest.Entry{Name: "usr/bin/tool", Body: strings.Repeat("tool ", 1000), Mode: 0o755},
			tartest.Entry{Name: "usr/bin/alias", Type: tar.TypeLink, Link: "usr/bin/tool"},
			tartest.Entry{Name: "etc/again", Type: tar.TypeLink, Link: "etc/os-release"}),
	)
	ref := host + "/indexed:1"
	regtest.Push(t, ref, img)
	return f, ref, imagetest.LayerDigests(t, img)
}

// A second pull lists the layers from their kept indexes without a blob
// request, lists the same, says so in its Checks, and reads each file's
// bytes from the blob again, verified, when first asked for.
func TestPullRestoresLayerIndexes(t *testing.T) {
	f, ref, ds := indexedImage(t)
	idx := &memIndexes{kept: map[string][]byte{}}
	first := pullOK(t, ref, pull.Options{Indexes: idx})
	if len(idx.kept) != 2 {
		t.Fatalf("%d indexes kept after the first pull, want 2", len(idx.kept))
	}
	gets := func() int { return len(f.Seen(regtest.BlobPath(ds[0]))) + len(f.Seen(regtest.BlobPath(ds[1]))) }
	before := gets()

	var events []string
	second := pullOK(t, ref, pull.Options{Indexes: idx, Progress: func(e pull.Event) {
		if e.Layer >= 0 && e.Message != "" {
			events = append(events, fmt.Sprintf("layer %d: %s", e.Layer, e.Message))
		}
	}})
	if n := gets() - before; n != 0 {
		t.Errorf("the second pull made %d layer blob requests, want 0", n)
	}
	slices.Sort(events) // layers are listed concurrently
	if want := []string{"layer 0: index from memory", "layer 1: index from memory"}; !slices.Equal(events, want) {
		t.Errorf("events %q, want %q", events, want)
	}
	if a, b := listing(t, first), listing(t, second); !slices.Equal(a, b) {
		t.Errorf("second listing\n%s\nwant\n%s", strings.Join(b, "\n"), strings.Join(a, "\n"))
	}
	for i, l := range second.Layers {
		if l.FromIndex != "memory" || l.DiffID != first.Layers[i].DiffID || l.UncompressedSize != first.Layers[i].UncompressedSize {
			t.Errorf("layer %d: FromIndex %q, DiffID %s, size %d; want memory, %s, %d", i, l.FromIndex, l.DiffID, l.UncompressedSize, first.Layers[i].DiffID, first.Layers[i].UncompressedSize)
		}
	}
	want := "all 6 digests verified (the manifest, the config, 2 layer blobs, 2 DiffIDs); layer 0, layer 1 verified when first pulled; index from memory"
	if got := second.Checks.String(); got != want {
		t.Errorf("Checks = %q\nwant     %q", got, want)
	}
	if c := second.Checks[2]; c.What != "layer 0 blob" || c.How != "verified when first pulled; index from memory" {
		t.Errorf("check %+v", c)
	}
	if first.Checks.String() != "all 6 digests verified (the manifest, the config, 2 layer blobs, 2 DiffIDs)" {
		t.Errorf("first Checks = %q", first.Checks)
	}

	for name, body := range map[string]string{"usr/bin/alias": strings.Repeat("tool ", 1000), "etc/again": "ID=indexed\n",
		"etc/os-release": "ID=indexed\n", "etc/link": "hello\n"} {
		if got := readFile(t, second, name); got != body {
			t.Errorf("%s = %q, want %q", name, got, body)
		}
	}
	if n := gets() - before; n != 2 {
		t.Errorf("reading files of both layers made %d blob requests, want 2 (each layer once)", n)
	}
	if len(idx.dropped) != 0 {
		t.Errorf("dropped %q", idx.dropped)
	}
}

// A file of a restored layer whose blob no longer verifies fails to read;
// it never answers with other bytes.
func TestRestoredLayerReadFailsUnverified(t *testing.T) {
	f, ref, ds := indexedImage(t)
	idx := &memIndexes{kept: map[string][]byte{}}
	pullOK(t, ref, pull.Options{Indexes: idx})
	img := pullOK(t, ref, pull.Options{Indexes: idx})
	f.Add(regtest.Fault{Kind: regtest.Corrupt, Path: regtest.BlobPath(ds[1]), Offset: 10})
	_, err := fs.ReadFile(img.FS, "usr/bin/tool")
	prefix := "readfile usr/bin/tool: layer 1 (" + string(ds[1]) + "): reading layer (application/vnd.oci.image.layer.v1.tar+zstd): blob " + string(ds[1]) + ": digest mismatch: want " + string(ds[1]) + ", got sha256:"
	if err == nil || !strings.HasPrefix(err.Error(), prefix) {
		t.Fatalf("read of a corrupted restored layer: %v", err)
	}
	if got := readFile(t, img, "etc/os-release"); got != "ID=indexed\n" {
		t.Errorf("layer 0 read %q", got)
	}
}

// An index that does not decode, or is not the DiffID's, is dropped with
// its note and the layer pulled from its blob.
func TestBadLayerIndexDropped(t *testing.T) {
	f, ref, ds := indexedImage(t)
	idx := &memIndexes{kept: map[string][]byte{}}
	first := pullOK(t, ref, pull.Options{Indexes: idx})
	var keys []string
	for k := range idx.kept {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if strings.HasPrefix(k, string(ds[0])) {
			idx.kept[k] = []byte(`{"v":1,"stats":{"DiffID":"sha256:x"},"entries":[]}`)
		} else {
			x := &pull.LayerIndex{}
			if err := x.UnmarshalBinary(idx.kept[k]); err != nil {
				t.Fatal(err)
			}
			x.Stats.DiffID = first.Layers[0].DiffID
			idx.kept[k], _ = x.MarshalBinary()
		}
	}
	before := len(f.Seen("/blobs/"))
	img := pullOK(t, ref, pull.Options{Indexes: idx})
	want := []string{
		"layer index " + string(ds[1]) + " is not that of DiffID " + string(first.Layers[1].DiffID) + " and was dropped",
		`not a layer index: DiffID: invalid checksum digest length`,
	}
	slices.Sort(idx.dropped)
	if !slices.Equal(idx.dropped, want) {
		t.Errorf("dropped %q\nwant    %q", idx.dropped, want)
	}
	if n := len(f.Seen("/blobs/")) - before; n != 3 {
		t.Errorf("%d blob requests, want 3 (the config and both layers)", n)
	}
	if a, b := listing(t, first), listing(t, img); !slices.Equal(a, b) {
		t.Errorf("listing after the drop differs")
	}
	if len(idx.kept) != 2 || img.Layers[0].FromIndex != "" {
		t.Errorf("%d indexes kept again, layer 0 from %q", len(idx.kept), img.Layers[0].FromIndex)
	}
}

// The encoding keeps every field but the contents, and refuses what no
// layer could have produced.
func TestLayerIndexEncoding(t *testing.T) {
	for _, c := range []struct{ doc, err string }{
		{`{"v":2}`, "not a layer index: version 2, want 1"},
		{`[`, "not a layer index: unexpected end of JSON input"},
		{`{"v":1,"stats":{"DiffID":"sha256:` + strings.Repeat("0", 64) + `"},"entries":[{"p":"/a/../b","t":0}]}`, `not a layer index: entry 0: path "/a/../b" is not clean and absolute`},
		{`{"v":1,"stats":{"DiffID":"sha256:` + strings.Repeat("0", 64) + `"},"entries":[{"p":"/a","t":9}]}`, `not a layer index: entry 0 (/a): unknown type 9`},
		{`{"v":1,"stats":{"DiffID":"sha256:` + strings.Repeat("0", 64) + `"},"entries":[{"p":"/a","t":1,"c":true}]}`, `not a layer index: entry 0 (/a): a dir has no content of its own`},
		{`{"v":1,"stats":{"DiffID":"sha256:` + strings.Repeat("0", 64) + `"},"entries":[{"p":"/a","t":0,"s":-1}]}`, `not a layer index: entry 0 (/a): negative size -1`},
	} {
		var x pull.LayerIndex
		if err := x.UnmarshalBinary([]byte(c.doc)); err == nil || err.Error() != c.err {
			t.Errorf("%s: %v, want %s", c.doc, err, c.err)
		}
	}
	cs, st, err := layers.Read(bytes.NewReader(tartest.Layer(t, []tartest.Entry{
		{Name: "f", Body: "abc", Mode: 0o640, Uname: "u"},
		{Name: "l", Type: tar.TypeSymlink, Link: "f"}})), "", nil, layers.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := (&pull.LayerIndex{Changes: cs, Stats: st}).MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var x pull.LayerIndex
	if err := x.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if x.Stats != st || len(x.Changes.Entries) != 2 {
		t.Fatalf("decoded %+v, want %+v", x.Stats, st)
	}
	for i, e := range x.Changes.Entries {
		w := *cs.Entries[i]
		if e.Content != nil && e.Content.Size() != w.Content.Size() {
			t.Errorf("entry %d content size %d", i, e.Content.Size())
		}
		g := *e
		g.Content, w.Content = nil, nil
		if !g.ModTime.Equal(w.ModTime) {
			t.Errorf("entry %d ModTime %v, want %v", i, g.ModTime, w.ModTime)
		}
		g.ModTime = w.ModTime
		if g != w {
			t.Errorf("entry %d = %+v, want %+v", i, g, w)
		}
	}
}
