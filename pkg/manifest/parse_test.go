package manifest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestParseKinds(t *testing.T) {
	ociIndex := index(t, MediaTypeOCIIndex, true, entry(t, "a", "linux/amd64"))
	ociIndexBare := index(t, MediaTypeOCIIndex, false, entry(t, "a", "linux/amd64"))
	dockerList := index(t, MediaTypeDockerList, true, entry(t, "a", "linux/amd64"))
	ociImage := imageManifest(t, MediaTypeOCIManifest, true, 2)
	ociImageBare := imageManifest(t, MediaTypeOCIManifest, false, 2)
	dockerV2 := imageManifest(t, MediaTypeDockerV2, true, 3)
	s1 := schema1Body(t, schema1Chain(t)...)

	tests := []struct {
		name        string
		body        []byte
		contentType string
		wantType    string
		wantKind    string // index, image, schema1
		wantBodyMT  string // the MediaType kept in the decoded struct
	}{
		{"oci index by content type", ociIndex, MediaTypeOCIIndex, MediaTypeOCIIndex, "index", MediaTypeOCIIndex},
		{"oci index without mediaType", ociIndexBare, MediaTypeOCIIndex, MediaTypeOCIIndex, "index", ""},
		{"docker list", dockerList, MediaTypeDockerList, MediaTypeDockerList, "index", MediaTypeDockerList},
		{"docker list, content type with parameters and case", dockerList, "Application/VND.Docker.Distribution.Manifest.List.V2+JSON; charset=utf-8", MediaTypeDockerList, "index", MediaTypeDockerList},
		{"oci manifest", ociImage, MediaTypeOCIManifest, MediaTypeOCIManifest, "image", MediaTypeOCIManifest},
		{"oci manifest without mediaType", ociImageBare, MediaTypeOCIManifest, MediaTypeOCIManifest, "image", ""},
		{"docker schema2", dockerV2, MediaTypeDockerV2, MediaTypeDockerV2, "image", MediaTypeDockerV2},
		{"empty content type: body mediaType decides", dockerV2, "", MediaTypeDockerV2, "image", MediaTypeDockerV2},
		{"application/json: body mediaType decides", dockerList, "application/json", MediaTypeDockerList, "index", MediaTypeDockerList},
		{"unknown content type: body mediaType decides", ociImage, "application/vnd.example.thing", MediaTypeOCIManifest, "image", MediaTypeOCIManifest},
		{"text/plain: shape manifests means index", ociIndexBare, "text/plain", MediaTypeOCIIndex, "index", ""},
		{"octet-stream: shape config means manifest", ociImageBare, "application/octet-stream", MediaTypeOCIManifest, "image", ""},
		{"empty: shape fsLayers means schema1", s1, "", MediaTypeDockerV1, "schema1", ""},
		{"schema1 by content type", s1, MediaTypeDockerV1, MediaTypeDockerV1, "schema1", ""},
		{"unsigned schema1 served as prettyjws", s1, MediaTypeDockerV1Signed, MediaTypeDockerV1Signed, "schema1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse(tt.body, tt.contentType)
			if err != nil {
				t.Fatal(err)
			}
			if m.MediaType != tt.wantType {
				t.Errorf("MediaType = %q, want %q", m.MediaType, tt.wantType)
			}
			var set []string
			if m.Index != nil {
				set = append(set, "index")
				if m.Index.MediaType != tt.wantBodyMT {
					t.Errorf("Index.MediaType = %q, want %q", m.Index.MediaType, tt.wantBodyMT)
				}
			}
			if m.Image != nil {
				set = append(set, "image")
				if m.Image.MediaType != tt.wantBodyMT {
					t.Errorf("Image.MediaType = %q, want %q", m.Image.MediaType, tt.wantBodyMT)
				}
			}
			if m.Schema1 != nil {
				set = append(set, "schema1")
			}
			if len(set) != 1 || set[0] != tt.wantKind {
				t.Fatalf("decoded as %v, want exactly [%s]", set, tt.wantKind)
			}
			if m.IsIndex() != (tt.wantKind == "index") {
				t.Errorf("IsIndex() = %v", m.IsIndex())
			}
		})
	}
}

