package signature_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"reflect"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/regscope/regscope/pkg/signature"
)

// ca is a certificate and its key, for building chains in tests.
type ca struct {
	cert *x509.Certificate
	key  crypto.Signer
}

func issue(t *testing.T, tmpl *x509.Certificate, parent *ca, key crypto.Signer) *ca {
	t.Helper()
	sn, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl.SerialNumber = sn
	signer, parentCert := key, tmpl
	if parent != nil {
		signer, parentCert = parent.key, parent.cert
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parentCert, key.Public(), signer)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &ca{cert: c, key: key}
}

func ecKey(t *testing.T) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func authority(t *testing.T, name string, parent *ca, start time.Time) *ca {
	return issue(t, &x509.Certificate{Subject: pkix.Name{CommonName: name}, NotBefore: start, NotAfter: start.Add(10 * 365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}, parent, ecKey(t))
}

func pemOf(cs ...*x509.Certificate) []byte {
	var b []byte
	for _, c := range cs {
		b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return b
}

func pool(cs ...*x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range cs {
		p.AddCert(c)
	}
	return p
}

// fulcioLeaf is a short-lived code-signing certificate for an email
// identity with Fulcio's issuer extension, issued (like Fulcio's) in the past.
func fulcioLeaf(t *testing.T, parent *ca, notBefore time.Time) *ca {
	issuer, _ := asn1.MarshalWithParams("https://accounts.example", "utf8")
	return issue(t, &x509.Certificate{NotBefore: notBefore, NotAfter: notBefore.Add(10 * time.Minute),
		EmailAddresses: []string{"dev@example.com"}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage:     []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 8}, Value: issuer}}}, parent, ecKey(t))
}

func payload(d string) []byte {
	return fmt.Appendf(nil, `{"critical":{"identity":{"docker-reference":"r.example/app"},"image":{"docker-manifest-digest":%q},"type":"cosign container image signature"},"optional":null}`, d)
}

func signASN1(t *testing.T, k crypto.Signer, msg []byte) string {
	h := sha256.Sum256(msg)
	sig, err := ecdsa.SignASN1(rand.Reader, k.(*ecdsa.PrivateKey), h[:])
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(sig)
}

// TestKeyless checks a Fulcio-style certificate signature: identity and
// issuer shown, chain checked against the root supplied at the time the
// certificate was issued (it has long expired), and Rekor said unchecked.
func TestKeyless(t *testing.T) {
	start := time.Now().Add(-48 * time.Hour)
	root := authority(t, "sigstore", nil, start.Add(-time.Hour))
	inter := authority(t, "sigstore-intermediate", root, start.Add(-time.Hour))
	leaf := fulcioLeaf(t, inter, start)
	otherRoot := authority(t, "other", nil, start.Add(-time.Hour))
	subject := digest.FromString("image")
	layer := func(p []byte, sig string) signature.Cosign {
		return signature.Cosign{Payload: p, Layer: v1.Descriptor{MediaType: signature.MediaTypeSimpleSigning, Digest: digest.FromBytes(p), Annotations: map[string]string{
			signature.AnnotationSignature: sig, signature.AnnotationCertificate: string(pemOf(leaf.cert)), signature.AnnotationChain: string(pemOf(inter.cert, root.cert)),
		}}}
	}
	good := payload(string(subject))
	elsewhere := payload(string(digest.FromString("other")))
	cases := []struct {
		name   string
		s      signature.Cosign
		keys   signature.Keys
		status signature.Status
		reason string
	}{
		{"verified", layer(good, signASN1(t, leaf.key, good)), signature.Keys{Roots: pool(root.cert), RootName: "fulcio.pem"}, signature.Verified,
			"signed by dev@example.com (issuer https://accounts.example), certificate chained to root fulcio.pem for " + string(subject)},
		{"no root", layer(good, signASN1(t, leaf.key, good)), signature.Keys{}, signature.NotVerified,
			"the signature matches the certificate for dev@example.com (issuer https://accounts.example), but no Fulcio root was given to check the certificate with"},
		{"other root", layer(good, signASN1(t, leaf.key, good)), signature.Keys{Roots: pool(otherRoot.cert), RootName: "other.pem"}, signature.BadSignature,
			"the certificate for dev@example.com does not chain to root other.pem: x509: certificate signed by unknown authority"},
		{"tampered", layer(payload(string(digest.FromString("evil"))), signASN1(t, leaf.key, good)), signature.Keys{Roots: pool(root.cert), RootName: "fulcio.pem"}, signature.BadSignature,
			"the signature does not verify with the key of the certificate for dev@example.com"},
		{"other digest", layer(elsewhere, signASN1(t, leaf.key, elsewhere)), signature.Keys{Roots: pool(root.cert), RootName: "fulcio.pem"}, signature.OtherDigest,
			"valid signature by dev@example.com (issuer https://accounts.example), certificate chained to root fulcio.pem, but it signs " + string(digest.FromString("other")) + ", not " + string(subject)},
	}
	for _, c := range cases {
		r := c.s.Verify(subject, c.keys)
		if r.Kind != signature.KindKeyless || r.Status != c.status || r.Reason != c.reason {
			t.Errorf("%s: %s %s: %s\nwant %s: %s", c.name, r.Kind, r.Status, r.Reason, c.status, c.reason)
		}
		if r.Signer == nil || r.Signer.Identity != "dev@example.com" || r.Signer.Issuer != "https://accounts.example" || !r.Signer.NotAfter.Equal(leaf.cert.NotAfter) {
			t.Errorf("%s: signer %+v", c.name, r.Signer)
		}
		if !reflect.DeepEqual(r.Unchecked, []string{signature.RekorUnchecked}) {
			t.Errorf("%s: unchecked %q", c.name, r.Unchecked)
		}
	}
}

