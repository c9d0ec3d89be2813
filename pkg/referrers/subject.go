package referrers

import (
	"context"
	"fmt"

	"github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/regscope/regscope/pkg/manifest"
	"github.com/regscope/regscope/pkg/registry"
)

// Subject is what a reference names, as far as referrers care: the image
// manifest for one platform and, when the reference named an index, that
// index. Signers sign either one.
type Subject struct {
	Index       *v1.Index     // nil when the reference named a manifest
	IndexDigest digest.Digest // "" without an index
	Manifest    digest.Digest // the platform's image manifest
}

// Digests lists the manifest digest, then the index digest if any.
func (s Subject) Digests() []digest.Digest {
	if s.IndexDigest == "" {
		return []digest.Digest{s.Manifest}
	}
	return []digest.Digest{s.Manifest, s.IndexDigest}
}

// Resolve fetches (verified) what r names and, for an index, the manifest
// of platform ("" means linux/amd64), without fetching config or layers.
func Resolve(ctx context.Context, c *registry.Client, r registry.Ref, platform string) (Subject, error) {
	f, err := c.Manifest(ctx, r, r.Identifier(), manifest.AcceptTypes(), manifest.MaxManifestSize)
	if err != nil {
		return Subject{}, err
	}
	m, err := manifest.Parse(f.Body, f.ContentType)
	if err != nil {
		return Subject{}, fmt.Errorf("manifest %s: %w", f.Digest, err)
	}
	if !m.IsIndex() {
		return Subject{Manifest: f.Digest}, nil
	}
	want, err := manifest.ParsePlatform(platform)
	if err != nil {
		return Subject{}, err
	}
	desc, err := manifest.Select(m.Index, want)
	if err != nil {
		return Subject{}, err
	}
	return Subject{Index: m.Index, IndexDigest: f.Digest, Manifest: desc.Digest}, nil
}