func TestParseDockerV2KeepsMediaTypes(t *testing.T) {
	m, err := Parse(imageManifest(t, MediaTypeDockerV2, true, 2), MediaTypeDockerV2)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Image.Config.MediaType; got != MediaTypeDockerConfig {
		t.Errorf("config media type %q, want %q", got, MediaTypeDockerConfig)
	}
	for i, l := range m.Image.Layers {
		if l.MediaType != MediaTypeDockerLayer || l.Size != int64(100+i) || l.Digest != dg("layer"+string(rune('a'+i))) {
			t.Errorf("layers[%d] = %+v", i, l)
		}
	}
	if len(m.Warnings) != 0 {
		t.Errorf("warnings %v", m.Warnings)
	}
}

func TestParseZeroLayersIsLegalButNoted(t *testing.T) {
	m, err := Parse(imageManifest(t, MediaTypeOCIManifest, true, 0), MediaTypeOCIManifest)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Image.Layers) != 0 || len(m.Warnings) != 1 || !strings.Contains(m.Warnings[0], "no layers") {
		t.Fatalf("layers %d, warnings %q", len(m.Image.Layers), m.Warnings)
	}
}

// edit decodes a JSON object, lets f change it, and encodes it again.
func edit(t *testing.T, body []byte, f func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	f(m)
	return mustJSON(t, m)
}

