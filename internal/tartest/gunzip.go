package tartest

import (
	"bufio"
	"fmt"
	"github.com/klauspost/compress/gzip"
	"io"
)

// OneMemberGunzip returns a gzip inflater that behaves as the browser's
// DecompressionStream("gzip"): one member only, and any byte after it
// fails the stream, losing what the failing read had inflated. The failure
// wraps fallback (the caller's layers.ErrGunzipFallback, which a layers.Codec
// must report then), with the browser's wording.
func OneMemberGunzip(fallback error) func(io.Reader) (io.ReadCloser, error) {
	return func(r io.Reader) (io.ReadCloser, error) {
		br := bufio.NewReader(r)
		z, err := gzip.NewReader(br)
		if err != nil {
			return nil, err
		}
		z.Multistream(false)
		return &oneMember{z: z, br: br, fallback: fallback}, nil
	}
}

type oneMember struct {
	z        *gzip.Reader
	br       *bufio.Reader
	fallback error
}

func (m *oneMember) Read(p []byte) (int, error) {
	n, err := m.z.Read(p)
	if err == io.EOF {
		if _, perr := m.br.Peek(1); perr == nil {
			return 0, fmt.Errorf("%w: junk found after end of compressed data", m.fallback)
		}
	}
	return n, err
}

func (m *oneMember) Close() error { return m.z.Close() }
