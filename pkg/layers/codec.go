package layers

import (
	"crypto/sha256"
	"errors"
	"hash"
	"io"
)

// Codec supplies the SHA-256 and gzip implementations a pull runs over
// every byte. The zero Codec uses Go's crypto/sha256 and this package's
// gzip reader; a platform with faster ones (the browser's native
// DecompressionStream, a SHA-256 in a pool of workers) sets them. Whatever
// a Codec supplies, the checks are the same: the digests it computes are
// compared with the manifest's and the config's, and nothing is accepted on
// its word.
type Codec struct {
	// SHA256 returns a new SHA-256 hash; nil means crypto/sha256.
	SHA256 func() hash.Hash
	// Gunzip returns a reader of the inflated bytes of the gzip stream r;
	// nil means Go's. It must fail with an error wrapping ErrGunzipFallback
	// when it cannot decode what Go's reader can (concatenated members,
	// bytes after the last member): the layer is then read again from its
	// start with Go's reader.
	//
	// The reader may also implement Summer (an inflater that hashes its
	// own output where it inflates, off the caller's thread): Read then
	// takes the layer's DiffID from its Sum once it returned io.EOF, and
	// does not hash the inflated bytes again. Read still counts them and
	// enforces every limit on them, and uses Sum only after reading the
	// stream to its end; the DiffID is compared with the config's by the
	// caller (pkg/pull) whatever computed it.
	Gunzip func(r io.Reader) (io.ReadCloser, error)
}

// Summer is what a Codec.Gunzip reader implements when it computes the
// SHA-256 of its own output: Sum appends to b the SHA-256 of every byte
// Read returned, and is valid once Read returned io.EOF.
type Summer interface {
	Sum(b []byte) []byte
}

// ErrGunzipFallback marks a Codec.Gunzip failure that Go's gzip reader
// would not have: the caller reads the layer again without the Codec's
// Gunzip.
var ErrGunzipFallback = errors.New("gzip stream needs Go's inflater")

// sha256 returns a new hash from c.SHA256, or crypto/sha256's.
func (c Codec) sha256() hash.Hash {
	if c.SHA256 != nil {
		return c.SHA256()
	}
	return sha256.New()
}
