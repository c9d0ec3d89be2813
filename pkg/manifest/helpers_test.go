package manifest

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	digest "github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/specs-go"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// dg returns the sha256 digest of s, a convenient valid digest for fixtures.
func dg(s string) digest.Digest { return digest.FromString(s) }

// mustJSON marshals v or fails the test.
func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// imageManifest builds an image manifest body of the given media type
// (written into the body when withMediaType) with n layers.
func imageManifest(t testing.TB, mediaType string, withMediaType bool, n int) []byte {
	t.Helper()
	layerType, configType := MediaTypeOCILayerGzip, MediaTypeOCIConfig
	if mediaType == MediaTypeDockerV2 {
		layerType, configType = MediaTypeDockerLayer, MediaTypeDockerConfig
	}
	m := v1.Manifest{
		Versioned: specs.Versioned{SchemaVersion: 2},
		Config:    v1.Descriptor{MediaType: configType, Digest: dg("config"), Size: 1234},
		Layers:    []v1.Descriptor{},
	}
	if withMediaType {
		m.MediaType = mediaType
	}
	for i := range n {
		m.Layers = append(m.Layers, v1.Descriptor{MediaType: layerType, Digest: dg("layer" + string(rune('a'+i))), Size: int64(100 + i)})
	}
	return mustJSON(t, m)
}

// index builds an index body of the given media type with the given platforms
// (nil platform entries allowed).
func index(t testing.TB, mediaType string, withMediaType bool, entries ...v1.Descriptor) []byte {
	t.Helper()
	idx := v1.Index{Versioned: specs.Versioned{SchemaVersion: 2}, Manifests: entries}
	if idx.Manifests == nil {
		idx.Manifests = []v1.Descriptor{}
	}
	if withMediaType {
		idx.MediaType = mediaType
	}
	return mustJSON(t, idx)
}

// entry is an index entry for platform "os/arch[/variant]" (or nil when p is "").
func entry(t testing.TB, name, p string) v1.Descriptor {
	t.Helper()
	d := v1.Descriptor{MediaType: MediaTypeOCIManifest, Digest: dg(name), Size: 500}
	if p != "" {
		parts := strings.Split(p, "/")
		plat := &v1.Platform{OS: parts[0], Architecture: parts[1]}
		if len(parts) > 2 {
			plat.Variant = parts[2]
		}
		d.Platform = plat
	}
	return d
}

// attestation is an index entry as BuildKit writes one for an image's provenance.
func attestation(t testing.TB, name string, of digest.Digest) v1.Descriptor {
	t.Helper()
	d := entry(t, name, "unknown/unknown")
	d.Annotations = map[string]string{
		AnnotationReferenceType:       "attestation-manifest",
		"vnd.docker.reference.digest": string(of),
	}
	return d
}

// checkErr fails unless err matches want: nil when want is "", else an error
// whose text contains want and that wraps sentinel (when not nil).
func checkErr(t testing.TB, err error, want string, sentinel error) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("no error, want one containing %q", want)
	}
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q does not contain %q", err, want)
	}
	if sentinel != nil && !errors.Is(err, sentinel) {
		t.Fatalf("error %q does not wrap %v", err, sentinel)
	}
}
