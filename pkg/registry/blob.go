package registry

import (
	"context"
	"fmt"
	"hash"
	"io"

	"github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// Blob opens the blob desc describes in r's repository. The reader follows
// redirects; on network errors, 5xx and 429 it retries with backoff (see
// Options) and resumes from the bytes already delivered with a Range
// request; when the registry answers 404 and desc.URLs is not empty it
// tries those URLs (http and https only, without registry credentials).
//
// It verifies as it goes: more bytes than desc.Size fail the Read that
// would exceed it with a *SizeError; at the end, fewer bytes fail with a
// *SizeError and a digest other than desc.Digest with a *DigestError, in
// place of io.EOF. A desc.Size of 0 or less is treated as unknown (schema1
// layers carry no size) and only the digest is checked. Callers must read to
// io.EOF to get verification, and must Close the reader.
//
// Errors opening the blob (404, 401, ...) are returned by Blob itself.
func (c *Client) Blob(ctx context.Context, r Ref, desc v1.Descriptor) (io.ReadCloser, error) {
	if err := desc.Digest.Validate(); err != nil {
		return nil, fmt.Errorf("blob %q: %w", desc.Digest, err)
	}
	b := &blobReader{c: c, ctx: ctx, ref: r, desc: desc, h: c.blobHash(desc.Digest.Algorithm())}
	if err := b.open(); err != nil {
		return nil, err
	}
	return b, nil
}

// BlobBytes reads a whole small blob (a config) into memory, verified, and
// refuses blobs larger than max bytes. A blob that fails verification is
// asked for once more WithoutCaches before the mismatch is reported.
func (c *Client) BlobBytes(ctx context.Context, r Ref, desc v1.Descriptor, max int64) ([]byte, error) {
	b, err := c.blobBytes(ctx, r, desc, max)
	if IsCorrupt(err) && !bypassCaches(ctx) {
		return c.blobBytes(WithoutCaches(ctx), r, desc, max)
	}
	return b, err
}

func (c *Client) blobBytes(ctx context.Context, r Ref, desc v1.Descriptor, max int64) ([]byte, error) {
	if desc.Size > max {
		return nil, fmt.Errorf("blob %s: size %d exceeds the limit of %d bytes", desc.Digest, desc.Size, max)
	}
	rc, err := c.Blob(ctx, r, desc)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	body, err := io.ReadAll(io.LimitReader(rc, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > max {
		return nil, fmt.Errorf("blob %s: more than the limit of %d bytes", desc.Digest, max)
	}
	return body, nil
}

// blobHash returns a new hash of algorithm a for verifying a blob:
// Options.SHA256's for sha256 when set.
func (c *Client) blobHash(a digest.Algorithm) hash.Hash {
	if a == digest.SHA256 && c.opts.SHA256 != nil {
		return c.opts.SHA256()
	}
	return a.Hash()
}