func TestParseErrors(t *testing.T) {
	img := imageManifest(t, MediaTypeOCIManifest, true, 3)
	docker := imageManifest(t, MediaTypeDockerV2, true, 1)
	idx := index(t, MediaTypeOCIIndex, true, entry(t, "a", "linux/amd64"), entry(t, "b", "linux/arm64/v8"))
	layer := func(i int) func(m map[string]any) map[string]any {
		return func(m map[string]any) map[string]any { return m["layers"].([]any)[i].(map[string]any) }
	}
	manifestAt := func(i int) func(m map[string]any) map[string]any {
		return func(m map[string]any) map[string]any { return m["manifests"].([]any)[i].(map[string]any) }
	}
	set := func(body []byte, at func(map[string]any) map[string]any, key string, v any) []byte {
		return edit(t, body, func(m map[string]any) {
			if at != nil {
				m = at(m)
			}
			if v == nil {
				delete(m, key)
			} else {
				m[key] = v
			}
		})
	}
	config := func(m map[string]any) map[string]any { return m["config"].(map[string]any) }

	tests := []struct {
		name        string
		body        []byte
		contentType string
		want        string
		sentinel    error
	}{
		{"empty body", nil, MediaTypeOCIManifest, "body is empty", ErrInvalid},
		{"blank body", []byte(" \n"), "", "body is empty", ErrInvalid},
		{"not JSON", []byte("<html>nope</html>"), "text/html", "not a JSON object", ErrInvalid},
		{"JSON array", []byte(`[1,2]`), MediaTypeOCIManifest, "not a JSON object", ErrInvalid},
		{"too big", append([]byte(`{"x":"`), append(bytes.Repeat([]byte("a"), MaxManifestSize), `"}`...)...), "", "more than the", ErrInvalid},
		{"content type contradicts body", docker, MediaTypeOCIManifest, `Content-Type is "application/vnd.oci.image.manifest.v1+json" but the body's mediaType is "application/vnd.docker.distribution.manifest.v2+json"`, ErrInvalid},
		{"index type, manifest body", index(t, "", false, entry(t, "a", "linux/amd64")), MediaTypeOCIManifest, "shaped like an index", ErrInvalid},
		{"body mediaType contradicts shape", set(idx, nil, "mediaType", MediaTypeDockerV2), "", "shaped like an index", ErrInvalid},
		{"unknown body mediaType", set(img, nil, "mediaType", "application/vnd.oci.artifact.manifest.v1+json"), "application/json", `mediaType "application/vnd.oci.artifact.manifest.v1+json"`, ErrUnsupported},
		{"unrecognisable", []byte(`{"schemaVersion":2}`), "", "neither manifests", ErrUnsupported},
		{"mediaType not a string", []byte(`{"mediaType":5}`), "", "not a JSON object", ErrInvalid},
		{"schemaVersion 1 in OCI manifest", set(img, nil, "schemaVersion", 1), MediaTypeOCIManifest, "schemaVersion is 1, want 2", ErrInvalid},
		{"schemaVersion missing", set(img, nil, "schemaVersion", nil), MediaTypeOCIManifest, "schemaVersion is missing", ErrInvalid},
		{"schemaVersion 3 in index", set(idx, nil, "schemaVersion", 3), MediaTypeOCIIndex, "schemaVersion is 3, want 2", ErrInvalid},
		{"schemaVersion a string", set(img, nil, "schemaVersion", "2"), MediaTypeOCIManifest, "schemaVersion", ErrInvalid},
		{"config missing", set(img, nil, "config", nil), MediaTypeOCIManifest, "config is missing", ErrInvalid},
		{"config null", set(img, nil, "config", json.RawMessage("null")), MediaTypeOCIManifest, "config is missing", ErrInvalid},
		{"layers missing", set(img, nil, "layers", nil), MediaTypeOCIManifest, "layers is missing", ErrInvalid},
		{"manifests missing", set(idx, nil, "manifests", nil), MediaTypeOCIIndex, "manifests is missing", ErrInvalid},
		{"config digest missing", set(img, config, "digest", nil), MediaTypeOCIManifest, "config.digest is missing", ErrInvalid},
		{"config size negative", set(img, config, "size", -1), MediaTypeOCIManifest, "config.size is -1, must not be negative", ErrInvalid},
		{"layer digest malformed", set(img, layer(1), "digest", "sha256:xyz"), MediaTypeOCIManifest, `layers[1].digest "sha256:xyz"`, ErrInvalid},
		{"layer digest unknown algorithm", set(img, layer(2), "digest", "md5:d41d8cd98f00b204e9800998ecf8427e"), MediaTypeOCIManifest, `layers[2].digest "md5:`, ErrInvalid},
		{"layer digest short", set(img, layer(0), "digest", "sha256:abcd"), MediaTypeOCIManifest, `layers[0].digest "sha256:abcd"`, ErrInvalid},
		{"layer size negative", set(img, layer(2), "size", -5), MediaTypeOCIManifest, "layers[2].size is -5", ErrInvalid},
		{"layer size a string", set(img, layer(0), "size", "12"), MediaTypeOCIManifest, "size", ErrInvalid},
		{"layer url not http", set(img, layer(1), "urls", []string{"https://example.com/ok", "file:///etc/passwd"}), MediaTypeOCIManifest, `layers[1].urls[1] "file:///etc/passwd" is not an http(s) URL`, ErrInvalid},
		{"layer data wrong size", set(img, layer(0), "data", "aGVsbG8="), MediaTypeOCIManifest, "layers[0].data is 5 bytes but size is 100", ErrInvalid},
		{"index entry digest bad", set(idx, manifestAt(1), "digest", "sha256:"+strings.Repeat("Z", 64)), MediaTypeOCIIndex, "manifests[1].digest", ErrInvalid},
		{"index entry size negative", set(idx, manifestAt(0), "size", -2), MediaTypeOCIIndex, "manifests[0].size is -2", ErrInvalid},
		{"subject digest bad", set(img, nil, "subject", map[string]any{"mediaType": MediaTypeOCIManifest, "digest": "nope", "size": 1}), MediaTypeOCIManifest, `subject.digest "nope"`, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse(tt.body, tt.contentType)
			checkErr(t, err, tt.want, tt.sentinel)
			if m != nil {
				t.Fatalf("got a manifest with the error: %+v", m)
			}
		})
	}
}

func TestParseEmbeddedData(t *testing.T) {
	data := []byte("hello")
	body := []byte(fmt.Sprintf(`{"schemaVersion":2,"mediaType":%q,"config":{"mediaType":%q,"digest":%q,"size":5,"data":"aGVsbG8="},"layers":[]}`,
		MediaTypeOCIManifest, MediaTypeOCIConfig, dg(string(data))))
	m, err := Parse(body, "")
	if err != nil {
		t.Fatal(err)
	}
	if string(m.Image.Config.Data) != "hello" {
		t.Fatalf("config data %q", m.Image.Config.Data)
	}
	bad := bytes.Replace(body, []byte("aGVsbG8="), []byte("d29ybGQ="), 1) // "world": same size, other digest
	_, err = Parse(bad, "")
	checkErr(t, err, "config.data has digest", ErrInvalid)
}

