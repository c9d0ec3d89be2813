//go:build !js

package cli

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	ggcr "github.com/google/go-containerregistry/pkg/v1"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/supplytest"
	"github.com/regscope/regscope/internal/tartest"
)

// signedCase pushes an image to repo and, with sign, whatever signature the
// case attaches; it returns the signature manifest's digest ("" if none).
type signedCase struct {
	name string
	sign func(t *testing.T, host, repo string, img ggcr.Image) ggcr.Image
	// want is the expected stdout (exit 0) or stderr (exit 1) for the case,
	// given the reference, the image digest, the signature manifest digest
	// and the payload layer digest.
	want func(ref, img, sig, layer string) string
	ok   bool
}

func writeKey(t *testing.T, k supplytest.Key) string {
	p := filepath.Join(t.TempDir(), "cosign.pub")
	if err := os.WriteFile(p, k.PEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func layerDigest(b []byte) string { return fmt.Sprintf("sha256:%x", sha256.Sum256(b)) }

func TestCLIVerify(t *testing.T) {
	key := supplytest.NewKey(t, "p256")
	other := supplytest.NewKey(t, "p256")
	keyFile := writeKey(t, key)
	var lastPayload []byte
	referrer := func(payload func(ref, d string) []byte, signer supplytest.Key, tamper bool) func(*testing.T, string, string, ggcr.Image) ggcr.Image {
		return func(t *testing.T, host, repo string, img ggcr.Image) ggcr.Image {
			d := supplytest.Descriptor(t, img)
			p := payload(host+"/"+repo, d.Digest.String())
			l := signer.Signed(t, p)
			if tamper {
				l.Payload = supplytest.Payload(host+"/"+repo+"-evil", d.Digest.String())
			}
			lastPayload = l.Payload
			return supplytest.SignatureReferrer(t, d, l)
		}
	}
	own := func(ref, d string) []byte { return supplytest.Payload(ref, d) }
	elsewhere := func(ref, d string) []byte {
		return supplytest.Payload(ref, "sha256:"+fmt.Sprintf("%064x", 7))
	}
	cases := []signedCase{
		{name: "valid", sign: referrer(own, key, false), ok: true, want: func(ref, img, sig, layer string) string {
			return fmt.Sprintf("verified: signed by ECDSA P-256 key cosign.pub for %s (signature %s, %%s)\n", img, sig)
		}},
		{name: "tampered", sign: referrer(own, key, true), want: func(ref, img, sig, layer string) string {
			return fmt.Sprintf("regscope: verify %s: bad signature: the signature over payload %s does not verify with ECDSA P-256 key cosign.pub (signature %s, %%s)\n", ref, layer, sig)
		}},
		{name: "other-digest", sign: referrer(elsewhere, key, false), want: func(ref, img, sig, layer string) string {
			return fmt.Sprintf("regscope: verify %s: signed for another digest: valid signature by ECDSA P-256 key cosign.pub, but it signs sha256:%064x, not %s (signature %s, %%s)\n", ref, 7, img, sig)
		}},
		{name: "wrong-key", sign: referrer(own, other, false), want: func(ref, img, sig, layer string) string {
			return fmt.Sprintf("regscope: verify %s: bad signature: the signature over payload %s does not verify with ECDSA P-256 key cosign.pub (signature %s, %%s)\n", ref, layer, sig)
		}},
		{name: "unsigned", want: func(ref, img, sig, layer string) string {
			return fmt.Sprintf("regscope: verify %s: no signature found for manifest %s\n", ref, img)
		}},
	}
	registries := []struct {
		name, host, source string
	}{
		{"ggcr-referrers-api", regtest.GGCRReferrers(t, nil), "referrers API"},
		{"distribution-tag-fallback", regtest.Distribution(t, regtest.None), "referrers tag"},
	}
	for _, reg := range registries {
		for _, c := range cases {
			t.Run(reg.name+"/"+c.name, func(t *testing.T) {
				repo := "verify/" + c.name
				ref := reg.host + "/" + repo + ":1"
				img := imagetest.Image(t, imagetest.OCI, imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "etc/os-release", Body: "ID=" + c.name + "\n"}))
				imgDigest := regtest.Push(t, ref, img).String()
				var sigDigest, layer string
				if c.sign != nil {
					sig := c.sign(t, reg.host, repo, img)
					sigDigest = regtest.Push(t, reg.host+"/"+repo+"@"+supplytest.Descriptor(t, sig).Digest.String(), sig).String()
					layer = layerDigest(lastPayload)
				}
				code, out, errs := run(t, nil, "verify", "--key", keyFile, ref)
				want := c.want(ref, imgDigest, sigDigest, layer)
				if c.sign != nil {
					want = fmt.Sprintf(want, reg.source)
				}
				got := errs
				if c.ok {
					got = out
				}
				if (code == 0) != c.ok || got != want {
					t.Errorf("exit %d\nstdout %q\nstderr %q\nwant   %q", code, out, errs, want)
				}
			})
		}
	}
}

