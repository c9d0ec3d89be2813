//go:build !js

package supply_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	ggcr "github.com/google/go-containerregistry/pkg/v1"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/supplytest"
	"github.com/regscope/regscope/internal/tartest"
	"github.com/regscope/regscope/pkg/attest"
	"github.com/regscope/regscope/pkg/referrers"
	"github.com/regscope/regscope/pkg/registry"
	"github.com/regscope/regscope/pkg/signature"
	"github.com/regscope/regscope/pkg/supply"
)

// chain is everything pushed for one image: an index with a BuildKit
// attestation manifest, an SPDX SBOM referring to the image with a cosign
// signature referring to the SBOM, a CycloneDX SBOM referring to the index,
// and a cosign .att attestation (DSSE, SLSA v1) under cosign's tag.
type chain struct {
	ref                                     string
	img, idx, att, spdx, sbomSig, cdx, dsse ggcr.Hash
	key                                     supplytest.Key
}

func pushChain(t *testing.T, host string) chain {
	key := supplytest.NewKey(t, "p256")
	repo := host + "/supply/app"
	img := imagetest.Image(t, imagetest.OCI, imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "app", Body: "app"}))
	imgDesc := supplytest.Descriptor(t, img)
	name := "pkg:docker/" + repo
	idx, att := supplytest.BuildKitIndex(t, img,
		supplytest.Blob{MediaType: supplytest.InTotoType, Data: supplytest.Statement(name, imgDesc.Digest.Hex, supplytest.SPDXPredicate, supplytest.SPDX), Annotations: map[string]string{supplytest.AnnPredicate: supplytest.SPDXPredicate}},
		supplytest.Blob{MediaType: supplytest.InTotoType, Data: supplytest.Statement(name, imgDesc.Digest.Hex, supplytest.SLSA02, supplytest.ProvenanceV02), Annotations: map[string]string{supplytest.AnnPredicate: supplytest.SLSA02}},
	)
	c := chain{ref: repo + ":1", key: key}
	c.idx = regtest.PushIndex(t, c.ref, idx)
	c.img = imgDesc.Digest
	c.att = supplytest.Descriptor(t, att).Digest

	spdx := supplytest.WithSubject(supplytest.Artifact(t, supplytest.SPDXType, supplytest.Blob{MediaType: supplytest.SPDXType, Data: []byte(supplytest.SPDX)}), imgDesc)
	c.spdx = push(t, repo, spdx)
	spdxDesc := supplytest.Descriptor(t, spdx)
	sig := supplytest.SignatureReferrer(t, spdxDesc, key.Signed(t, supplytest.Payload(repo, spdxDesc.Digest.String())))
	c.sbomSig = push(t, repo, sig)

	idxDesc := ggcr.Descriptor{MediaType: "application/vnd.oci.image.index.v1+json", Digest: c.idx}
	raw, _ := idx.RawManifest()
	idxDesc.Size = int64(len(raw))
	cdx := supplytest.WithSubject(supplytest.Artifact(t, supplytest.CycloneDXType, supplytest.Blob{MediaType: supplytest.CycloneDXType, Data: []byte(supplytest.CycloneDX)}), idxDesc)
	c.cdx = push(t, repo, cdx)

	env := key.DSSE(t, supplytest.InTotoType, supplytest.Statement(repo, imgDesc.Digest.Hex, supplytest.SLSA1, supplytest.ProvenanceV1))
	dsse := supplytest.Artifact(t, string("application/vnd.oci.image.config.v1+json"), supplytest.Blob{MediaType: supplytest.DSSEType, Data: env, Annotations: map[string]string{"predicateType": supplytest.SLSA1}})
	c.dsse = regtest.Push(t, fmt.Sprintf("%s:sha256-%s.att", repo, imgDesc.Digest.Hex), dsse)
	return c
}

func push(t *testing.T, repo string, img ggcr.Image) ggcr.Hash {
	return regtest.Push(t, repo+"@"+supplytest.Descriptor(t, img).Digest.String(), img)
}

// node is a referrer tree reduced to what the test compares.
type node struct {
	Digest, Source, ArtifactType, Type string
	Children                           []node
}

func tree(refs []*referrers.Referrer) []node {
	var out []node
	for _, r := range refs {
		out = append(out, node{string(r.Digest), r.Source, r.ArtifactType, r.Type(), tree(r.Referrers)})
	}
	return out
}

