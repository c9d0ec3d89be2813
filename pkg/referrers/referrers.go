package referrers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/regscope/regscope/pkg/manifest"
	"github.com/regscope/regscope/pkg/registry"
)

// How a referrer was found (Referrer.Source).
const (
	SourceAPI       = "referrers API"        // OCI 1.1 GET /v2/<name>/referrers/<digest>
	SourceTagSchema = "referrers tag"        // the index tagged sha256-<hex>
	SourceCosignTag = "cosign tag"           // sha256-<hex>.sig, .att or .sbom
	SourceIndex     = "attestation in index" // a BuildKit attestation manifest in the image's index
)

// cosignTagSuffixes returns the suffixes cosign appends to the subject's
// referrers tag for signatures, attestations and SBOMs.
func cosignTagSuffixes() []string { return []string{".sig", ".att", ".sbom"} }

// Annotations read from referrer manifests and index entries.
const (
	AnnotationCreated         = v1.AnnotationCreated // org.opencontainers.image.created
	AnnotationReferenceDigest = "vnd.docker.reference.digest"
)

// Referrer is one manifest that refers to a subject, with its verified bytes.
type Referrer struct {
	Subject      digest.Digest     // what it refers to
	Digest       digest.Digest     // its manifest digest
	MediaType    string            // its manifest media type
	ArtifactType string            // artifactType, else its config's media type
	Size         int64             // its manifest size in bytes
	Annotations  map[string]string // the manifest's annotations
	Created      string            // org.opencontainers.image.created, when present
	Source       string            // how it was found: one of the Source constants
	Tag          string            // the tag it was read from (cosign tags), else ""
	Body         []byte            // the manifest, exactly as verified
	Manifest     *v1.Manifest      // decoded, nil when the referrer is an index
	Index        *v1.Index         // decoded, nil unless the referrer is an index
	Referrers    []*Referrer       // referrers of this referrer
	// Err says why the manifest could not be fetched or verified; the
	// referrer then has no Body, Manifest or Index, and is not followed.
	Err string
}

// Layers returns the referrer's layer descriptors (nil for an index).
func (r *Referrer) Layers() []v1.Descriptor {
	if r.Manifest == nil {
		return nil
	}
	return r.Manifest.Layers
}

// Options tune Find. The zero value finds everything, two levels deep.
type Options struct {
	// ArtifactType, when set, keeps only top-level referrers of that type.
	ArtifactType string
	// Index is the image's index, if it has one: BuildKit attestation
	// manifests in it whose reference digest is a subject are returned too.
	Index *v1.Index
	// Depth is how many levels of referrers of referrers to follow below the
	// subjects (default 2; 1 finds direct referrers only).
	Depth int
	// Max is the most referrers Find returns in all (default 256).
	Max int
}

// Find returns the referrers of each subject (an image manifest, its
// index) in repository r, direct ones first by subject, each with its own
// referrers nested. A subject's referrers are deduplicated by digest across
// the ways of finding them.
func Find(ctx context.Context, c *registry.Client, r registry.Ref, subjects []digest.Digest, o Options) ([]*Referrer, error) {
	if o.Depth <= 0 {
		o.Depth = 2
	}
	if o.Max <= 0 {
		o.Max = 256
	}
	f := &finder{c: c, r: r, o: o, seen: map[digest.Digest]bool{}}
	var out []*Referrer
	for _, s := range subjects {
		f.seen[s] = true
	}
	for _, s := range subjects {
		refs, err := f.find(ctx, s, o.ArtifactType, 1)
		if err != nil {
			return nil, err
		}
		out = append(out, refs...)
	}
	return out, nil
}

type finder struct {
	c    *registry.Client
	r    registry.Ref
	o    Options
	seen map[digest.Digest]bool
	n    int
}