// TestCLIVerifyCosignTag checks signatures under cosign's sha256-<hex>.sig
// tag, with each key type cosign signs with, and verify --json listing
// every signature with its status.
func TestCLIVerifyCosignTag(t *testing.T) {
	host := regtest.GGCR(t)
	for _, kind := range []string{"p256", "p384", "ed25519"} {
		t.Run(kind, func(t *testing.T) {
			key := supplytest.NewKey(t, kind)
			wrong := supplytest.NewKey(t, kind)
			repo := "cosign/" + kind
			ref := host + "/" + repo + ":1"
			img := imagetest.Image(t, imagetest.OCI, imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "k", Body: kind}))
			d := regtest.Push(t, ref, img)
			good := key.Signed(t, supplytest.Payload(host+"/"+repo, d.String()))
			bad := wrong.Signed(t, supplytest.Payload(host+"/"+repo, d.String()))
			sig := supplytest.SignatureImage(t, bad, good)
			sigDigest := regtest.Push(t, fmt.Sprintf("%s/%s:sha256-%s.sig", host, repo, d.Hex), sig)
			code, out, errs := run(t, nil, "verify", "--json", "--key", writeKey(t, key), ref)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			var rep verifyReport
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			name := map[string]string{"p256": "ECDSA P-256", "p384": "ECDSA P-384", "ed25519": "Ed25519"}[kind]
			want := verifyReport{Reference: ref, Manifest: d.String(), Signatures: []signatureJSON{
				{Signature: sigDigest.String(), Source: "cosign tag", Subject: d.String(), Layer: layerDigest(bad.Payload), Kind: "cosign", Status: "bad signature",
					Reason:       fmt.Sprintf("the signature over payload %s does not verify with %s key cosign.pub", layerDigest(bad.Payload), name),
					SignedDigest: d.String(), Key: "cosign.pub"},
				{Signature: sigDigest.String(), Source: "cosign tag", Subject: d.String(), Layer: layerDigest(good.Payload), Kind: "cosign", Status: "verified",
					Reason:       fmt.Sprintf("signed by %s key cosign.pub for %s", name, d),
					SignedDigest: d.String(), Key: "cosign.pub"},
			}}
			gotJSON, _ := json.Marshal(rep)
			wantJSON, _ := json.Marshal(want)
			if string(gotJSON) != string(wantJSON) {
				t.Errorf("verify --json\n got %s\nwant %s", gotJSON, wantJSON)
			}
		})
	}
}

// TestCLIVerifyKeyless verifies a keyless (Fulcio-style) signature with
// --root; with another root the chain fails; --json shows the identity and
// says the Rekor bundle is not checked.
func TestCLIVerifyKeyless(t *testing.T) {
	host := regtest.GGCRReferrers(t, nil)
	fulcio := supplytest.NewFulcio(t)
	repo := host + "/keyless/app"
	ref := repo + ":1"
	img := imagetest.Image(t, imagetest.OCI, imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "k", Body: "keyless"}))
	d := regtest.Push(t, ref, img).String()
	sig := supplytest.SignatureReferrer(t, supplytest.Descriptor(t, img), fulcio.Sign(t, "dev@example.com", "https://accounts.example", supplytest.Payload(repo, d)))
	sigDigest := regtest.Push(t, repo+"@"+supplytest.Descriptor(t, sig).Digest.String(), sig).String()
	rootFile := filepath.Join(t.TempDir(), "fulcio.pem")
	if err := os.WriteFile(rootFile, fulcio.RootPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := run(t, nil, "verify", "--root", rootFile, ref)
	want := fmt.Sprintf("verified: signed by dev@example.com (issuer https://accounts.example), certificate chained to root fulcio.pem for %s (signature %s, referrers API)\n", d, sigDigest)
	if code != 0 || out != want {
		t.Errorf("exit %d\nstdout %q\nstderr %q\nwant %q", code, out, errs, want)
	}
	code, out, _ = run(t, nil, "verify", "--json", "--root", rootFile, ref)
	var rep verifyReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 0 || len(rep.Signatures) != 1 {
		t.Fatalf("exit %d, %v: %s", code, err, out)
	}
	s := rep.Signatures[0]
	if s.Kind != "cosign keyless" || s.Signer == nil || s.Signer.Identity != "dev@example.com" || s.Signer.Issuer != "https://accounts.example" ||
		len(s.Unchecked) != 1 || s.Unchecked[0] != "the Rekor bundle is not checked: neither transparency-log inclusion nor that the signature was made while the certificate was valid" {
		t.Errorf("keyless signature in --json: %+v", s)
	}

	other := filepath.Join(t.TempDir(), "other.pem")
	if err := os.WriteFile(other, supplytest.NewFulcio(t).RootPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errs = run(t, nil, "verify", "--root", other, ref)
	want = fmt.Sprintf("regscope: verify %s: bad signature: the certificate for dev@example.com does not chain to root other.pem: x509: certificate signed by unknown authority (possibly because of \"x509: ECDSA verification failure\" while trying to verify candidate authority certificate \"sigstore\") (signature %s, referrers API)\n", ref, sigDigest)
	if code != 1 || errs != want {
		t.Errorf("other root: exit %d\nstderr %q\nwant   %q", code, errs, want)
	}
}
