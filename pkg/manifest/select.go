package manifest

import (
	"fmt"
	"strings"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// AnnotationReferenceType is the annotation BuildKit puts on the index entry
// of an attestation manifest (an SBOM or provenance, not a runnable image),
// with the value "attestation-manifest".
const AnnotationReferenceType = "vnd.docker.reference.type"

// IsAttestation reports whether an index entry is an attestation rather than
// an image: its platform is unknown/unknown, or it carries
// vnd.docker.reference.type: attestation-manifest.
func IsAttestation(d v1.Descriptor) bool {
	if d.Annotations[AnnotationReferenceType] == "attestation-manifest" {
		return true
	}
	return d.Platform != nil && d.Platform.OS == "unknown" && d.Platform.Architecture == "unknown"
}

// Platforms lists, in index order, the platforms of the entries an index
// offers as images: attestations and entries without a platform are left
// out. The platforms are as the index wrote them (not normalised).
func Platforms(idx *v1.Index) []v1.Platform {
	if idx == nil {
		return nil
	}
	var out []v1.Platform
	for _, d := range idx.Manifests {
		if d.Platform == nil || IsAttestation(d) {
			continue
		}
		p := *d.Platform
		if p.OSFeatures != nil {
			p.OSFeatures = append([]string(nil), p.OSFeatures...)
		}
		out = append(out, p)
	}
	return out
}

// Select picks the index entry to pull for the wanted platform, never an
// attestation. OS and architecture must match after normalisation
// (x86_64 ≡ amd64, aarch64 ≡ arm64, case folded). Then:
//
//   - a wanted variant matches the same variant, an exact spelling first and
//     the default-filled one next (arm64 ≡ arm64/v8, arm ≡ arm/v7); failing
//     that, an older variant the wanted one can run (arm/v7 runs v6 and v5,
//     amd64/v3 runs v2 and plain amd64), the newest first;
//   - no wanted variant matches any variant, preferring the default one.
//
// When want.OSVersion is set (Windows), entries whose os.version equals it or
// extends it ("10.0.17763" matches "10.0.17763.1234") are preferred; otherwise
// os.version and os.features are ignored. Ties go to the earlier entry. When
// nothing matches the error is a *NoMatchError listing what the index offers.
func Select(idx *v1.Index, want v1.Platform) (v1.Descriptor, error) {
	w := normalizeNames(want)
	best, bestScore := -1, 0
	if idx != nil {
		for i, d := range idx.Manifests {
			if d.Platform == nil || IsAttestation(d) {
				continue
			}
			if s := score(w, normalizeNames(*d.Platform)); s > bestScore {
				best, bestScore = i, s
			}
		}
	}
	if best < 0 {
		return v1.Descriptor{}, &NoMatchError{Want: want, Offered: Platforms(idx)}
	}
	return idx.Manifests[best], nil
}

// score rates how well an offered platform (names normalised) serves want;
// 0 means not at all.
func score(want, got v1.Platform) int {
	if want.OS != got.OS || want.Architecture != got.Architecture {
		return 0
	}
	var v int
	def := defaultVariant(want.Architecture)
	gotFilled := got.Variant
	if gotFilled == "" {
		gotFilled = def
	}
	switch {
	case want.Variant != "" && got.Variant == want.Variant:
		v = 1000
	case want.Variant != "" && gotFilled == want.Variant:
		v = 900
	case want.Variant != "":
		r := variantRank(want.Architecture, want.Variant)
		g := variantRank(want.Architecture, gotFilled)
		if r < 0 || g < 0 || g > r {
			return 0
		}
		v = 100 + g // newer runnable variants first
	case got.Variant == "":
		v = 1000
	case gotFilled == def:
		v = 900
	default:
		v = 500
	}
	if want.OSVersion != "" && (got.OSVersion == want.OSVersion || strings.HasPrefix(got.OSVersion, want.OSVersion+".")) {
		v += 50
	}
	return v
}

// variantRank orders the variants of an architecture that run each other's
// code (a higher rank runs every lower one); -1 when unknown.
func variantRank(arch, variant string) int {
	var ladder []string
	switch arch {
	case "arm":
		ladder = []string{"v5", "v6", "v7", "v8"}
	case "amd64":
		ladder = []string{"", "v2", "v3", "v4"}
	default:
		return -1
	}
	for i, v := range ladder {
		if v == variant {
			return i
		}
	}
	return -1
}

// NoMatchError is returned by Select when no entry of an index serves the
// wanted platform.
type NoMatchError struct {
	// Want is the platform asked for.
	Want v1.Platform
	// Offered lists the platforms the index offers (attestations excluded).
	Offered []v1.Platform
}

// Error reads like "no linux/s390x image in the index; it offers
// linux/amd64, linux/arm64/v8".
func (e *NoMatchError) Error() string {
	want := FormatPlatform(e.Want)
	if e.Want.OSVersion != "" {
		want += " (os.version " + e.Want.OSVersion + ")"
	}
	if len(e.Offered) == 0 {
		return fmt.Sprintf("no %s image in the index; it offers no platforms", want)
	}
	seen := make(map[string]bool, len(e.Offered))
	var offers []string
	for _, p := range e.Offered {
		s := FormatPlatform(p)
		if p.OSVersion != "" {
			s += " (os.version " + p.OSVersion + ")"
		}
		if !seen[s] {
			seen[s] = true
			offers = append(offers, s)
		}
	}
	return fmt.Sprintf("no %s image in the index; it offers %s", want, strings.Join(offers, ", "))
}
