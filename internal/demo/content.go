package demo

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
)

// prng is the deterministic byte source for generated content.
func prng(seed uint64) *rand.ChaCha8 {
	var s [32]byte
	for i := range 8 {
		s[i] = byte(seed >> (8 * i))
	}
	return rand.NewChaCha8(s)
}

// fakeBinary is an ELF-looking blob: the ELF magic, a machine byte that
// differs per architecture, then pseudo-random bytes.
func fakeBinary(arch string, size int) []byte {
	b := make([]byte, size)
	prng(uint64(len(arch))*7919 + uint64(arch[0])).Read(b)
	copy(b, []byte{0x7f, 'E', 'L', 'F', 2, 1, 1, 0})
	machine := byte(0x3e) // x86-64
	if arch == "arm64" {
		machine = 0xb7 // AArch64
	}
	b[16], b[17], b[18], b[19] = 2, 0, machine, 0
	return b
}

// logoPNG is a 96×96 gradient with a ring, encoded by image/png.
func logoPNG() []byte {
	const n = 96
	img := image.NewNRGBA(image.Rect(0, 0, n, n))
	for y := range n {
		for x := range n {
			dx, dy := x-n/2, y-n/2
			d := dx*dx + dy*dy
			c := color.NRGBA{R: uint8(40 + x*2), G: uint8(90 + y), B: 200, A: 255}
			if d > 30*30 && d < 38*38 {
				c = color.NRGBA{R: 255, G: 255, B: 255, A: 255}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic("demo: png: " + err.Error())
	}
	return buf.Bytes()
}

const logoSVG = `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="120" viewBox="0 0 120 120">
  <rect width="120" height="120" rx="16" fill="#1d4ed8"/>
  <circle cx="60" cy="60" r="34" fill="none" stroke="#fff" stroke-width="8"/>
  <line x1="84" y1="84" x2="104" y2="104" stroke="#fff" stroke-width="10" stroke-linecap="round"/>
  <text x="60" y="67" font-family="sans-serif" font-size="20" text-anchor="middle" fill="#fff">OCI</text>
</svg>
`

func osRelease(arch string) string {
	return fmt.Sprintf(`PRETTY_NAME="regscope demo Linux 1.0 (%s)"
NAME="regscope demo Linux"
VERSION_ID="1.0"
VERSION="1.0 (showcase)"
ID=regscope-demo
HOME_URL="https://github.com/regscope/regscope"
`, arch)
}

const readme = `# regscope showcase image

This image exists to show what regscope can display. It has:

- three layers; the third deletes /tmp/old.txt (a whiteout) and replaces
  /var/lib/app wholesale (an opaque directory);
- text files, a shell script, an ELF-looking binary, a PNG and an SVG;
- symlinks (relative: /app/current, absolute: /usr/bin/run, a chain:
  /app/link1 → link2 → link3 → README.md) and a hardlink (/app/README.hardlink);
- a setuid file (/usr/bin/su-demo), a fifo (/run/demo.fifo);
- 2,000 files in /usr/share/many;
- different /etc/arch and /bin/hello on linux/amd64 and linux/arm64/v8.
`

const runScript = `#!/bin/sh
# The showcase entrypoint: prints where it runs.
set -eu
echo "regscope showcase on $(cat /etc/arch)"
exec "$@"
`
