package supplytest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"testing"
	"time"
)

// Fulcio is a test certificate authority issuing short-lived code-signing
// certificates the way Fulcio does: an email identity in the SAN and the
// OIDC issuer in extension 1.3.6.1.4.1.57264.1.8.
type Fulcio struct {
	RootPEM []byte // the root, as a person would pass it to verify --root
	root    *x509.Certificate
	rootKey *ecdsa.PrivateKey
}

// NewFulcio makes a root valid from a day ago for ten years.
func NewFulcio(t testing.TB) *Fulcio {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(-24 * time.Hour)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sigstore", Organization: []string{"sigstore.dev"}},
		NotBefore: start, NotAfter: start.AddDate(10, 0, 0), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return &Fulcio{RootPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), root: c, rootKey: k}
}

// Sign issues a ten-minute certificate for email (issuer oidcIssuer),
// issued an hour ago and so expired now, as every Fulcio certificate soon
// is, and returns payload signed with its key as a keyless cosign layer.
func (f *Fulcio) Sign(t testing.TB, email, oidcIssuer string, payload []byte) SigLayer {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	issuer, _ := asn1.MarshalWithParams(oidcIssuer, "utf8")
	start := time.Now().Add(-time.Hour)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), NotBefore: start, NotAfter: start.Add(10 * time.Minute),
		EmailAddresses: []string{email}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 8}, Value: issuer}}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, f.root, &k.PublicKey, f.rootKey)
	if err != nil {
		t.Fatal(err)
	}
	l := Key{Signer: k}.Signed(t, payload)
	l.Annotations[AnnCertificate] = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	l.Annotations[AnnChain] = string(f.RootPEM)
	return l
}