func TestParseSHA512Digest(t *testing.T) {
	body := edit(t, imageManifest(t, MediaTypeOCIManifest, true, 1), func(m map[string]any) {
		m["layers"].([]any)[0].(map[string]any)["digest"] = "sha512:" + strings.Repeat("ab", 64)
	})
	if _, err := Parse(body, MediaTypeOCIManifest); err != nil {
		t.Fatal(err)
	}
}

func TestParseRefusesTooManyEntries(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"schemaVersion":2,"config":{"mediaType":"x","digest":"` + string(dg("c")) + `","size":1},"layers":[`)
	for i := range MaxEntries + 1 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("{}")
	}
	b.WriteString("]}")
	_, err := Parse([]byte(b.String()), "")
	checkErr(t, err, fmt.Sprintf("layers has %d entries, more than the %d allowed", MaxEntries+1, MaxEntries), ErrInvalid)

	var idx strings.Builder
	idx.WriteString(`{"schemaVersion":2,"manifests":[`)
	idx.WriteString(strings.TrimSuffix(strings.Repeat("{},", MaxEntries+5), ","))
	idx.WriteString("]}")
	_, err = Parse([]byte(idx.String()), MediaTypeOCIIndex)
	checkErr(t, err, "manifests has 100005 entries", ErrInvalid)
}

func TestCountElements(t *testing.T) {
	tests := []struct {
		raw  string
		want int
	}{
		{``, 0},
		{`null`, 0},
		{`"a,b"`, 0},
		{`{"a":1,"b":2}`, 0},
		{`[]`, 0},
		{`[ ]`, 0},
		{"[\n]", 0},
		{`[1]`, 1},
		{`[1,2,3]`, 3},
		{`[ {"a":[1,2,3],"b":{"c":","}} , "x,y\"]," ]`, 2},
		{`[[],[[]],{}]`, 3},
		{`["\\",","]`, 2},
	}
	for _, tt := range tests {
		if got := countElements(json.RawMessage(tt.raw)); got != tt.want {
			t.Errorf("countElements(%s) = %d, want %d", tt.raw, got, tt.want)
		}
	}
}

func TestAccept(t *testing.T) {
	want := []string{MediaTypeOCIIndex, MediaTypeDockerList, MediaTypeOCIManifest, MediaTypeDockerV2, MediaTypeDockerV1Signed, MediaTypeDockerV1}
	got := AcceptTypes()
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("AcceptTypes() = %q", got)
	}
	if !strings.HasSuffix(AcceptHeader, MediaTypeDockerV1) {
		t.Fatal("schema1 must come last")
	}
	got[0] = "mutated"
	if AcceptTypes()[0] != MediaTypeOCIIndex {
		t.Fatal("AcceptTypes shares its slice")
	}
	for _, mt := range want {
		if !IsManifestType(mt) {
			t.Errorf("IsManifestType(%q) = false", mt)
		}
	}
	for _, mt := range []string{MediaTypeOCIConfig, MediaTypeDockerLayer, "application/json", ""} {
		if IsManifestType(mt) {
			t.Errorf("IsManifestType(%q) = true", mt)
		}
	}
	nd := map[string]bool{MediaTypeDockerForeignLayer: true, MediaTypeOCILayerNonDist: true, MediaTypeOCILayerNonDistGzip: true, MediaTypeOCILayerNonDistZstd: true,
		MediaTypeDockerLayer: false, MediaTypeOCILayer: false, MediaTypeOCILayerGzip: false, MediaTypeOCILayerZstd: false}
	for mt, want := range nd {
		if IsNonDistributable(mt) != want {
			t.Errorf("IsNonDistributable(%q) = %v", mt, !want)
		}
	}
}
