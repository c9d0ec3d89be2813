package supply

import (
	"context"
	"fmt"
	"slices"

	"github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/regscope/regscope/pkg/referrers"
	"github.com/regscope/regscope/pkg/registry"
	"github.com/regscope/regscope/pkg/signature"
)

// MaxBlobSize bounds each signature payload, envelope, attestation or SBOM
// blob read into memory (16 MiB; real SBOMs of large images reach a few).
const MaxBlobSize = 16 << 20

// Report is an image's supply chain.
type Report struct {
	Subject      referrers.Subject
	Referrers    []*referrers.Referrer
	Signatures   []*Signature
	Attestations []*Attestation
}

// Signature is one signature found among the referrers, with what it needs
// to be checked again.
type Signature struct {
	Referrer digest.Digest // the signature manifest
	Source   string        // how the manifest was found
	Subject  digest.Digest // what it is attached to
	Layer    v1.Descriptor // the payload or envelope layer
	Blob     []byte        // its bytes, digest-verified; nil when FetchErr is set
	FetchErr string        // why the blob could not be fetched or verified
	Result   signature.Result
}

// Collect resolves nothing itself: it finds the referrers of subject's
// digests in r and fetches every signature's payload or envelope. The
// signatures are checked with keys (which may be empty).
func Collect(ctx context.Context, c *registry.Client, r registry.Ref, subject referrers.Subject, keys signature.Keys) (*Report, error) {
	refs, err := referrers.Find(ctx, c, r, subject.Digests(), referrers.Options{Index: subject.Index})
	if err != nil {
		return nil, err
	}
	rep := &Report{Subject: subject, Referrers: refs}
	err = walk(refs, func(ref *referrers.Referrer) error {
		for _, l := range ref.Layers() {
			if !isSignatureLayer(ref, l) {
				continue
			}
			b, err := fetchBlob(ctx, c, r, l)
			if err != nil {
				return err
			}
			rep.Signatures = append(rep.Signatures, &Signature{Referrer: ref.Digest, Source: ref.Source, Subject: ref.Subject, Layer: l, Blob: b.data, FetchErr: b.err})
		}
		as, err := attestations(ctx, c, r, ref)
		rep.Attestations = append(rep.Attestations, as...)
		return err
	})
	if err != nil {
		return nil, err
	}
	rep.Verify(keys)
	return rep, nil
}

// Verify checks every signature again with keys, replacing their Results.
func (rep *Report) Verify(keys signature.Keys) {
	for _, s := range rep.Signatures {
		s.Result = s.check(keys)
	}
	for _, a := range rep.Attestations {
		a.Result = a.check(keys)
	}
}

// check verifies one signature with keys.
func (s *Signature) check(keys signature.Keys) signature.Result {
	if s.FetchErr != "" {
		kind := signature.KindNotation
		if signature.IsCosign(s.Layer) {
			kind = signature.KindCosign
		}
		return signature.Result{Kind: kind, Status: signature.Invalid, Reason: s.FetchErr}
	}
	if signature.IsCosign(s.Layer) {
		return signature.Cosign{Layer: s.Layer, Payload: s.Blob}.Verify(s.Subject, keys)
	}
	return signature.VerifyNotation(s.Layer.MediaType, s.Blob, s.Subject, keys)
}

// isSignatureLayer reports whether layer l of ref is a signature: a cosign
// simple-signing layer, or the envelope of a Notation signature.
func isSignatureLayer(ref *referrers.Referrer, l v1.Descriptor) bool {
	return signature.IsCosign(l) || (ref.ArtifactType == signature.ArtifactTypeNotation && signature.IsNotationEnvelope(l.MediaType))
}

// walk calls fn for every referrer of the tree, parents first.
func walk(refs []*referrers.Referrer, fn func(*referrers.Referrer) error) error {
	for _, ref := range refs {
		if err := fn(ref); err != nil {
			return err
		}
		if err := walk(ref.Referrers, fn); err != nil {
			return err
		}
	}
	return nil
}

// Best returns the signature that settles the question "is this image
// signed with these keys?": among the signatures attached to the image
// itself (its manifest or index; a signature on one of its SBOMs does not
// count), the first Verified one, else the one with the most telling
// failure (another digest, then bad signature, then invalid, then not
// verified); nil when the image itself carries no signature.
func (rep *Report) Best() *Signature {
	own := rep.Subject.Digests()
	var best *Signature
	for _, s := range rep.Signatures {
		if !slices.Contains(own, s.Subject) {
			continue
		}
		if best == nil || rank(s.Result.Status) < rank(best.Result.Status) {
			best = s
		}
	}
	return best
}

func rank(s signature.Status) int {
	switch s {
	case signature.Verified:
		return 0
	case signature.OtherDigest:
		return 1
	case signature.BadSignature:
		return 2
	case signature.Invalid:
		return 3
	}
	return 4
}

// fetched is a blob's verified bytes, or why there are none.
type fetched struct {
	data []byte
	err  string
}

// fetchBlob reads layer l (verified, at most MaxBlobSize). A blob that
// cannot be read or verified is reported in err, so the rest of the report
// stands; only a cancelled context is an error.
func fetchBlob(ctx context.Context, c *registry.Client, r registry.Ref, l v1.Descriptor) (fetched, error) {
	b, err := c.BlobBytes(ctx, r, l, MaxBlobSize)
	if err == nil {
		return fetched{data: b}, nil
	}
	if ctx.Err() != nil {
		return fetched{}, ctx.Err()
	}
	return fetched{err: fmt.Sprintf("blob %s: %v", l.Digest, err)}, nil
}
