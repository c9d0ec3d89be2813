package format

import (
	"io/fs"
	"strings"
	"testing"
)

func TestMode(t *testing.T) {
	tests := []struct {
		typ  string
		mode fs.FileMode
		want string
	}{
		{"file", 0o644, "-rw-r--r--"},
		{"dir", fs.ModeDir | 0o755, "drwxr-xr-x"},
		{"symlink", fs.ModeSymlink | 0o777, "lrwxrwxrwx"},
		{"file", fs.ModeSetuid | 0o4755&0o777, "-rwsr-xr-x"},
		{"file", fs.ModeSetuid | 0o644, "-rwSr--r--"},
		{"file", fs.ModeSetgid | 0o755, "-rwxr-sr-x"},
		{"dir", fs.ModeSticky | fs.ModeDir | 0o1777&0o777, "drwxrwxrwt"},
		{"dir", fs.ModeSticky | 0o770, "drwxrwx--T"},
		{"char", 0o666, "crw-rw-rw-"},
		{"block", 0o660, "brw-rw----"},
		{"fifo", 0o600, "prw-------"},
		{"hardlink", 0o644, "hrw-r--r--"},
		{"whiteout", 0, "w---------"},
		{"opaque", 0o755, "drwxr-xr-x"},
	}
	for _, tt := range tests {
		if got := Mode(tt.typ, uint32(tt.mode)); got != tt.want {
			t.Errorf("Mode(%s, %v) = %q, want %q", tt.typ, tt.mode, got, tt.want)
		}
	}
}

func TestSize(t *testing.T) {
	tests := map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 1536: "1.5 KiB", 100 << 20: "100 MiB", 5 << 30: "5.0 GiB"}
	for n, want := range tests {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestShortDigest(t *testing.T) {
	if got := ShortDigest("sha256:0123456789abcdef0123"); got != "sha256:0123456789ab" {
		t.Errorf("got %q", got)
	}
	if got := ShortDigest("nodigest"); got != "nodigest" {
		t.Errorf("got %q", got)
	}
}

func TestHex(t *testing.T) {
	got := Hex([]byte("hello, world\x00\x01\xff!!!!"), 16)
	want := "00000010  68 65 6c 6c 6f 2c 20 77  6f 72 6c 64 00 01 ff 21  |hello, world...!|\n" +
		"00000020  21 21 21                                          |!!!|\n"
	if got != want {
		t.Errorf("Hex:\n%q\nwant\n%q", got, want)
	}
}

func TestIsText(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"hello\nworld\n", true},
		{"", true},
		{"grüße", true},
		{"grü"[:3], true}, // cut inside a rune at the end
		{"a\x00b", false},
		{"\xff\xfe\xfdabc", false},
		{"\x01\x02\x03\x04", false},
		{strings.Repeat("x", 200) + "\x01", true},
	}
	for _, tt := range tests {
		if got := IsText([]byte(tt.in)); got != tt.want {
			t.Errorf("IsText(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestImageType(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"a.png", "\x89PNG\r\n\x1a\nrest", "image/png"},
		{"noext", "\x89PNG\r\n\x1a\nrest", "image/png"},
		{"a.jpg", "\xff\xd8\xff\xe0", "image/jpeg"},
		{"a.gif", "GIF89a...", "image/gif"},
		{"a.webp", "RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"},
		{"logo.svg", `<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>`, "image/svg+xml"},
		{"fake.svg", "not an svg", ""},
		{"a.txt", "<svg>", ""},
	}
	for _, tt := range tests {
		if got := ImageType(tt.name, []byte(tt.body)); got != tt.want {
			t.Errorf("ImageType(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}
