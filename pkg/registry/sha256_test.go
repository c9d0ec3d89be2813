package registry

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"sync/atomic"
	"testing"

	"github.com/opencontainers/go-digest"

	"github.com/regscope/regscope/internal/regtest"
)

// countedHash is a SHA-256 that adds the bytes written to it to n.
type countedHash struct {
	hash.Hash
	n *atomic.Int64
}

func (h countedHash) Write(p []byte) (int, error) {
	h.n.Add(int64(len(p)))
	return h.Hash.Write(p)
}

// wrongHash is a SHA-256 whose sum has its first byte flipped.
type wrongHash struct{ hash.Hash }

func (h wrongHash) Sum(b []byte) []byte {
	s := h.Hash.Sum(nil)
	s[0] ^= 0xff
	return append(b, s...)
}

// Options.SHA256 is the hash that verifies blobs (not manifests), and its
// sum is compared with the digest, not trusted.
func TestBlobSHA256Option(t *testing.T) {
	host := regtest.GGCR(t)
	p := pushRandom(t, host, "test/img", 20_000, 1)
	ctx := context.Background()
	var n atomic.Int64
	c := NewClient(Options{SHA256: func() hash.Hash { return countedHash{sha256.New(), &n} }})
	if _, err := c.Manifest(ctx, p.ref, "tag", manifestTypes, maxManifest); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 0 {
		t.Errorf("the manifest went through Options.SHA256 (%d bytes)", n.Load())
	}
	l := p.layers[0]
	if _, err := readBlob(t, c, p.ref, l); err != nil {
		t.Fatal(err)
	}
	if n.Load() != l.Size {
		t.Errorf("Options.SHA256 hashed %d bytes of the blob, want %d", n.Load(), l.Size)
	}

	bad := NewClient(Options{SHA256: func() hash.Hash { return wrongHash{sha256.New()} }})
	sum := sha256.Sum256(p.blobs[l.Digest])
	sum[0] ^= 0xff
	got := digest.NewDigestFromEncoded(digest.SHA256, hex.EncodeToString(sum[:]))
	_, err := readBlob(t, bad, p.ref, l)
	if want := "blob " + string(l.Digest) + ": digest mismatch: want " + string(l.Digest) + ", got " + string(got); err == nil || err.Error() != want {
		t.Errorf("wrong SHA-256: err = %v, want %q", err, want)
	}
}
