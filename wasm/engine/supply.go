package engine

import (
	"context"
	"encoding/json"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/regscope/regscope/pkg/attest"
	"github.com/regscope/regscope/pkg/layers"
	"github.com/regscope/regscope/pkg/manifest"
	"github.com/regscope/regscope/pkg/packages"
	"github.com/regscope/regscope/pkg/pull"
	"github.com/regscope/regscope/pkg/referrers"
	"github.com/regscope/regscope/pkg/registry"
	"github.com/regscope/regscope/pkg/signature"
	"github.com/regscope/regscope/pkg/supply"
	"github.com/regscope/regscope/wasm/msg"
)

// Packages answers the package inventory of img (pkg/packages).
func Packages(img *pull.Image) (*msg.PackagesResult, error) {
	cs := make([]*layers.ChangeSet, len(img.Layers))
	for i, l := range img.Layers {
		cs[i] = l.Changes
	}
	ps, err := packages.Read(img.FS, cs)
	if err != nil {
		return nil, &msg.ErrorInfo{Kind: msg.ErrOther, Message: "package database: " + err.Error(), Layer: -1}
	}
	out := &msg.PackagesResult{Packages: []msg.Package{}}
	for _, p := range ps {
		out.Packages = append(out.Packages, msg.Package{Name: p.Name, Version: p.Version, Arch: p.Arch, Source: p.Source,
			License: p.License, Manager: p.Manager, DB: p.DB, Layer: p.Layer, Files: p.Files})
	}
	return out, nil
}

// SubjectOf is what img's reference named, for referrers: its manifest and,
// when it came from an index, that index.
func SubjectOf(img *pull.Image) referrers.Subject {
	s := referrers.Subject{Manifest: img.Manifest.Digest}
	if img.Index != nil {
		if m, err := manifest.Parse(img.Index.Body, img.Index.MediaType); err == nil && m.IsIndex() {
			s.Index, s.IndexDigest = m.Index, img.Index.Digest
		}
	}
	return s
}

// Supply collects img's supply chain with c, signatures checked with the
// keys req carries. A key that does not parse is reported in KeyError and
// the signatures are checked without it.
func Supply(ctx context.Context, c *registry.Client, img *pull.Image, req msg.SupplyRequest) (*msg.SupplyResult, error) {
	keys, keyErr := pastedKeys(req)
	rep, err := supply.Collect(ctx, c, img.Ref, SubjectOf(img), keys)
	if err != nil {
		return nil, err
	}
	out := &msg.SupplyResult{Manifest: string(rep.Subject.Manifest), Index: string(rep.Subject.IndexDigest), KeyError: keyErr,
		Referrers: referrerRows(rep.Referrers), Signatures: []msg.Signature{}, Attestations: []msg.Attestation{}}
	for _, s := range rep.Signatures {
		out.Signatures = append(out.Signatures, signatureRow(s.Referrer, s.Subject, s.Layer.Digest, s.Source, s.Result))
	}
	if b := rep.Best(); b != nil {
		v := signatureRow(b.Referrer, b.Subject, b.Layer.Digest, b.Source, b.Result)
		out.Verdict = &v
	}
	for _, a := range rep.Attestations {
		out.Attestations = append(out.Attestations, attestationRow(a))
	}
	return out, nil
}

// pastedKeys parses the PEM a person pasted; the error is for them to read.
func pastedKeys(req msg.SupplyRequest) (signature.Keys, string) {
	var k signature.Keys
	if req.Key != "" {
		pub, err := signature.ParsePublicKey([]byte(req.Key))
		if err != nil {
			return k, err.Error()
		}
		k.PublicKey, k.KeyName = pub, "pasted key"
	}
	if req.Root != "" {
		pool, err := signature.CertPool([]byte(req.Root))
		if err != nil {
			return k, "root certificate: " + err.Error()
		}
		k.Roots, k.RootName = pool, "pasted root"
	}
	return k, ""
}

func referrerRows(refs []*referrers.Referrer) []msg.Referrer {
	out := make([]msg.Referrer, 0, len(refs))
	for _, r := range refs {
		out = append(out, msg.Referrer{Digest: string(r.Digest), Subject: string(r.Subject), MediaType: r.MediaType, ArtifactType: r.ArtifactType, Type: r.Type(),
			Size: r.Size, Source: r.Source, Tag: r.Tag, Created: r.Created, Annotations: r.Annotations, Body: string(r.Body),
			Error: r.Err, Referrers: referrerRows(r.Referrers)})
	}
	return out
}

func signatureRow(ref, subject, layer digest.Digest, source string, r signature.Result) msg.Signature {
	s := msg.Signature{Referrer: string(ref), Subject: string(subject), Layer: string(layer), Source: source, Kind: r.Kind,
		Status: string(r.Status), Reason: r.Reason, SignedDigest: string(r.SignedDigest), Key: r.Key, Unchecked: r.Unchecked}
	if c := r.Signer; c != nil {
		s.Signer = &msg.Signer{Subject: c.Subject, Identity: c.Identity, Issuer: c.Issuer,
			NotBefore: c.NotBefore.UTC().Format(time.RFC3339), NotAfter: c.NotAfter.UTC().Format(time.RFC3339)}
	}
	return s
}

func attestationRow(a *supply.Attestation) msg.Attestation {
	row := msg.Attestation{Referrer: string(a.Referrer), Subject: string(a.Subject), Layer: string(a.Layer.Digest),
		MediaType: a.Layer.MediaType, Source: a.Source, Error: a.Err, Raw: string(a.Blob)}
	d := a.Doc
	if d == nil {
		return row
	}
	row.PredicateType, row.SubjectMatch, row.Statement = d.PredicateType, d.SubjectMatch, d.Statement != nil
	if d.Envelope != nil {
		row.Raw = string(d.Envelope.Payload)
		s := signatureRow(a.Referrer, a.Subject, a.Layer.Digest, a.Source, a.Result)
		row.Signature = &s
	}
	if p := d.Provenance; p != nil {
		row.Builder, row.BuildType, row.Parameters = p.Builder, p.BuildType, string(p.Parameters)
		for _, src := range p.Sources {
			row.Sources = append(row.Sources, sourceString(src))
		}
	}
	if b := d.SBOM; b != nil {
		row.SBOM = &msg.SBOM{Format: b.Format, Version: b.Version, Name: b.Name, Packages: []msg.SBOMPackage{}}
		for _, p := range b.Packages {
			row.SBOM.Packages = append(row.SBOM.Packages, msg.SBOMPackage(p))
		}
	}
	return row
}

// sourceString is "uri@alg:hex" (the first digest, in name order).
func sourceString(s attest.Source) string {
	b, _ := json.Marshal(s.Digest) // map keys sorted
	if len(s.Digest) == 0 {
		return s.URI
	}
	return s.URI + " " + string(b)
}
