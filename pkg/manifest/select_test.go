package manifest

import (
	"errors"
	"reflect"
	"testing"

	digest "github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// decodeIndex parses an index body built by the helpers.
func decodeIndex(t *testing.T, entries ...v1.Descriptor) *v1.Index {
	t.Helper()
	m, err := Parse(index(t, MediaTypeOCIIndex, true, entries...), MediaTypeOCIIndex)
	if err != nil {
		t.Fatal(err)
	}
	return m.Index
}

func TestSelect(t *testing.T) {
	// A typical multi-platform index as BuildKit pushes it: images, then
	// one attestation per image.
	typical := decodeIndex(t,
		entry(t, "amd64", "linux/amd64"),
		entry(t, "arm64", "linux/arm64/v8"),
		entry(t, "armv7", "linux/arm/v7"),
		entry(t, "armv6", "linux/arm/v6"),
		entry(t, "ppc", "linux/ppc64le"),
		attestation(t, "att-amd64", dg("amd64")),
		attestation(t, "att-arm64", dg("arm64")),
		entry(t, "noplatform", ""),
	)
	// An attestation that claims a real platform but is annotated as one.
	sneaky := entry(t, "sneaky", "linux/s390x")
	sneaky.Annotations = map[string]string{AnnotationReferenceType: "attestation-manifest"}
	variants := decodeIndex(t,
		entry(t, "arm64-bare", "linux/arm64"),
		entry(t, "arm64-v8", "linux/arm64/v8"),
		entry(t, "arm64-v9", "linux/arm64/v9"),
		entry(t, "amd64-v3", "linux/amd64/v3"),
		entry(t, "amd64", "linux/amd64"),
		entry(t, "arm-v8", "linux/arm/v8"),
		sneaky,
	)
	onlyV3 := decodeIndex(t, entry(t, "amd64-v3", "linux/amd64/v3"))
	arm := decodeIndex(t, entry(t, "armv5", "linux/arm/v5"), entry(t, "armv6", "linux/arm/v6"), entry(t, "armv7", "linux/arm/v7"))
	bareArm64 := decodeIndex(t, entry(t, "arm64-bare", "LINUX/aarch64"))

	winOld := entry(t, "win-1809", "windows/amd64")
	winOld.Platform.OSVersion = "10.0.17763.5329"
	winNew := entry(t, "win-2022", "windows/amd64")
	winNew.Platform.OSVersion = "10.0.20348.2227"
	winNew.Platform.OSFeatures = []string{"win32k"}
	windows := decodeIndex(t, winOld, winNew, entry(t, "linux", "linux/amd64"))

	tests := []struct {
		name    string
		idx     *v1.Index
		want    string // platform string for ParsePlatform
		osv     string
		pick    string // entry name, or "" for no match
		wantErr string
	}{
		{"default", typical, "", "", "amd64", ""},
		{"amd64", typical, "linux/amd64", "", "amd64", ""},
		{"x86_64 alias", typical, "linux/x86_64", "", "amd64", ""},
		{"arm64 without variant", typical, "linux/arm64", "", "arm64", ""},
		{"arm64/v8", typical, "linux/arm64/v8", "", "arm64", ""},
		{"aarch64 alias", typical, "linux/aarch64", "", "arm64", ""},
		{"arm without variant picks v7", typical, "linux/arm", "", "armv7", ""},
		{"arm/v6", typical, "linux/arm/v6", "", "armv6", ""},
		{"armhf", typical, "linux/armhf", "", "armv7", ""},
		{"arm/v8 runs v7", typical, "linux/arm/v8", "", "armv7", ""},
		{"arm/v5 cannot run v6", typical, "linux/arm/v5", "", "", "no linux/arm/v5 image in the index; it offers linux/amd64, linux/arm64/v8, linux/arm/v7, linux/arm/v6, linux/ppc64le"},
		{"s390x", typical, "linux/s390x", "", "", "no linux/s390x image in the index; it offers linux/amd64, linux/arm64/v8, linux/arm/v7, linux/arm/v6, linux/ppc64le"},
		{"windows not offered", typical, "windows/amd64", "", "", "no windows/amd64 image"},
		{"never an attestation", typical, "unknown/unknown", "", "", "no unknown/unknown image"},
		{"annotated attestation with a platform", variants, "linux/s390x", "", "", "no linux/s390x image in the index; it offers linux/arm64, linux/arm64/v8, linux/arm64/v9, linux/amd64/v3, linux/amd64, linux/arm/v8"},
		{"exact v8 preferred over bare", variants, "linux/arm64/v8", "", "arm64-v8", ""},
		{"bare preferred when no variant asked", variants, "linux/arm64", "", "arm64-bare", ""},
		{"v9 exact", variants, "linux/arm64/v9", "", "arm64-v9", ""},
		{"amd64 without variant prefers plain", variants, "linux/amd64", "", "amd64", ""},
		{"amd64/v3 exact", variants, "linux/amd64/v3", "", "amd64-v3", ""},
		{"amd64/v2 runs plain, not v3", variants, "linux/amd64/v2", "", "amd64", ""},
		{"amd64 without variant takes v3 when alone", onlyV3, "linux/amd64", "", "amd64-v3", ""},
		{"amd64/v2 cannot run v3", onlyV3, "linux/amd64/v2", "", "", "no linux/amd64/v2 image in the index; it offers linux/amd64/v3"},
		{"arm/v7 newest runnable", arm, "linux/arm/v7", "", "armv7", ""},
		{"arm/v6 skips v7", arm, "linux/arm/v6", "", "armv6", ""},
		{"arm64/v8 matches bare aarch64 entry", bareArm64, "linux/arm64/v8", "", "arm64-bare", ""},
		{"windows first entry", windows, "windows/amd64", "", "win-1809", ""},
		{"windows by os.version prefix", windows, "windows/amd64", "10.0.20348", "win-2022", ""},
		{"windows exact os.version", windows, "windows/amd64", "10.0.17763.5329", "win-1809", ""},
		{"windows unknown os.version still matches", windows, "windows/amd64", "10.0.99999", "win-1809", ""},
		{"windows error lists os.version", windows, "windows/arm64", "", "", "no windows/arm64 image in the index; it offers windows/amd64 (os.version 10.0.17763.5329), windows/amd64 (os.version 10.0.20348.2227), linux/amd64"},
		{"nil index", nil, "linux/amd64", "", "", "no linux/amd64 image in the index; it offers no platforms"},
		{"empty index", decodeIndex(t), "linux/amd64", "", "", "it offers no platforms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := ParsePlatform(tt.want)
			if err != nil {
				t.Fatal(err)
			}
			want.OSVersion = tt.osv
			d, err := Select(tt.idx, want)
			if tt.pick == "" {
				var nm *NoMatchError
				if !errors.As(err, &nm) {
					t.Fatalf("err = %v, want a *NoMatchError", err)
				}
				checkErr(t, err, tt.wantErr, nil)
				if !reflect.DeepEqual(nm.Want, want) {
					t.Errorf("NoMatchError.Want = %+v", nm.Want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d.Digest != dg(tt.pick) {
				t.Fatalf("picked %s (%s), want %s", d.Digest, FormatPlatform(*d.Platform), tt.pick)
			}
		})
	}
}

func TestPlatforms(t *testing.T) {
	idx := decodeIndex(t,
		entry(t, "amd64", "linux/amd64"),
		attestation(t, "att", dg("amd64")),
		entry(t, "none", ""),
		entry(t, "arm64", "linux/arm64/v8"),
		entry(t, "unknown-arch", "unknown/unknown"),
	)
	got := Platforms(idx)
	want := []v1.Platform{{OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "arm64", Variant: "v8"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Platforms = %+v, want %+v", got, want)
	}
	if Platforms(nil) != nil {
		t.Fatal("Platforms(nil) != nil")
	}
	// Platforms copies: changing the result leaves the index alone.
	got[0].OS = "plan9"
	if idx.Manifests[0].Platform.OS != "linux" {
		t.Fatal("Platforms aliases the index")
	}
}

func TestIsAttestation(t *testing.T) {
	tests := []struct {
		d    v1.Descriptor
		want bool
	}{
		{v1.Descriptor{Platform: &v1.Platform{OS: "unknown", Architecture: "unknown"}}, true},
		{v1.Descriptor{Annotations: map[string]string{AnnotationReferenceType: "attestation-manifest"}}, true},
		{v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "unknown"}}, false},
		{v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}, Annotations: map[string]string{"vnd.docker.reference.digest": string(digest.FromString("x"))}}, false},
		{v1.Descriptor{}, false},
	}
	for i, tt := range tests {
		if got := IsAttestation(tt.d); got != tt.want {
			t.Errorf("%d: IsAttestation = %v, want %v", i, got, tt.want)
		}
	}
}

func TestNoMatchErrorDedupes(t *testing.T) {
	e := &NoMatchError{Want: v1.Platform{OS: "linux", Architecture: "s390x"}, Offered: []v1.Platform{
		{OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "arm64", Variant: "v8"},
	}}
	if got, want := e.Error(), "no linux/s390x image in the index; it offers linux/amd64, linux/arm64/v8"; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
}
