//go:build !js

package supply_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/supplytest"
	"github.com/regscope/regscope/internal/tartest"
	"github.com/regscope/regscope/pkg/referrers"
	"github.com/regscope/regscope/pkg/registry"
	"github.com/regscope/regscope/pkg/signature"
	"github.com/regscope/regscope/pkg/supply"
)

// TestCorruptReferrers: a referrer manifest and a signature payload that
// the registry corrupts in transit are reported as such — never verified,
// never decoded — and the rest of the report stands: the intact
// signature is still verified.
func TestCorruptReferrers(t *testing.T) {
	faults := &regtest.Faults{}
	host := regtest.GGCRReferrers(t, faults.Wrap)
	repo := host + "/faults/app"
	img := imagetest.Image(t, imagetest.OCI, imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "f", Body: "f"}))
	d := regtest.Push(t, repo+":1", img)
	desc := supplytest.Descriptor(t, img)
	key := supplytest.NewKey(t, "p256")

	good := supplytest.SignatureReferrer(t, desc, key.Signed(t, supplytest.Payload(repo, d.String())))
	goodDigest := regtest.Push(t, repo+"@"+supplytest.Descriptor(t, good).Digest.String(), good)
	// A second signature whose payload blob will be corrupted: its own
	// payload differs (another identity) so its blob is another blob.
	bent := supplytest.SignatureReferrer(t, desc, key.Signed(t, supplytest.Payload(repo+"-2", d.String())))
	bentDigest := regtest.Push(t, repo+"@"+supplytest.Descriptor(t, bent).Digest.String(), bent)
	bentLayers, err := bent.Layers()
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := bentLayers[0].Digest()
	sbom := supplytest.WithSubject(supplytest.Artifact(t, supplytest.SPDXType, supplytest.Blob{MediaType: supplytest.SPDXType, Data: []byte(supplytest.SPDX)}), desc)
	sbomDigest := regtest.Push(t, repo+"@"+supplytest.Descriptor(t, sbom).Digest.String(), sbom)

	faults.Add(regtest.Fault{Kind: regtest.Corrupt, Path: "/manifests/" + sbomDigest.String(), Offset: 10})
	faults.Add(regtest.Fault{Kind: regtest.Corrupt, Path: "/blobs/" + payload.String(), Offset: 5})

	r, _ := registry.ParseRef(repo + ":1")
	c := registry.NewClient(registry.Options{})
	ctx := context.Background()
	subj, err := referrers.Resolve(ctx, c, r, "")
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := signature.ParsePublicKey(key.PEM)
	rep, err := supply.Collect(ctx, c, r, subj, signature.Keys{PublicKey: pub, KeyName: "cosign.pub"})
	if err != nil {
		t.Fatal(err)
	}
	var sbomRef *referrers.Referrer
	for _, ref := range rep.Referrers {
		if ref.Digest.String() == sbomDigest.String() {
			sbomRef = ref
		}
	}
	if sbomRef == nil || sbomRef.Body != nil || !strings.Contains(sbomRef.Err, "digest mismatch: want "+sbomDigest.String()) {
		t.Fatalf("corrupted SBOM manifest: %+v", sbomRef)
	}
	if len(rep.Attestations) != 0 {
		t.Errorf("an attestation was decoded from a manifest that did not verify: %+v", rep.Attestations)
	}
	got := map[string]signature.Result{}
	for _, s := range rep.Signatures {
		got[s.Referrer.String()] = s.Result
	}
	if s := got[goodDigest.String()]; s.Status != signature.Verified {
		t.Errorf("intact signature: %s: %s", s.Status, s.Reason)
	}
	bad := got[bentDigest.String()]
	wantPrefix := fmt.Sprintf("blob %s: ", payload)
	if bad.Status != signature.Invalid || !strings.HasPrefix(bad.Reason, wantPrefix) || !strings.Contains(bad.Reason, "digest mismatch") {
		t.Errorf("corrupted payload: %s: %s, want invalid: %s… digest mismatch", bad.Status, bad.Reason, wantPrefix)
	}
}
