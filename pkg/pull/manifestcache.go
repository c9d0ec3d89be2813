package pull

import (
	"bytes"
	"context"
	"io"

	"github.com/opencontainers/go-digest"

	"github.com/regscope/regscope/pkg/manifest"
	"github.com/regscope/regscope/pkg/registry"
)

// Manifests in the blob cache (Options.Cache). A manifest fetched once is
// kept by its digest; a later pull of it by digest (the platform's manifest
// in an index) reads it from the cache without a request, and a pull by tag
// asks only a HEAD for the tag's digest — no download, and no pull counted
// against Docker Hub's quota — before reading the manifest from the cache.
// What the cache returns is verified against the digest as it is read.

// cachedManifest returns reference's manifest from the cache, or ok ==
// false when it is not there (or no cache is used, or the HEAD failed: the
// caller then GETs it).
func (p *puller) cachedManifest(ctx context.Context, reference string) (f *registry.Fetched, ok bool) {
	c := p.opts.Cache
	if c == nil {
		return nil, false
	}
	d, err := digest.Parse(reference) // a tag is never a digest: tags cannot hold ':'
	against := registry.CheckedReference
	if err != nil {
		if d, err = p.client.Resolve(ctx, p.ref, reference, manifest.AcceptTypes()); err != nil {
			return nil, false
		}
		against = registry.CheckedHeader
	}
	rc, ok := c.Get(d, -1)
	if !ok {
		return nil, false
	}
	defer rc.Close()
	body, err := io.ReadAll(io.LimitReader(rc, manifest.MaxManifestSize+1))
	if err != nil || len(body) > manifest.MaxManifestSize {
		return nil, false // not what was kept: fetched again
	}
	return &registry.Fetched{Body: body, Digest: d, Checked: []registry.DigestCheck{{Against: against, Want: d}}}, true
}

// keepManifest keeps a fetched manifest in the cache by its digest, when
// the digest is its body's own (not a signed schema 1 payload's).
func (p *puller) keepManifest(f *registry.Fetched) {
	if p.opts.Cache == nil || digest.FromBytes(f.Body) != f.Digest {
		return
	}
	rc := p.opts.Cache.Keep(f.Digest, io.NopCloser(bytes.NewReader(f.Body)))
	io.Copy(io.Discard, rc)
	rc.Close()
}
