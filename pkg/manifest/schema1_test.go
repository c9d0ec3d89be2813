package manifest

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	digest "github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// v1ID is a valid v1 image ID derived from name.
func v1ID(name string) string { return dg("id " + name).Encoded() }

// s1Layer describes one schema 1 layer for a fixture, top-first like the wire.
type s1Layer struct {
	id, parent string // names, turned into IDs by v1ID ("" stays "")
	blob       string // blob name, turned into a digest by dg
	cmd        []string
	throwaway  bool
	extra      map[string]any // merged into the v1Compatibility document
}

func (l s1Layer) v1Compatibility(t testing.TB) string {
	doc := map[string]any{
		"id":               v1ID(l.id),
		"created":          "2015-08-19T16:49:11.368300679Z",
		"container_config": map[string]any{"Cmd": l.cmd},
	}
	if l.parent != "" {
		doc["parent"] = v1ID(l.parent)
	}
	if l.throwaway {
		doc["throwaway"] = true
	}
	for k, v := range l.extra {
		if v == nil {
			delete(doc, k)
		} else {
			doc[k] = v
		}
	}
	return string(mustJSON(t, doc))
}

// schema1Chain is a realistic top-first chain: a throwaway CMD on top, a
// layer repeated consecutively, and a base.
func schema1Chain(t testing.TB) []s1Layer {
	return []s1Layer{
		{id: "D", parent: "C", blob: "empty", throwaway: true, cmd: []string{"/bin/sh", "-c", `#(nop) CMD ["sh"]`},
			extra: map[string]any{
				"architecture": "arm64", "variant": "v8", "author": "someone",
				"config": map[string]any{
					"Env": []string{"PATH=/usr/bin:/bin"}, "Cmd": []string{"sh"}, "Entrypoint": "/entry.sh",
					"WorkingDir": "/srv", "User": "1000", "Labels": map[string]string{"a": "b"},
					"ExposedPorts": map[string]any{"80/tcp": map[string]any{}}, "Volumes": map[string]any{"/data": map[string]any{}},
				},
			}},
		{id: "C", parent: "B", blob: "l2", cmd: []string{"/bin/sh", "-c", "apk add curl"}},
		{id: "C", parent: "B", blob: "l2", cmd: []string{"/bin/sh", "-c", "apk add curl"}},
		{id: "B", parent: "A", blob: "l1", cmd: []string{"/bin/sh", "-c", "#(nop) ADD file:abc in /"}},
		{id: "A", blob: "l0", extra: map[string]any{"container_config": nil}},
	}
}

// schema1Body builds an unsigned schema 1 manifest body, indented as
// Docker writes it.
func schema1Body(t testing.TB, layers ...s1Layer) []byte {
	t.Helper()
	w := schema1Wire{SchemaVersion: 1, Name: "library/busybox", Tag: "latest", Architecture: "amd64"}
	for _, l := range layers {
		w.FSLayers = append(w.FSLayers, FSLayer{BlobSum: dg(l.blob)})
		w.History = append(w.History, V1History{V1Compatibility: l.v1Compatibility(t)})
	}
	b, err := json.MarshalIndent(w, "", "   ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSchema1LayersAndConfig(t *testing.T) {
	body := schema1Body(t, schema1Chain(t)...)
	m, err := Parse(body, MediaTypeDockerV1)
	if err != nil {
		t.Fatal(err)
	}
	s := m.Schema1
	if s.Signed() || s.Name != "library/busybox" || s.Tag != "latest" || len(s.FSLayers) != 5 || len(s.History) != 5 {
		t.Fatalf("schema1 fields: %+v", s)
	}
	if string(s.Payload()) != string(body) || s.Digest() != digest.FromBytes(body) {
		t.Fatal("unsigned payload must be the body")
	}

	// Bottom-first, the repeated C collapsed, the throwaway D left out.
	var got []digest.Digest
	for _, l := range s.Layers() {
		if l.MediaType != MediaTypeDockerLayer || l.Size != -1 {
			t.Errorf("layer %+v: want docker tar.gzip with size -1", l)
		}
		got = append(got, l.Digest)
	}
	want := []digest.Digest{dg("l0"), dg("l1"), dg("l2")}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Layers() = %v, want %v", got, want)
	}

	cfg, err := s.Config()
	if err != nil {
		t.Fatal(err)
	}
	created := time.Date(2015, 8, 19, 16, 49, 11, 368300679, time.UTC)
	if cfg.OS != "linux" || cfg.Architecture != "arm64" || cfg.Variant != "v8" || cfg.Author != "someone" || !cfg.Created.Equal(created) {
		t.Errorf("platform/created: %+v", cfg)
	}
	wantConfig := v1.ImageConfig{
		User: "1000", Env: []string{"PATH=/usr/bin:/bin"}, Cmd: []string{"sh"}, Entrypoint: []string{"/entry.sh"},
		WorkingDir: "/srv", Labels: map[string]string{"a": "b"},
		ExposedPorts: map[string]struct{}{"80/tcp": {}}, Volumes: map[string]struct{}{"/data": {}},
	}
	if !reflect.DeepEqual(cfg.Config, wantConfig) {
		t.Errorf("Config = %+v\nwant     %+v", cfg.Config, wantConfig)
	}
	if cfg.RootFS.Type != "layers" || len(cfg.RootFS.DiffIDs) != 0 {
		t.Errorf("RootFS = %+v", cfg.RootFS)
	}
	wantHistory := []struct {
		createdBy string
		empty     bool
	}{
		{"", false},
		{"/bin/sh -c #(nop) ADD file:abc in /", false},
		{"/bin/sh -c apk add curl", false},
		{`/bin/sh -c #(nop) CMD ["sh"]`, true},
	}
	if len(cfg.History) != len(wantHistory) {
		t.Fatalf("History has %d entries, want %d: %+v", len(cfg.History), len(wantHistory), cfg.History)
	}
	for i, h := range cfg.History {
		if h.CreatedBy != wantHistory[i].createdBy || h.EmptyLayer != wantHistory[i].empty || !h.Created.Equal(created) {
			t.Errorf("History[%d] = %+v, want %+v", i, h, wantHistory[i])
		}
	}
	// The synthesised history lines up with the layers.
	lh := LayerHistory(cfg, len(s.Layers()))
	for i, h := range lh {
		if h == nil || h != &cfg.History[i] {
			t.Errorf("LayerHistory[%d] = %v", i, h)
		}
	}
	// The config round-trips through ParseConfig (it is a valid config).
	if _, err := ParseConfig(mustJSON(t, cfg)); err != nil {
		t.Errorf("synthesised config does not parse: %v", err)
	}
}

