package signature

import (
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/opencontainers/go-digest"
)

// Fulcio's certificate extensions naming the OIDC issuer: the original one
// holds the raw string, the newer one a DER UTF8String.
var (
	oidIssuerV1 = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 1}
	oidIssuerV2 = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 8}
)

// RekorUnchecked says what keyless verification leaves out.
const RekorUnchecked = "the Rekor bundle is not checked: neither transparency-log inclusion nor that the signature was made while the certificate was valid"

// ParseCertificates decodes every CERTIFICATE block of a PEM document.
func ParseCertificates(pemBytes []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	for {
		var block *pem.Block
		block, pemBytes = pem.Decode(pemBytes)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate: %v", err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, errors.New("no PEM CERTIFICATE block found")
	}
	return certs, nil
}

// Describe returns what a person needs to know about c.
func Describe(c *x509.Certificate) *Certificate {
	d := &Certificate{Subject: c.Subject.String(), Issuer: c.Issuer.String(), NotBefore: c.NotBefore, NotAfter: c.NotAfter, Cert: c}
	switch {
	case len(c.EmailAddresses) > 0:
		d.Identity = c.EmailAddresses[0]
	case len(c.URIs) > 0:
		d.Identity = c.URIs[0].String()
	default:
		d.Identity = d.Subject
	}
	for _, ext := range c.Extensions {
		switch {
		case ext.Id.Equal(oidIssuerV2):
			var s string
			if _, err := asn1.UnmarshalWithParams(ext.Value, &s, "utf8"); err == nil {
				d.Issuer = s
			}
		case ext.Id.Equal(oidIssuerV1):
			d.Issuer = string(ext.Value)
		}
	}
	return d
}

// verifyChain checks leaf up to roots through intermediates, as valid at
// the given certificate's own time, for code signing.
func verifyChain(leaf *x509.Certificate, intermediates []*x509.Certificate, roots *x509.CertPool, at func(*x509.Certificate) x509.VerifyOptions) error {
	opts := at(leaf)
	opts.Roots = roots
	opts.Intermediates = x509.NewCertPool()
	for _, c := range intermediates {
		opts.Intermediates.AddCert(c)
	}
	_, err := leaf.Verify(opts)
	return err
}

// verifyKeyless checks a cosign signature made with a Fulcio certificate.
func verifyKeyless(r Result, certPEM, chainPEM, payload, sig []byte, subject digest.Digest, k Keys) Result {
	certs, err := ParseCertificates(certPEM)
	if err != nil {
		return invalid(r, fmt.Sprintf("annotation %s: %v", AnnotationCertificate, err))
	}
	leaf := certs[0]
	r.Signer = Describe(leaf)
	r.Unchecked = []string{RekorUnchecked}
	if err := supported(leaf.PublicKey); err != nil {
		return invalid(r, "certificate key: "+err.Error())
	}
	if err := VerifyBytes(leaf.PublicKey, payload, sig); err != nil {
		r.Status = BadSignature
		r.Reason = fmt.Sprintf("the signature does not verify with the key of the certificate for %s", r.Signer.Identity)
		return r
	}
	if k.Roots == nil {
		r.Status = NotVerified
		r.Reason = fmt.Sprintf("the signature matches the certificate for %s (issuer %s), but no Fulcio root was given to check the certificate with", r.Signer.Identity, r.Signer.Issuer)
		return r
	}
	r.Key = k.RootName
	var chain []*x509.Certificate
	if len(chainPEM) > 0 {
		if chain, err = ParseCertificates(chainPEM); err != nil {
			return invalid(r, fmt.Sprintf("annotation %s: %v", AnnotationChain, err))
		}
	}
	atIssue := func(c *x509.Certificate) x509.VerifyOptions {
		return x509.VerifyOptions{CurrentTime: c.NotBefore, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}}
	}
	if err := verifyChain(leaf, append(certs[1:], chain...), k.Roots, atIssue); err != nil {
		r.Status = BadSignature
		r.Reason = fmt.Sprintf("the certificate for %s does not chain to root %s: %v", r.Signer.Identity, k.RootName, err)
		return r
	}
	return compareDigest(r, subject, fmt.Sprintf("%s (issuer %s), certificate chained to root %s", r.Signer.Identity, r.Signer.Issuer, k.RootName))
}

// CertPool decodes PEM root certificates into a pool.
func CertPool(pemBytes []byte) (*x509.CertPool, error) {
	certs, err := ParseCertificates(pemBytes)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	for _, c := range certs {
		pool.AddCert(c)
	}
	return pool, nil
}
