package supply

import (
	"context"
	"fmt"

	"github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/regscope/regscope/pkg/attest"
	"github.com/regscope/regscope/pkg/referrers"
	"github.com/regscope/regscope/pkg/registry"
	"github.com/regscope/regscope/pkg/signature"
)

// KindDSSE is the Result.Kind of a DSSE envelope's signature check.
const KindDSSE = "dsse"

// Attestation is one attestation or SBOM blob found among the referrers.
type Attestation struct {
	Referrer digest.Digest // the manifest holding it
	Source   string        // how the manifest was found
	Subject  digest.Digest // what the manifest is attached to
	Layer    v1.Descriptor // the blob's descriptor
	Blob     []byte        // its bytes, digest-verified
	Doc      *attest.Document
	Err      string           // why it could not be decoded; Doc is nil then
	Result   signature.Result // the DSSE signature check (Kind KindDSSE); zero for unsigned forms
}

// attestations fetches and decodes every attestation or SBOM layer of ref.
func attestations(ctx context.Context, c *registry.Client, r registry.Ref, ref *referrers.Referrer) ([]*Attestation, error) {
	var out []*Attestation
	for _, l := range ref.Layers() {
		if !attest.IsDocument(l.MediaType) {
			continue
		}
		b, err := fetchBlob(ctx, c, r, l)
		if err != nil {
			return nil, err
		}
		a := &Attestation{Referrer: ref.Digest, Source: ref.Source, Subject: ref.Subject, Layer: l, Blob: b.data, Err: b.err}
		if b.err == "" {
			if a.Doc, err = attest.Decode(l.MediaType, b.data, ref.Subject); err != nil {
				a.Err = err.Error()
			}
		}
		out = append(out, a)
	}
	return out, nil
}

// check verifies a DSSE envelope's signature with keys.
func (a *Attestation) check(keys signature.Keys) signature.Result {
	if a.Doc == nil || a.Doc.Envelope == nil {
		return signature.Result{}
	}
	r := signature.Result{Kind: KindDSSE}
	if keys.PublicKey == nil {
		r.Status, r.Reason = signature.NotVerified, "no public key given to verify the DSSE envelope with"
		return r
	}
	r.Key = keys.KeyName
	by := fmt.Sprintf("%s key %s", signature.KeyName(keys.PublicKey), keys.KeyName)
	if err := a.Doc.Envelope.Verify(keys.PublicKey); err != nil {
		r.Status, r.Reason = signature.BadSignature, fmt.Sprintf("the DSSE envelope %s does not verify with %s", a.Layer.Digest, by)
		return r
	}
	if !a.Doc.SubjectMatch {
		r.Status, r.Reason = signature.OtherDigest, fmt.Sprintf("valid DSSE signature by %s, but no statement subject is %s", by, a.Subject)
		return r
	}
	r.Status, r.Reason = signature.Verified, fmt.Sprintf("DSSE envelope signed by %s for %s", by, a.Subject)
	return r
}