func TestSchema1ConfigDefaults(t *testing.T) {
	// No architecture in the v1 JSON: the manifest's own field is used; no os: linux.
	m, err := Parse(schema1Body(t, s1Layer{id: "A", blob: "a", extra: map[string]any{"architecture": nil}}), "")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := m.Schema1.Config()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.OS != "linux" || cfg.Architecture != "amd64" || len(cfg.History) != 1 || cfg.Config.Cmd != nil {
		t.Fatalf("%+v", cfg)
	}
	if m.MediaType != MediaTypeDockerV1 {
		t.Fatalf("MediaType %q", m.MediaType)
	}
}

func TestSchema1WindowsBaseMayHaveParent(t *testing.T) {
	l := s1Layer{id: "A", parent: "outside", blob: "a", extra: map[string]any{"os": "windows", "os.version": "10.0.17763.1"}}
	m, err := Parse(schema1Body(t, l), MediaTypeDockerV1)
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := m.Schema1.Config()
	if cfg.OS != "windows" || cfg.OSVersion != "10.0.17763.1" {
		t.Fatalf("%+v", cfg.Platform)
	}
	l.extra = nil
	_, err = Parse(schema1Body(t, l), MediaTypeDockerV1)
	checkErr(t, err, "history[0] is the base layer but has parent", ErrInvalid)
}

func TestSchema1Errors(t *testing.T) {
	chain := schema1Chain(t)
	with := func(i int, f func(l *s1Layer)) []s1Layer {
		c := schema1Chain(t)
		f(&c[i])
		return c
	}
	wire := func(f func(w map[string]any)) []byte {
		return edit(t, schema1Body(t, chain...), f)
	}
	tests := []struct {
		name string
		body []byte
		want string
	}{
		{"schemaVersion 2", wire(func(w map[string]any) { w["schemaVersion"] = 2 }), "schemaVersion is 2, want 1"},
		{"no fsLayers", wire(func(w map[string]any) { w["fsLayers"] = []any{}; w["history"] = []any{} }), "fsLayers is empty"},
		{"history shorter", wire(func(w map[string]any) { w["history"] = w["history"].([]any)[:4] }), "5 fsLayers but 4 history entries"},
		{"bad blobSum", wire(func(w map[string]any) { w["fsLayers"].([]any)[3].(map[string]any)["blobSum"] = "sha256:123" }), `fsLayers[3].blobSum "sha256:123"`},
		{"v1Compatibility not JSON", wire(func(w map[string]any) {
			w["history"].([]any)[2].(map[string]any)["v1Compatibility"] = "{nope"
		}), "history[2].v1Compatibility"},
		{"bad id", schema1Body(t, with(1, func(l *s1Layer) { l.extra = map[string]any{"id": "ABC"} })...), `history[1].v1Compatibility id "ABC"`},
		{"bad created", schema1Body(t, with(4, func(l *s1Layer) { l.extra = map[string]any{"created": "yesterday"} })...), `history[4].v1Compatibility created "yesterday"`},
		{"broken parent chain", schema1Body(t, with(3, func(l *s1Layer) { l.parent = "Z" })...), fmt.Sprintf("history[3] has parent %q, want %q", v1ID("Z"), v1ID("A"))},
		{"id repeated, not consecutively", schema1Body(t,
			s1Layer{id: "A", parent: "B", blob: "x"}, s1Layer{id: "B", parent: "A", blob: "y"}, s1Layer{id: "A", blob: "z"}),
			"history[0] and history[2] both have id"},
		{"cmd neither string nor list", schema1Body(t, with(0, func(l *s1Layer) { l.extra = map[string]any{"config": map[string]any{"Cmd": 5}} })...), "history[0].v1Compatibility"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.body, MediaTypeDockerV1)
			checkErr(t, err, tt.want, ErrInvalid)
		})
	}
}

func TestSchema1TooManyLayers(t *testing.T) {
	body := fmt.Sprintf(`{"schemaVersion":1,"fsLayers":[%s],"history":[]}`, strings.TrimSuffix(strings.Repeat(`{},`, MaxEntries+1), ","))
	_, err := Parse([]byte(body), "")
	checkErr(t, err, "fsLayers has 100001 entries", ErrInvalid)
}

func TestStrSlice(t *testing.T) {
	for in, want := range map[string][]string{`null`: nil, `"a b"`: {"a b"}, `["a","b"]`: {"a", "b"}, `[]`: {}} {
		var s strSlice
		if err := json.Unmarshal([]byte(in), &s); err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if !reflect.DeepEqual([]string(s), want) {
			t.Errorf("%s → %#v, want %#v", in, s, want)
		}
	}
	var s strSlice
	var ute *json.UnmarshalTypeError
	if err := json.Unmarshal([]byte(`{}`), &s); !errors.As(err, &ute) {
		t.Errorf("object: err %v", err)
	}
}
