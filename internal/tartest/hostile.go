package tartest

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/klauspost/compress/gzip"
)

// This file builds compressed streams that are legal but unusual, or
// hostile: several gzip members, zstd skippable frames, decompression bombs.

// GzipMembers compresses each part as its own gzip member and concatenates
// them: a valid gzip stream (RFC 1952 §2.2) that decodes to the parts joined.
func GzipMembers(t testing.TB, parts ...[]byte) []byte {
	t.Helper()
	var out []byte
	for _, p := range parts {
		out = append(out, Gzip(t, p)...)
	}
	return out
}

// SkippableFrame returns a zstd skippable frame (magic 0x184D2A50 + nibble)
// carrying payload: decoders must skip it.
func SkippableFrame(nibble byte, payload []byte) []byte {
	b := binary.LittleEndian.AppendUint32(nil, 0x184D2A50|uint32(nibble&0xf))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(payload)))
	return append(b, payload...)
}

// ZstdSkippable compresses b as a zstd frame with skippable frames before
// and after it, as some tools write metadata (seekable zstd, for one).
func ZstdSkippable(t testing.TB, b []byte) []byte {
	t.Helper()
	out := SkippableFrame(0, []byte("regscope skippable frame before"))
	out = append(out, Zstd(t, b)...)
	return append(out, SkippableFrame(0xe, []byte("and one after"))...)
}

// ZeroZstd returns a zstd frame that decodes to n zero bytes, made by hand
// of RLE blocks: 4 bytes per 128 KiB, so 16 GiB fit in 512 KiB. A
// decompression bomb whose decoded bytes are an empty tar archive (zero
// blocks) followed by endless zero padding.
func ZeroZstd(n int64) []byte {
	const block = 128 << 10
	// Magic; frame header descriptor 0 (no content size, no checksum, not
	// single-segment); window descriptor 0x38 (exponent 7: 128 KiB window).
	b := []byte{0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38}
	for n > 0 {
		size := min(n, block)
		n -= size
		h := uint32(size)<<3 | 1<<1 // Block_Type 1: RLE
		if n == 0 {
			h |= 1 // Last_Block
		}
		b = append(b, byte(h), byte(h>>8), byte(h>>16), 0x00)
	}
	if len(b) == 6 { // n was 0: one empty last raw block
		b = append(b, 0x01, 0x00, 0x00)
	}
	return b
}

// ZeroGzip returns a gzip stream that decodes to about n zero bytes (a
// multiple of 1 MiB, at least one): one small member repeated, each
// ≈ 1 KiB for 1 MiB. A decompression bomb of concatenated members.
func ZeroGzip(t testing.TB, n int64) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zw.Write(make([]byte, 1<<20)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	member := buf.Bytes()
	k := max(n>>20, 1)
	return bytes.Repeat(member, int(k))
}