func TestCollect(t *testing.T) {
	for _, reg := range []struct{ name, host, listed string }{
		{"ggcr-referrers-api", regtest.GGCRReferrers(t, nil), referrers.SourceAPI},
		{"distribution-tag-fallback", regtest.Distribution(t, regtest.None), referrers.SourceTagSchema},
	} {
		t.Run(reg.name, func(t *testing.T) {
			c := pushChain(t, reg.host)
			r, err := registry.ParseRef(c.ref)
			if err != nil {
				t.Fatal(err)
			}
			client := registry.NewClient(registry.Options{})
			ctx := context.Background()
			subj, err := referrers.Resolve(ctx, client, r, "")
			if err != nil {
				t.Fatal(err)
			}
			if subj.Manifest.String() != c.img.String() || subj.IndexDigest.String() != c.idx.String() {
				t.Fatalf("subject %+v", subj)
			}
			pub, err := signature.ParsePublicKey(c.key.PEM)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := supply.Collect(ctx, client, r, subj, signature.Keys{PublicKey: pub, KeyName: "cosign.pub"})
			if err != nil {
				t.Fatal(err)
			}
			want := []node{
				{c.spdx.String(), reg.listed, "application/spdx+json", "application/spdx+json", []node{
					{c.sbomSig.String(), reg.listed, "application/vnd.dev.cosign.artifact.sig.v1+json", "application/vnd.dev.cosign.artifact.sig.v1+json", nil},
				}},
				{c.att.String(), referrers.SourceIndex, "application/vnd.oci.image.config.v1+json", "application/vnd.in-toto+json", nil},
				{c.dsse.String(), referrers.SourceCosignTag, "application/vnd.oci.image.config.v1+json", "application/vnd.dsse.envelope.v1+json", nil},
				{c.cdx.String(), reg.listed, "application/vnd.cyclonedx+json", "application/vnd.cyclonedx+json", nil},
			}
			if got := tree(rep.Referrers); !reflect.DeepEqual(got, want) {
				t.Errorf("referrers\n got %+v\nwant %+v", got, want)
			}
			if len(rep.Signatures) != 1 {
				t.Fatalf("%d signatures, want the one on the SBOM", len(rep.Signatures))
			}
			s := rep.Signatures[0]
			if s.Subject.String() != c.spdx.String() || s.Result.Status != signature.Verified ||
				s.Result.Reason != "signed by ECDSA P-256 key cosign.pub for "+c.spdx.String() {
				t.Errorf("SBOM signature: subject %s, %s: %s", s.Subject, s.Result.Status, s.Result.Reason)
			}
			if b := rep.Best(); b != nil {
				t.Errorf("the signature on the SBOM counts as the image's: %+v", b)
			}
			checkAttestations(t, c, rep.Attestations)
		})
	}
}

func checkAttestations(t *testing.T, c chain, as []*supply.Attestation) {
	t.Helper()
	type summary struct {
		Referrer, Media, Predicate string
		Match                      bool
		Builder                    string
		Packages                   []attest.SBOMPackage
		Status                     signature.Status
	}
	var got []summary
	for _, a := range as {
		if a.Err != "" {
			t.Errorf("attestation %s: %s", a.Layer.Digest, a.Err)
			continue
		}
		s := summary{Referrer: a.Referrer.String(), Media: a.Layer.MediaType, Predicate: a.Doc.PredicateType, Match: a.Doc.SubjectMatch, Status: a.Result.Status}
		if p := a.Doc.Provenance; p != nil {
			s.Builder = p.Builder
		}
		if b := a.Doc.SBOM; b != nil {
			s.Packages = b.Packages
		}
		got = append(got, s)
	}
	debs := []attest.SBOMPackage{
		{Name: "zlib1g", Version: "1:1.2.13.dfsg-1", License: "Zlib", PURL: "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12"},
		{Name: "libc6", Version: "2.36-9+deb12u7", License: "GPL-2.0-only AND LGPL-2.1-only", PURL: "pkg:deb/debian/libc6@2.36-9+deb12u7?arch=amd64&distro=debian-12"},
	}
	apks := []attest.SBOMPackage{
		{Name: "musl", Version: "1.2.5-r0", License: "MIT", PURL: "pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.20.0"},
		{Name: "busybox", Version: "1.36.1-r29", License: "GPL-2.0-only", PURL: "pkg:apk/alpine/busybox@1.36.1-r29?arch=x86_64&distro=alpine-3.20.0"},
	}
	want := []summary{
		{Referrer: c.spdx.String(), Media: "application/spdx+json", Predicate: "application/spdx+json", Packages: debs},
		{Referrer: c.att.String(), Media: "application/vnd.in-toto+json", Predicate: "https://spdx.dev/Document", Match: true, Packages: debs},
		{Referrer: c.att.String(), Media: "application/vnd.in-toto+json", Predicate: "https://slsa.dev/provenance/v0.2", Match: true, Builder: "https://github.com/docker/buildx@v0.14.0"},
		{Referrer: c.dsse.String(), Media: "application/vnd.dsse.envelope.v1+json", Predicate: "https://slsa.dev/provenance/v1", Match: true, Builder: "https://github.com/actions/runner/github-hosted", Status: signature.Verified},
		{Referrer: c.cdx.String(), Media: "application/vnd.cyclonedx+json", Predicate: "application/vnd.cyclonedx+json", Packages: apks},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("attestations\n got %+v\nwant %+v", got, want)
	}
}
