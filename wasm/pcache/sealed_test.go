package pcache

import (
	"archive/tar"
	"bytes"
	"slices"
	"testing"

	"github.com/opencontainers/go-digest"

	"github.com/regscope/regscope/pkg/layers"
	"github.com/regscope/regscope/pkg/pull"
)

func sealedCache(t *testing.T) (*Transport, *memStore, *[]string) {
	st := &memStore{kept: map[string][]byte{}}
	var notes []string
	return &Transport{Store: st, MAC: HMAC("test key"), OnDrop: func(n string) { notes = append(notes, n) }}, st, &notes
}

// testIndex is the index of a one-file layer.
func testIndex(t *testing.T) *pull.LayerIndex {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	tw.WriteHeader(&tar.Header{Name: "etc/motd", Mode: 0o644, Size: 6, Typeflag: tar.TypeReg})
	tw.Write([]byte("hello\n"))
	tw.Close()
	cs, st, err := layers.Read(&b, "", nil, layers.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return &pull.LayerIndex{Changes: cs, Stats: st}
}

var (
	blob   = digest.FromString("blob")
	diffID = digest.FromString("diffid")
)

// A kept index comes back MAC-checked and decoded, counted in the usage.
func TestLayerIndexKept(t *testing.T) {
	c, _, notes := sealedCache(t)
	x := c.LayerIndexes("r.example")
	want := testIndex(t)
	x.PutLayerIndex(blob, diffID, want)
	got, ok := x.LayerIndex(blob, diffID)
	if !ok || got.Source != "the verified cache (MAC checked)" || got.Stats != want.Stats || len(got.Changes.Entries) != 1 || got.Changes.Entries[0].Path != "/etc/motd" || got.Changes.Entries[0].Content.Size() != 6 {
		t.Fatalf("LayerIndex = %+v, %v", got, ok)
	}
	if _, ok := x.LayerIndex(blob, digest.FromString("other")); ok {
		t.Error("an index was returned for another DiffID")
	}
	if _, ok := c.LayerIndexes("other.example").LayerIndex(blob, diffID); ok {
		t.Error("an index was returned for another registry")
	}
	if u, _ := c.Usage(false); u.Entries != 1 || u.Bytes == 0 || u.Dropped != 0 || len(*notes) != 0 {
		t.Errorf("usage %+v, notes %q", u, *notes)
	}
	if u, _ := c.Usage(true); u.Entries != 0 {
		t.Errorf("after clearing, usage %+v", u)
	}
	if _, ok := x.LayerIndex(blob, diffID); ok {
		t.Error("an index was returned after clearing")
	}
}

// A tampered, truncated or moved index fails its MAC; one whose MAC checks
// out but that does not decode is dropped too. Each is reported once.
func TestLayerIndexTamperedDropped(t *testing.T) {
	name := "r.example/layer-index/" + string(blob) + "/" + string(diffID)
	for _, c := range []struct {
		what   string
		change func(c *Transport, st *memStore)
		note   string
	}{
		{"a byte changed", func(_ *Transport, st *memStore) { st.kept[name][40] ^= 1 },
			"layer index " + string(blob) + " failed its MAC check and was dropped"},
		{"truncated", func(_ *Transport, st *memStore) { st.kept[name] = st.kept[name][:10] },
			"layer index " + string(blob) + " failed its MAC check and was dropped"},
		{"sealed under another name", func(c *Transport, st *memStore) {
			other := "r.example/layer-index/" + string(blob) + "/" + string(digest.FromString("x"))
			c.PutSealed(other, st.kept[name][macSize:])
			st.kept[name] = st.kept[other]
		}, "layer index " + string(blob) + " failed its MAC check and was dropped"},
		{"sealed but not an index", func(c *Transport, _ *memStore) { c.PutSealed(name, []byte(`{"v":1}`)) },
			"layer index " + string(blob) + " did not decode (not a layer index: DiffID: invalid checksum digest format) and was dropped"},
	} {
		t.Run(c.what, func(t *testing.T) {
			tc, st, notes := sealedCache(t)
			x := tc.LayerIndexes("r.example")
			x.PutLayerIndex(blob, diffID, testIndex(t))
			c.change(tc, st)
			if got, ok := x.LayerIndex(blob, diffID); ok {
				t.Fatalf("a %s index was returned: %+v", c.what, got)
			}
			if !slices.Equal(*notes, []string{c.note}) {
				t.Errorf("notes %q, want %q", *notes, c.note)
			}
			if _, ok := st.kept[name]; ok {
				t.Error("the entry is still kept")
			}
			if u, _ := tc.Usage(false); u.Dropped != 1 || u.Note != c.note {
				t.Errorf("usage %+v", u)
			}
			if _, ok := x.LayerIndex(blob, diffID); ok || len(*notes) != 1 {
				t.Errorf("asked again: ok %v, notes %q", ok, *notes)
			}
		})
	}
}

// Without a MAC, nothing is kept under a name.
func TestNoMACNoSealedEntries(t *testing.T) {
	c, st, _ := sealedCache(t)
	c.MAC = nil
	c.LayerIndexes("r.example").PutLayerIndex(blob, diffID, testIndex(t))
	if len(st.kept) != 0 {
		t.Errorf("kept %d entries without a MAC", len(st.kept))
	}
}

// Sealed entries share the budget with blobs, least recently used first.
func TestSealedEntriesEvicted(t *testing.T) {
	c, st, _ := sealedCache(t)
	c.Budget = 3 * (macSize + 4)
	for _, n := range []string{"a", "b", "c", "d"} {
		c.PutSealed(n, []byte("body"))
		if n == "b" {
			c.Sealed("a", "a") // a is now used after b
		}
	}
	keys, _ := st.Keys()
	if want := []string{"a", "c", "d"}; !slices.Equal(keys, want) {
		t.Errorf("kept %q, want %q", keys, want)
	}
}
