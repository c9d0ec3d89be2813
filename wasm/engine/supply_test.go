package engine

import (
	"context"
	"os"
	"testing"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/supplytest"
	"github.com/regscope/regscope/internal/tartest"
	"github.com/regscope/regscope/pkg/layers"
	"github.com/regscope/regscope/pkg/pull"
	"github.com/regscope/regscope/pkg/registry"
	"github.com/regscope/regscope/wasm/msg"
)

// TestSupplyAndPackages answers both requests about a pulled Debian image
// signed with a cosign key: with the key pasted the signature is verified,
// with another key it is a bad signature, with garbage the key error says
// why; the packages carry their layer and files.
func TestSupplyAndPackages(t *testing.T) {
	host := regtest.GGCRReferrers(t, nil)
	status, err := os.ReadFile("../../pkg/packages/testdata/debian/status")
	if err != nil {
		t.Fatal(err)
	}
	list, err := os.ReadFile("../../pkg/packages/testdata/debian/info/bash.list")
	if err != nil {
		t.Fatal(err)
	}
	ref := host + "/engine/supply:1"
	img := imagetest.Image(t, imagetest.OCI,
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "var/lib/dpkg/status", Body: string(status)}),
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "var/lib/dpkg/info/bash.list", Body: string(list)}),
	)
	d := regtest.Push(t, ref, img)
	key := supplytest.NewKey(t, "ed25519")
	sig := supplytest.SignatureReferrer(t, supplytest.Descriptor(t, img), key.Signed(t, supplytest.Payload(host+"/engine/supply", d.String())))
	sigDigest := regtest.Push(t, host+"/engine/supply@"+supplytest.Descriptor(t, sig).Digest.String(), sig)

	pulled, err := pull.Pull(context.Background(), ref, pull.Options{Store: layers.MemStore()})
	if err != nil {
		t.Fatal(err)
	}
	c := registry.NewClient(registry.Options{})
	for _, tc := range []struct{ name, key, status, reason, keyErr string }{
		{"pasted key", string(key.PEM), "verified", "signed by Ed25519 key pasted key for " + d.String(), ""},
		{"other key", string(supplytest.NewKey(t, "ed25519").PEM), "bad signature", "", ""}, // reason names the payload layer
		{"no key", "", "not verified", "no public key given to verify it with", ""},
		{"garbage", "not a key", "not verified", "no public key given to verify it with", "public key: no PEM block found"},
	} {
		r, err := Supply(context.Background(), c, pulled, msg.SupplyRequest{Key: tc.key})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Referrers) != 1 || r.Referrers[0].Digest != sigDigest.String() || r.Referrers[0].Source != "referrers API" || len(r.Signatures) != 1 {
			t.Fatalf("%s: %+v", tc.name, r)
		}
		s := r.Signatures[0]
		want := tc.reason
		if tc.name == "other key" {
			want = "the signature over payload " + s.Layer + " does not verify with Ed25519 key pasted key"
		}
		if r.Verdict == nil || r.Verdict.Status != tc.status || r.Verdict.Referrer != sigDigest.String() {
			t.Errorf("%s: verdict %+v, want %s", tc.name, r.Verdict, tc.status)
		}
		if s.Status != tc.status || s.Reason != want || r.KeyError != tc.keyErr || r.Manifest != d.String() {
			t.Errorf("%s: %s: %s (key error %q), want %s: %s (%q)", tc.name, s.Status, s.Reason, r.KeyError, tc.status, want, tc.keyErr)
		}
	}

	p, err := Packages(pulled)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Packages) != 13 {
		t.Fatalf("%d packages", len(p.Packages))
	}
	bash := p.Packages[1]
	if bash.Name != "bash" || bash.Version != "5.2.15-2+b8" || bash.Layer != 0 || bash.DB != "/var/lib/dpkg/status" || len(bash.Files) != 167 || bash.Files[len(bash.Files)-1] != lastLine(string(list)) {
		t.Errorf("bash: %+v", bash)
	}
}

func lastLine(s string) string {
	for len(s) > 0 && s[len(s)-1] == '\n' {
		s = s[:len(s)-1]
	}
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '\n' {
			return s[i+1:]
		}
	}
	return s
}
