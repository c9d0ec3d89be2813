package manifest

import (
	"reflect"
	"testing"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestParsePlatform(t *testing.T) {
	tests := []struct {
		in      string
		want    v1.Platform
		format  string
		wantErr string
	}{
		{in: "", want: v1.Platform{OS: "linux", Architecture: "amd64"}, format: "linux/amd64"},
		{in: "  ", want: v1.Platform{OS: "linux", Architecture: "amd64"}, format: "linux/amd64"},
		{in: "linux/amd64", want: v1.Platform{OS: "linux", Architecture: "amd64"}, format: "linux/amd64"},
		{in: "linux/arm64/v8", want: v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}, format: "linux/arm64/v8"},
		{in: "linux/arm64", want: v1.Platform{OS: "linux", Architecture: "arm64"}, format: "linux/arm64"},
		{in: "linux/arm64/8", want: v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}, format: "linux/arm64/v8"},
		{in: "Linux/AArch64", want: v1.Platform{OS: "linux", Architecture: "arm64"}, format: "linux/arm64"},
		{in: "linux/x86_64", want: v1.Platform{OS: "linux", Architecture: "amd64"}, format: "linux/amd64"},
		{in: "linux/x86-64/v3", want: v1.Platform{OS: "linux", Architecture: "amd64", Variant: "v3"}, format: "linux/amd64/v3"},
		{in: "linux/amd64/v1", want: v1.Platform{OS: "linux", Architecture: "amd64"}, format: "linux/amd64"},
		{in: "linux/arm/7", want: v1.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}, format: "linux/arm/v7"},
		{in: "linux/arm/v6", want: v1.Platform{OS: "linux", Architecture: "arm", Variant: "v6"}, format: "linux/arm/v6"},
		{in: "linux/armhf", want: v1.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}, format: "linux/arm/v7"},
		{in: "linux/armel", want: v1.Platform{OS: "linux", Architecture: "arm", Variant: "v6"}, format: "linux/arm/v6"},
		{in: "linux/i386", want: v1.Platform{OS: "linux", Architecture: "386"}, format: "linux/386"},
		{in: "linux/s390x", want: v1.Platform{OS: "linux", Architecture: "s390x"}, format: "linux/s390x"},
		{in: "windows/amd64", want: v1.Platform{OS: "windows", Architecture: "amd64"}, format: "windows/amd64"},
		{in: "macos/arm64", want: v1.Platform{OS: "darwin", Architecture: "arm64"}, format: "darwin/arm64"},
		{in: "arm64", want: v1.Platform{OS: "linux", Architecture: "arm64"}, format: "linux/arm64"},
		{in: "aarch64", want: v1.Platform{OS: "linux", Architecture: "arm64"}, format: "linux/arm64"},
		{in: "windows", want: v1.Platform{OS: "windows", Architecture: "amd64"}, format: "windows/amd64"},
		{in: "plan10/ feet", wantErr: `invalid platform "plan10/ feet"`},
		{in: "linux/", wantErr: `invalid platform "linux/"`},
		{in: "/amd64", wantErr: `invalid platform "/amd64"`},
		{in: "linux//v7", wantErr: `invalid platform "linux//v7"`},
		{in: "linux/arm64/v8/extra", wantErr: `invalid platform "linux/arm64/v8/extra": too many parts`},
		{in: "linux amd64", wantErr: `invalid platform "linux amd64"`},
		{in: "toaster", wantErr: `invalid platform "toaster": neither a known OS nor a known architecture`},
		{in: "linux/amd64\n", wantErr: `invalid platform "linux/amd64\n"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p, err := ParsePlatform(tt.in)
			if tt.wantErr != "" {
				checkErr(t, err, tt.wantErr, ErrInvalidPlatform)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(p, tt.want) {
				t.Fatalf("ParsePlatform(%q) = %+v, want %+v", tt.in, p, tt.want)
			}
			if got := FormatPlatform(p); got != tt.format {
				t.Fatalf("FormatPlatform = %q, want %q", got, tt.format)
			}
			again, err := ParsePlatform(FormatPlatform(p))
			if err != nil || !reflect.DeepEqual(again, p) {
				t.Fatalf("round trip: %+v, %v", again, err)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want v1.Platform }{
		{v1.Platform{OS: "linux", Architecture: "arm64"}, v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}},
		{v1.Platform{OS: "Linux", Architecture: "aarch64", Variant: "8"}, v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}},
		{v1.Platform{OS: "linux", Architecture: "arm"}, v1.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}},
		{v1.Platform{OS: "linux", Architecture: "amd64", Variant: "v1"}, v1.Platform{OS: "linux", Architecture: "amd64"}},
		{v1.Platform{OS: "linux", Architecture: "x86_64"}, v1.Platform{OS: "linux", Architecture: "amd64"}},
		{v1.Platform{OS: "windows", Architecture: "amd64", OSVersion: "10.0.17763.1", OSFeatures: []string{"win32k"}},
			v1.Platform{OS: "windows", Architecture: "amd64", OSVersion: "10.0.17763.1", OSFeatures: []string{"win32k"}}},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Normalize(%+v) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
	if !reflect.DeepEqual(Normalize(v1.Platform{OS: "linux", Architecture: "arm64"}), Normalize(v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"})) {
		t.Error("arm64 and arm64/v8 differ after Normalize")
	}
	feats := []string{"a"}
	n := Normalize(v1.Platform{OSFeatures: feats})
	n.OSFeatures[0] = "b"
	if feats[0] != "a" {
		t.Error("Normalize shares OSFeatures with its argument")
	}
}
