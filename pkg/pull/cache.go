package pull

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/regscope/regscope/pkg/layers"
)

// Cache keeps verified blobs (configs and layers) between pulls, by digest.
// A pull reads a kept blob instead of downloading it, and keeps what it
// downloads.
type Cache interface {
	// Get opens the kept blob d of size bytes (negative: unknown), or
	// returns ok == false. The reader must verify what it reads: its last
	// Read returns an error in place of io.EOF when the bytes are not d's.
	Get(d digest.Digest, size int64) (rc io.ReadCloser, ok bool)
	// Keep returns a reader of r — blob d from a reader that verifies it —
	// that keeps d once r has been read to io.EOF, and nothing otherwise.
	Keep(d digest.Digest, r io.ReadCloser) io.ReadCloser
}

// withBlob calls read with blob d: from the cache when it is kept there,
// else from the registry (kept as it is read). read must read the blob to
// io.EOF for it to be verified (and kept). When reading a kept blob fails —
// it no longer matches its digest, or the disk failed — the failure is
// reported as a message and the blob is downloaded once more; a failure of
// the codec's gzip inflater (layers.ErrGunzipFallback) is not the kept
// blob's, and is returned. A downloaded blob whose read fails is still read
// to its end (blobVerdict), so its digest is checked and the cache keeps it
// for the read after a fallback.
func (p *puller) withBlob(ctx context.Context, phase string, d v1.Descriptor, read func(io.Reader) error) error {
	if c := p.opts.Cache; c != nil {
		size := d.Size
		if size <= 0 {
			size = -1 // schema1 layers carry no size
		}
		if rc, ok := c.Get(d.Digest, size); ok {
			err := read(rc)
			rc.Close()
			if err == nil || ctx.Err() != nil || errors.Is(err, layers.ErrGunzipFallback) {
				return err
			}
			p.rep.emit(Event{Phase: phase, Layer: -1, Digest: d.Digest,
				Message: fmt.Sprintf("reading blob %s from the cache failed (%v); downloading it", d.Digest, err)})
		}
	}
	rc, err := p.client.Blob(ctx, p.ref, d)
	if err != nil {
		return err
	}
	if p.opts.Cache != nil {
		rc = p.opts.Cache.Keep(d.Digest, rc)
	}
	defer rc.Close()
	if err := read(rc); err != nil {
		return blobVerdict(ctx, rc, err)
	}
	return nil
}
