package pull

import (
	"github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/regscope/regscope/pkg/layers"
	"github.com/regscope/regscope/pkg/registry"
)

// Image is a pulled image: every check in Checks that was made passed.
type Image struct {
	// Ref is the reference as asked (tag and/or digest).
	Ref registry.Ref
	// Index is the index or manifest list the reference named, or nil when it
	// named an image manifest directly.
	Index *Blob
	// Platforms lists what the index offers (attestations excluded); nil
	// without an index.
	Platforms []v1.Platform
	// Platform is the platform of the pulled image.
	Platform v1.Platform
	// Manifest is the image manifest (schema1 included).
	Manifest Blob
	// Config is the config blob. For schema1 images, which have none, it holds
	// the synthesised config with an empty Digest.
	Config Blob
	// Image is the decoded config. For schema1 its DiffIDs are filled in from
	// the content.
	Image *v1.Image
	// Layers are the layers, bottom first.
	Layers []Layer
	// FS is the merged filesystem of all layers.
	FS *layers.FS
	// Checks are the verifications the pull made (and those it could not:
	// a manifest named by tag without Docker-Content-Digest, schema1's
	// DiffIDs and signature). Checks.String is the sentence every front end shows.
	Checks Checks
}

// Blob is a small document of the image (index, manifest, config) with the
// exact bytes that were verified.
type Blob struct {
	Digest    digest.Digest
	MediaType string
	Size      int64
	Body      []byte
}

// Layer is one verified layer.
type Layer struct {
	// Index is the 0-based position, bottom first.
	Index int
	// Digest, MediaType and Size describe the compressed blob.
	Digest    digest.Digest
	MediaType string
	Size      int64
	// DiffID is the digest of the uncompressed tar stream.
	DiffID digest.Digest
	// UncompressedSize is the length of the uncompressed tar stream.
	UncompressedSize int64
	// History is the config history entry that made the layer, if known.
	History *v1.History
	// Changes is the layer's own change set, whiteouts included.
	Changes *layers.ChangeSet
	// Stats counts what the layer added, modified and deleted in the merge.
	Stats layers.ApplyStats
	// FromIndex, when set, says the layer was listed from an index kept by
	// Options.Indexes (its blob and DiffID verified when first pulled) and
	// where that came from, e.g. "the verified cache (MAC checked)"; its
	// contents are read and verified when first asked for.
	FromIndex string
}

// Pinned returns the reference pinned to the digest of what was pulled: the
// index when there was one, else the manifest. Links made from it always
// name these exact bytes.
func (img *Image) Pinned() registry.Ref {
	if img.Index != nil {
		return img.Ref.WithDigest(img.Index.Digest)
	}
	return img.Ref.WithDigest(img.Manifest.Digest)
}