// jws builds a Notation JWS envelope for target signed by leaf.
func jws(t *testing.T, alg string, leaf *ca, chain []*x509.Certificate, target v1.Descriptor, signed time.Time) []byte {
	t.Helper()
	hdr, _ := json.Marshal(map[string]any{"alg": alg, "cty": "application/vnd.cncf.notary.payload.v1+json", "crit": []string{"io.cncf.notary.signingScheme"},
		"io.cncf.notary.signingScheme": "notary.x509", "io.cncf.notary.signingTime": signed.Format(time.RFC3339)})
	pl, _ := json.Marshal(map[string]any{"targetArtifact": target})
	protected, payloadPart := base64.RawURLEncoding.EncodeToString(hdr), base64.RawURLEncoding.EncodeToString(pl)
	h := sha256.Sum256([]byte(protected + "." + payloadPart))
	var sig []byte
	switch k := leaf.key.(type) {
	case *ecdsa.PrivateKey:
		r, s, err := ecdsa.Sign(rand.Reader, k, h[:])
		if err != nil {
			t.Fatal(err)
		}
		sig = append(r.FillBytes(make([]byte, 32)), s.FillBytes(make([]byte, 32))...)
	case *rsa.PrivateKey:
		var err error
		if sig, err = rsa.SignPSS(rand.Reader, k, crypto.SHA256, h[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}); err != nil {
			t.Fatal(err)
		}
	}
	var x5c []string
	for _, c := range append([]*x509.Certificate{leaf.cert}, chain...) {
		x5c = append(x5c, base64.StdEncoding.EncodeToString(c.Raw))
	}
	env, _ := json.Marshal(map[string]any{"payload": payloadPart, "protected": protected, "header": map[string]any{"x5c": x5c, "io.cncf.notary.signingAgent": "notation-go/1.1.0"},
		"signature": base64.RawURLEncoding.EncodeToString(sig)})
	return env
}