// find collects subject's referrers at the given depth, then theirs.
func (f *finder) find(ctx context.Context, subject digest.Digest, artifactType string, depth int) ([]*Referrer, error) {
	descs, source, err := f.listed(ctx, subject, artifactType)
	if err != nil {
		return nil, err
	}
	var out []*Referrer
	add := func(ref *Referrer) error {
		if ref.Digest != "" && f.seen[ref.Digest] {
			return nil
		}
		if f.n >= f.o.Max {
			return fmt.Errorf("referrers of %s: more than %d", subject, f.o.Max)
		}
		f.seen[ref.Digest] = true
		f.n++
		out = append(out, ref)
		return nil
	}
	type listed struct {
		d      v1.Descriptor
		source string
	}
	var all []listed
	for _, d := range descs {
		all = append(all, listed{d, source})
	}
	if depth == 1 && f.o.Index != nil {
		for _, d := range f.o.Index.Manifests {
			if manifest.IsAttestation(d) && d.Annotations[AnnotationReferenceDigest] == string(subject) {
				all = append(all, listed{d, SourceIndex})
			}
		}
	}
	for _, l := range all {
		ref, err := f.fetch(ctx, subject, l.d, l.source)
		if err != nil {
			return nil, err
		}
		if err := add(ref); err != nil {
			return nil, err
		}
	}
	tagged, err := f.cosignTags(ctx, subject)
	if err != nil {
		return nil, err
	}
	for _, ref := range tagged {
		if artifactType == "" || ref.ArtifactType == artifactType || ref.Err != "" {
			if err := add(ref); err != nil {
				return nil, err
			}
		}
	}
	if depth < f.o.Depth {
		for _, ref := range out {
			if ref.Err != "" {
				continue // not verified: not followed
			}
			if ref.Referrers, err = f.find(ctx, ref.Digest, "", depth+1); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// listed asks the referrers API, and on 404 the referrers tag schema, for
// subject's referrers.
func (f *finder) listed(ctx context.Context, subject digest.Digest, artifactType string) ([]v1.Descriptor, string, error) {
	descs, err := f.c.Referrers(ctx, f.r, subject, artifactType, manifest.MaxManifestSize)
	if err == nil {
		return descs, SourceAPI, nil
	}
	if !errors.Is(err, registry.ErrNotFound) {
		return nil, "", fmt.Errorf("referrers of %s: %w", subject, err)
	}
	tag := registry.ReferrersTag(subject)
	m, err := f.c.Manifest(ctx, f.r, tag, []string{v1.MediaTypeImageIndex}, manifest.MaxManifestSize)
	if errors.Is(err, registry.ErrNotFound) {
		return nil, SourceTagSchema, nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("referrers tag %s: %w", tag, err)
	}
	var idx v1.Index
	if err := json.Unmarshal(m.Body, &idx); err != nil {
		return nil, "", fmt.Errorf("referrers tag %s: not an image index: %v", tag, err)
	}
	descs = nil
	for _, d := range idx.Manifests {
		if artifactType == "" || d.ArtifactType == artifactType {
			descs = append(descs, d)
		}
	}
	return descs, SourceTagSchema, nil
}

// cosignTags reads the manifests under cosign's tags for subject, skipping
// the tags that do not exist. A tag whose manifest cannot be read or
// verified is returned with Err set.
func (f *finder) cosignTags(ctx context.Context, subject digest.Digest) ([]*Referrer, error) {
	var out []*Referrer
	for _, suffix := range cosignTagSuffixes() {
		tag := registry.ReferrersTag(subject) + suffix
		m, err := f.c.Manifest(ctx, f.r, tag, manifest.AcceptTypes(), manifest.MaxManifestSize)
		if errors.Is(err, registry.ErrNotFound) {
			continue
		}
		var ref *Referrer
		if err == nil {
			ref, err = decode(subject, m, SourceCosignTag)
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			ref = &Referrer{Subject: subject, Source: SourceCosignTag, Err: fmt.Sprintf("cosign tag %s: %v", tag, err)}
		}
		ref.Tag = tag
		out = append(out, ref)
	}
	return out, nil
}

// fetch reads the referrer manifest d lists (verified against d.Digest by
// pkg/registry). A manifest that cannot be fetched, does not verify or does
// not decode comes back as a Referrer with Err set and no content, so the
// other referrers stay; only a cancelled context is an error.
func (f *finder) fetch(ctx context.Context, subject digest.Digest, d v1.Descriptor, source string) (*Referrer, error) {
	accept := manifest.AcceptTypes()
	if d.MediaType != "" {
		accept = append([]string{d.MediaType}, accept...)
	}
	m, err := f.c.Manifest(ctx, f.r, string(d.Digest), accept, manifest.MaxManifestSize)
	var ref *Referrer
	if err == nil {
		ref, err = decode(subject, m, source)
	}
	if err == nil {
		return ref, nil
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return &Referrer{Subject: subject, Digest: d.Digest, MediaType: d.MediaType, ArtifactType: d.ArtifactType, Size: d.Size,
		Annotations: d.Annotations, Created: d.Annotations[AnnotationCreated], Source: source,
		Err: fmt.Sprintf("referrer %s of %s: %v", d.Digest, subject, err)}, nil
}
