// Package format turns facts about an image into the short strings people
// read, the same in the page and the CLI: ls-style modes, human sizes, short
// digests, hex dumps, and the guess of whether a file is text, an image, or
// neither.
package format

import (
	"fmt"
	"io/fs"
	"strings"
	"unicode/utf8"
)

// Mode formats a mode the way ls -l does: a type character for typ (a
// layers.Type name such as "dir" or "symlink") followed by nine permission
// characters, with s/S for setuid and setgid and t/T for the sticky bit.
func Mode(typ string, mode uint32) string {
	m := fs.FileMode(mode)
	var b [10]byte
	b[0] = typeChar(typ)
	const rwx = "rwxrwxrwx"
	for i := 0; i < 9; i++ {
		if m&(1<<uint(8-i)) != 0 {
			b[1+i] = rwx[i]
		} else {
			b[1+i] = '-'
		}
	}
	special := func(i int, set bool, lower, upper byte) {
		if !set {
			return
		}
		if b[i] == 'x' {
			b[i] = lower
		} else {
			b[i] = upper
		}
	}
	special(3, m&fs.ModeSetuid != 0, 's', 'S')
	special(6, m&fs.ModeSetgid != 0, 's', 'S')
	special(9, m&fs.ModeSticky != 0, 't', 'T')
	return string(b[:])
}

func typeChar(typ string) byte {
	switch typ {
	case "dir", "opaque":
		return 'd'
	case "symlink":
		return 'l'
	case "char":
		return 'c'
	case "block":
		return 'b'
	case "fifo":
		return 'p'
	case "hardlink":
		return 'h'
	case "whiteout":
		return 'w'
	}
	return '-'
}

// Size formats a byte count in binary units: "0 B", "1023 B", "1.5 KiB",
// "12 MiB"; a negative count (unknown, as for schema1 layers) is "?".
func Size(n int64) string {
	if n < 0 {
		return "?"
	}
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	units := []string{"KiB", "MiB", "GiB", "TiB"}
	v := float64(n) / 1024
	i := 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	if v < 10 {
		return fmt.Sprintf("%.1f %s", v, units[i])
	}
	return fmt.Sprintf("%.0f %s", v, units[i])
}

// Rate formats bytes per second: "3.2 MiB/s".
func Rate(bytesPerSec float64) string {
	if bytesPerSec <= 0 {
		return ""
	}
	return Size(int64(bytesPerSec)) + "/s"
}

// ShortDigest returns "sha256:" and the first 12 hex characters of d, or d when it is shorter.
func ShortDigest(d string) string {
	alg, hex, ok := strings.Cut(d, ":")
	if !ok || len(hex) <= 12 {
		return d
	}
	return alg + ":" + hex[:12]
}

// Hex writes a classic hex dump of b, whose first byte is at offset off:
// "00000010  68 65 6c 6c 6f 0a …  |hello.|" with 16 bytes a line.
func Hex(b []byte, off int64) string {
	var s strings.Builder
	for i := 0; i < len(b); i += 16 {
		line := b[i:min(i+16, len(b))]
		fmt.Fprintf(&s, "%08x  ", off+int64(i))
		for j := 0; j < 16; j++ {
			if j < len(line) {
				fmt.Fprintf(&s, "%02x ", line[j])
			} else {
				s.WriteString("   ")
			}
			if j == 7 {
				s.WriteByte(' ')
			}
		}
		s.WriteString(" |")
		for _, c := range line {
			if c >= 0x20 && c < 0x7f {
				s.WriteByte(c)
			} else {
				s.WriteByte('.')
			}
		}
		s.WriteString("|\n")
	}
	return s.String()
}

// IsText reports whether b looks like text: valid UTF-8 (a rune cut off at
// the end is allowed, as b may be a prefix) with no NUL and few control bytes.
func IsText(b []byte) bool {
	ctrl := 0
	for i := 0; i < len(b); {
		c := b[i]
		if c == 0 {
			return false
		}
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != 0x1b {
				ctrl++
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			if len(b)-i < utf8.UTFMax && !utf8.FullRune(b[i:]) {
				break // cut off at the end of the prefix
			}
			return false
		}
		i += n
	}
	return ctrl*100 <= len(b)
}

// ImageType returns the MIME type of an image the page may preview in an
// <img> (PNG, JPEG, GIF, WebP by magic bytes; SVG by name and content), or "".
func ImageType(name string, b []byte) string {
	switch {
	case len(b) >= 8 && string(b[:8]) == "\x89PNG\r\n\x1a\n":
		return "image/png"
	case len(b) >= 3 && string(b[:3]) == "\xff\xd8\xff":
		return "image/jpeg"
	case len(b) >= 6 && (string(b[:6]) == "GIF87a" || string(b[:6]) == "GIF89a"):
		return "image/gif"
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return "image/webp"
	}
	lower := strings.ToLower(name)
	if strings.HasSuffix(lower, ".svg") || strings.HasSuffix(lower, ".svgz") {
		head := strings.ToLower(string(b[:min(len(b), 1024)]))
		if strings.Contains(head, "<svg") {
			return "image/svg+xml"
		}
	}
	return ""
}