// TestNotation checks JWS envelopes (ES256 and PS256): the signer and signed
// digest shown, the chain checked against a root at the signing time; a
// COSE envelope is said not to be verified.
func TestNotation(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	root := authority(t, "notation root", nil, now.Add(-time.Hour))
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	leafTmpl := func() *x509.Certificate {
		return &x509.Certificate{Subject: pkix.Name{CommonName: "release signer", Organization: []string{"Example"}}, NotBefore: now.Add(-time.Minute), NotAfter: now.Add(24 * time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}}
	}
	ecLeaf := issue(t, leafTmpl(), root, ecKey(t))
	rsaLeaf := issue(t, leafTmpl(), root, rsaKey)
	subject := v1.Descriptor{MediaType: v1.MediaTypeImageManifest, Digest: digest.FromString("image"), Size: 500}
	other := v1.Descriptor{MediaType: v1.MediaTypeImageManifest, Digest: digest.FromString("other"), Size: 500}
	keys := signature.Keys{Roots: pool(root.cert), RootName: "root.pem"}
	signer := "CN=release signer,O=Example"
	good := jws(t, "ES256", ecLeaf, []*x509.Certificate{root.cert}, subject, now)
	var tampered map[string]any
	json.Unmarshal(good, &tampered)
	otherPayload, _ := json.Marshal(map[string]any{"targetArtifact": other})
	tampered["payload"] = base64.RawURLEncoding.EncodeToString(otherPayload)
	tamperedEnv, _ := json.Marshal(tampered)
	cases := []struct {
		name, mediaType string
		env             []byte
		keys            signature.Keys
		status          signature.Status
		reason          string
	}{
		{"ES256", signature.MediaTypeJWS, good, keys, signature.Verified, "signed by " + signer + ", chained to root root.pem for " + string(subject.Digest)},
		{"PS256", signature.MediaTypeJWS, jws(t, "PS256", rsaLeaf, []*x509.Certificate{root.cert}, subject, now), keys, signature.Verified, "signed by " + signer + ", chained to root root.pem for " + string(subject.Digest)},
		{"no root", signature.MediaTypeJWS, good, signature.Keys{}, signature.NotVerified, "the signature matches the certificate of " + signer + ", but no root certificate was given to check it with"},
		{"tampered", signature.MediaTypeJWS, tamperedEnv, keys, signature.BadSignature, "the JWS signature does not verify with the certificate of " + signer + ": signature does not verify"},
		{"other digest", signature.MediaTypeJWS, jws(t, "ES256", ecLeaf, []*x509.Certificate{root.cert}, other, now), keys, signature.OtherDigest,
			"valid signature by " + signer + ", chained to root root.pem, but it signs " + string(other.Digest) + ", not " + string(subject.Digest)},
		{"COSE ES256", signature.MediaTypeCOSE, cose(t, ecLeaf, []*x509.Certificate{root.cert}, subject, now, false), keys, signature.Verified, "signed by " + signer + ", chained to root root.pem for " + string(subject.Digest)},
		{"COSE PS256", signature.MediaTypeCOSE, cose(t, rsaLeaf, []*x509.Certificate{root.cert}, subject, now, false), keys, signature.Verified, "signed by " + signer + ", chained to root root.pem for " + string(subject.Digest)},
		{"COSE tampered", signature.MediaTypeCOSE, cose(t, ecLeaf, []*x509.Certificate{root.cert}, subject, now, true), keys, signature.BadSignature, "the COSE signature does not verify with the certificate of " + signer + ": signature does not verify"},
		{"COSE no root", signature.MediaTypeCOSE, cose(t, ecLeaf, []*x509.Certificate{root.cert}, subject, now, false), signature.Keys{}, signature.NotVerified, "the signature matches the certificate of " + signer + ", but no root certificate was given to check it with"},
	}
	for _, c := range cases {
		r := signature.VerifyNotation(c.mediaType, c.env, subject.Digest, c.keys)
		if r.Kind != signature.KindNotation || r.Status != c.status || r.Reason != c.reason {
			t.Errorf("%s: %s %s: %s\nwant %s: %s", c.name, r.Kind, r.Status, r.Reason, c.status, c.reason)
		}
		if r.Signer == nil || r.Signer.Subject != signer || !r.SigningTime.Equal(now) {
			t.Errorf("%s: signer %+v at %v", c.name, r.Signer, r.SigningTime)
		}
	}
}

// TestParsePublicKey names what is wrong with a key.
func TestParsePublicKey(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	rsaDER, _ := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	p224, _ := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	p224DER, _ := x509.MarshalPKIXPublicKey(&p224.PublicKey)
	for _, c := range []struct {
		in   []byte
		want string
	}{
		{[]byte("ssh-ed25519 AAAA"), "public key: no PEM block found"},
		{pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1}}), `public key: PEM block is "CERTIFICATE", want "PUBLIC KEY"`},
		{pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: rsaDER}), "public key: *rsa.PublicKey keys are not supported (ECDSA P-256/P-384 and Ed25519 are)"},
		{pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: p224DER}), "public key: ECDSA curve P-224 is not supported (P-256 and P-384 are)"},
	} {
		if _, err := signature.ParsePublicKey(c.in); err == nil || err.Error() != c.want {
			t.Errorf("ParsePublicKey(%.30q): %v, want %s", c.in, err, c.want)
		}
	}
}
