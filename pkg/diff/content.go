package diff

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"

	"github.com/regscope/regscope/internal/format"
	"github.com/regscope/regscope/pkg/layers"
)

// MaxTextDiff is the largest file (per side) given a line diff; larger or
// binary files get sizes, digests and the first differing bytes.
const MaxTextDiff = 4 << 20

// regionSize is how many bytes from each side Content shows around the
// first difference of binary files.
const regionSize = 64

// Content compares the contents of a and b (either may be nil: no file
// there, compared as empty), giving at most maxLines lines of a unified
// diff (<= 0: all). Entries without content (directories, symlinks,
// devices) compare as empty.
func Content(name string, a, b *layers.Entry, maxLines int) (*ContentDiff, error) {
	ba, err := readAll(a)
	if err != nil {
		return nil, err
	}
	bb, err := readAll(b)
	if err != nil {
		return nil, err
	}
	d := &ContentDiff{Path: name, SizeA: -1, SizeB: -1, Offset: firstDiff(ba, bb)}
	if a != nil {
		d.SizeA, d.DigestA = int64(len(ba)), digestOf(ba)
	}
	if b != nil {
		d.SizeB, d.DigestB = int64(len(bb)), digestOf(bb)
	}
	if len(ba) <= MaxTextDiff && len(bb) <= MaxTextDiff && format.IsText(ba) && format.IsText(bb) {
		d.Text = true
		d.Unified, d.Total = Unified(name, string(ba), string(bb), maxLines)
		d.Truncated = maxLines > 0 && d.Total > maxLines
		return d, nil
	}
	if d.Offset >= 0 {
		start := d.Offset &^ 15
		d.HexA = format.Hex(window(ba, start), start)
		d.HexB = format.Hex(window(bb, start), start)
	}
	return d, nil
}

// readAll returns e's content, nil for no entry or no content.
func readAll(e *layers.Entry) ([]byte, error) {
	if e == nil || e.Content == nil {
		return nil, nil
	}
	return io.ReadAll(io.NewSectionReader(e.Content, 0, e.Content.Size()))
}

// firstDiff returns the first offset where a and b differ, -1 if equal.
func firstDiff(a, b []byte) int64 {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return int64(i)
		}
	}
	if len(a) == len(b) {
		return -1
	}
	return int64(n)
}

func window(b []byte, start int64) []byte {
	if start >= int64(len(b)) {
		return nil
	}
	return b[start:min(int64(len(b)), start+regionSize)]
}

func digestOf(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}

// sameContent reports whether two regular files hold the same bytes,
// comparing SHA-256 digests of their contents.
func sameContent(a, b *layers.Entry) (bool, error) {
	if a.Size != b.Size {
		return false, nil
	}
	if a.Content == nil || b.Content == nil {
		return a.Content == nil && b.Content == nil, nil
	}
	da, err := contentDigest(a.Content)
	if err != nil {
		return false, err
	}
	db, err := contentDigest(b.Content)
	if err != nil {
		return false, err
	}
	return bytes.Equal(da, db), nil
}

// contentDigest streams c through SHA-256.
func contentDigest(c layers.Content) ([]byte, error) {
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(c, 0, c.Size())); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}
