package manifest

import (
	"errors"
	"reflect"
	"testing"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// FuzzParse feeds Parse arbitrary bodies and content types. Parse must not
// panic, must fail with one of its sentinels, and what it accepts must hold
// the promises callers rely on.
func FuzzParse(f *testing.F) {
	f.Add(index(f, MediaTypeOCIIndex, true, entry(f, "a", "linux/amd64"), attestation(f, "b", dg("a"))), MediaTypeOCIIndex)
	f.Add(imageManifest(f, MediaTypeDockerV2, true, 2), "application/json")
	f.Add(imageManifest(f, MediaTypeOCIManifest, false, 1), "")
	f.Add(schema1Body(f, schema1Chain(f)...), MediaTypeDockerV1)
	f.Add([]byte(`{"schemaVersion":1,"fsLayers":[{"blobSum":"x"}],"history":[{"v1Compatibility":"{}"}],"signatures":[{"protected":"e30"}]}`), MediaTypeDockerV1Signed)
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		m, err := Parse(body, contentType)
		if err != nil {
			if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrUnsupported) {
				t.Fatalf("error wraps no sentinel: %v", err)
			}
			return
		}
		n := 0
		if m.Index != nil {
			n++
			for _, d := range m.Index.Manifests {
				if d.Digest.Validate() != nil || d.Size < 0 {
					t.Fatalf("accepted bad entry %+v", d)
				}
			}
			for _, p := range Platforms(m.Index) {
				_ = FormatPlatform(p)
			}
			_, _ = Select(m.Index, DefaultPlatform())
		}
		if m.Image != nil {
			n++
			if m.Image.Config.Digest.Validate() != nil || m.Image.SchemaVersion != 2 {
				t.Fatalf("accepted bad config %+v", m.Image.Config)
			}
			for _, d := range m.Image.Layers {
				if d.Digest.Validate() != nil || d.Size < 0 {
					t.Fatalf("accepted bad layer %+v", d)
				}
			}
		}
		if s := m.Schema1; s != nil {
			n++
			layers := s.Layers()
			for _, d := range layers {
				if d.Digest.Validate() != nil || d.Size != -1 {
					t.Fatalf("bad schema1 layer %+v", d)
				}
			}
			cfg, err := s.Config()
			if err != nil {
				t.Fatalf("accepted schema1 whose config fails: %v", err)
			}
			if cfg.RootFS.Type != "layers" || cfg.OS == "" {
				t.Fatalf("synthesised config %+v", cfg)
			}
			nonEmpty := 0
			for _, h := range cfg.History {
				if !h.EmptyLayer {
					nonEmpty++
				}
			}
			if nonEmpty != len(layers) {
				t.Fatalf("%d non-empty history entries for %d layers", nonEmpty, len(layers))
			}
			if s.Digest().Validate() != nil {
				t.Fatal("bad schema1 digest")
			}
		}
		if n != 1 || !IsManifestType(m.MediaType) {
			t.Fatalf("%d kinds set, MediaType %q", n, m.MediaType)
		}
	})
}

// FuzzParseConfig feeds ParseConfig arbitrary bodies.
func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(dockerConfig))
	f.Add([]byte(`{"rootfs":{"type":"layers","diff_ids":[]},"history":[{"empty_layer":true}]}`))
	f.Add([]byte(`{"rootfs":{"type":"layers","diff_ids":["sha256:00"]}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		img, err := ParseConfig(body)
		if err != nil {
			if !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("error wraps no sentinel: %v", err)
			}
			return
		}
		if img.RootFS.Type != "layers" {
			t.Fatalf("accepted rootfs.type %q", img.RootFS.Type)
		}
		for _, d := range img.RootFS.DiffIDs {
			if d.Validate() != nil {
				t.Fatalf("accepted diff_id %q", d)
			}
		}
		n := len(img.RootFS.DiffIDs)
		if lh := LayerHistory(img, n); len(lh) != n && !(n == 0 && lh == nil) {
			t.Fatalf("LayerHistory returned %d entries for %d layers", len(lh), n)
		}
	})
}

// FuzzParsePlatform checks that ParsePlatform never panics and that what it
// accepts formats to a string that parses back to the same platform.
func FuzzParsePlatform(f *testing.F) {
	for _, s := range []string{"", "linux/arm64/v8", "Linux/AArch64", "arm64", "windows", "linux/arm/7", "a/b/c/d", "linux/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePlatform(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidPlatform) {
				t.Fatalf("error wraps no sentinel: %v", err)
			}
			return
		}
		if p.OS == "" || p.Architecture == "" {
			t.Fatalf("ParsePlatform(%q) = %+v", s, p)
		}
		again, err := ParsePlatform(FormatPlatform(p))
		if err != nil || !reflect.DeepEqual(again, p) {
			t.Fatalf("ParsePlatform(%q) = %+v; formatted %q parses to %+v, %v", s, p, FormatPlatform(p), again, err)
		}
		if !reflect.DeepEqual(Normalize(p), Normalize(Normalize(p))) {
			t.Fatalf("Normalize not idempotent on %+v", p)
		}
		_, _ = Select(&v1.Index{Manifests: []v1.Descriptor{{Digest: dg("x"), Platform: &p}}}, p)
	})
}
