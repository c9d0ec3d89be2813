package manifest

import (
	"fmt"
	"strings"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// DefaultPlatform is what ParsePlatform("") returns: the platform Docker
// pulls on a typical host, and the one regscope shows unless asked.
func DefaultPlatform() v1.Platform { return v1.Platform{OS: "linux", Architecture: "amd64"} }

// ParsePlatform parses "os/arch[/variant]" such as "linux/arm64/v8" or
// "linux/amd64". "" means DefaultPlatform. A lone architecture ("arm64")
// means linux, a lone known OS ("windows") means amd64. Names are
// normalised as Docker's platforms package does: case folded, aarch64 →
// arm64, x86_64 → amd64, armhf → arm/v7, i386 → 386, variant "8" → "v8",
// amd64's "v1" → "". A missing variant stays missing (matching treats it as
// the default), so FormatPlatform gives back what was meant.
func ParsePlatform(s string) (v1.Platform, error) {
	if strings.TrimSpace(s) == "" {
		return DefaultPlatform(), nil
	}
	parts := strings.Split(s, "/")
	for _, part := range parts {
		if !isPlatformPart(part) {
			return v1.Platform{}, fmt.Errorf("%w %q: want os/arch[/variant], such as linux/arm64/v8", ErrInvalidPlatform, s)
		}
	}
	var p v1.Platform
	switch len(parts) {
	case 1:
		name := strings.ToLower(parts[0])
		if isKnownOS(name) {
			p = v1.Platform{OS: name, Architecture: "amd64"}
		} else if arch, _ := normalizeArch(name, ""); isKnownArch(arch) {
			p = v1.Platform{OS: "linux", Architecture: name}
		} else {
			return v1.Platform{}, fmt.Errorf("%w %q: neither a known OS nor a known architecture; want os/arch[/variant]", ErrInvalidPlatform, s)
		}
	case 2:
		p = v1.Platform{OS: parts[0], Architecture: parts[1]}
	case 3:
		p = v1.Platform{OS: parts[0], Architecture: parts[1], Variant: parts[2]}
	default:
		return v1.Platform{}, fmt.Errorf("%w %q: too many parts; want os/arch[/variant]", ErrInvalidPlatform, s)
	}
	return normalizeNames(p), nil
}

// FormatPlatform returns "os/arch" or "os/arch/variant". os.version and
// os.features are not part of it.
func FormatPlatform(p v1.Platform) string {
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}

// Normalize returns p with names normalised (see ParsePlatform) and the
// default variant filled in where an architecture has one — arm → v7,
// arm64 → v8 — so that two platforms that mean the same are equal in OS,
// Architecture and Variant. os.version and os.features are kept as they are.
func Normalize(p v1.Platform) v1.Platform {
	p = normalizeNames(p)
	if p.Variant == "" {
		p.Variant = defaultVariant(p.Architecture)
	}
	return p
}

// normalizeNames folds case and aliases without inventing a variant.
func normalizeNames(p v1.Platform) v1.Platform {
	p.OS = strings.ToLower(p.OS)
	if p.OS == "macos" {
		p.OS = "darwin"
	}
	p.Architecture, p.Variant = normalizeArch(strings.ToLower(p.Architecture), strings.ToLower(p.Variant))
	if p.OSFeatures != nil {
		p.OSFeatures = append([]string(nil), p.OSFeatures...)
	}
	return p
}

// normalizeArch maps architecture aliases and variant spellings to the
// names OCI indexes use, as containerd's platforms.Normalize does.
func normalizeArch(arch, variant string) (string, string) {
	switch arch {
	case "i386", "i686":
		return "386", ""
	case "x86_64", "x86-64", "amd64":
		if variant == "v1" {
			variant = ""
		}
		return "amd64", variant
	case "aarch64", "arm64":
		switch variant {
		case "8", "v8", "v8.0":
			variant = "v8"
		case "9", "v9.0":
			variant = "v9"
		}
		return "arm64", variant
	case "armhf":
		return "arm", "v7"
	case "armel":
		return "arm", "v6"
	case "arm":
		switch variant {
		case "5", "6", "7", "8":
			variant = "v" + variant
		}
		return "arm", variant
	}
	return arch, variant
}

// defaultVariant is the variant an architecture means when none is given.
func defaultVariant(arch string) string {
	switch arch {
	case "arm":
		return "v7"
	case "arm64":
		return "v8"
	}
	return ""
}

func isKnownOS(os string) bool {
	switch os {
	case "linux", "windows", "darwin", "freebsd", "netbsd", "openbsd", "solaris", "illumos", "aix", "plan9", "wasip1", "js":
		return true
	}
	return false
}

func isKnownArch(arch string) bool {
	switch arch {
	case "amd64", "386", "arm", "arm64", "ppc64le", "ppc64", "s390x", "riscv64", "mips64le", "mips64", "mipsle", "mips", "loong64", "wasm":
		return true
	}
	return false
}

// isPlatformPart reports whether s is a plausible os, arch or variant name.
func isPlatformPart(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '-', c == '.':
		default:
			return false
		}
	}
	return true
}
