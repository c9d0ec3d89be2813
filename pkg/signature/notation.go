package signature

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"time"

	"github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// Notation's artifact type and envelope media types.
const (
	ArtifactTypeNotation = "application/vnd.cncf.notary.signature"
	MediaTypeJWS         = "application/jose+json"
	MediaTypeCOSE        = "application/cose"
)

// NotationUnchecked says what Notation verification leaves out.
const NotationUnchecked = "certificate revocation (OCSP/CRL), trust-policy identities and timestamp countersignatures are not checked"

// IsNotationEnvelope reports whether mediaType is a Notation envelope.
func IsNotationEnvelope(mediaType string) bool {
	return mediaType == MediaTypeJWS || mediaType == MediaTypeCOSE
}

// jws is Notation's JWS JSON serialisation (flattened).
type jws struct {
	Payload   string `json:"payload"`
	Protected string `json:"protected"`
	Header    struct {
		X5C []string `json:"x5c"`
	} `json:"header"`
	Signature string `json:"signature"`
}

// jwsProtected is the protected header Notation writes.
type jwsProtected struct {
	Alg         string `json:"alg"`
	Cty         string `json:"cty"`
	SigningTime string `json:"io.cncf.notary.signingTime"`
}

// notationPayload is the signed document: the descriptor of the target.
type notationPayload struct {
	TargetArtifact v1.Descriptor `json:"targetArtifact"`
}

// envelope is a Notation signature envelope, decoded: what the signature
// covers, how, and the certificates and claims that come with it.
type envelope struct {
	format      string // "JWS" or "COSE"
	alg         string // JWS names: ES256 … PS512
	input       []byte // the bytes the signature covers
	sig         []byte
	certs       []*x509.Certificate // leaf first
	signingTime time.Time
	payload     []byte // the Notation payload (JSON)
}

// VerifyNotation checks a Notation envelope (JWS or COSE, by media type) as
// a signature of subject: the signature against the envelope's leaf
// certificate and, with k.Roots, the chain at the signing time.
func VerifyNotation(mediaType string, data []byte, subject digest.Digest, k Keys) Result {
	r := Result{Kind: KindNotation, Unchecked: []string{NotationUnchecked}}
	var env *envelope
	var err error
	switch mediaType {
	case MediaTypeJWS:
		env, err = parseJWS(data)
	case MediaTypeCOSE:
		env, err = parseCOSE(data)
	default:
		err = fmt.Errorf("envelope media type %q is neither JWS nor COSE", mediaType)
	}
	if err != nil {
		return invalid(r, err.Error())
	}
	var pl notationPayload
	if err := json.Unmarshal(env.payload, &pl); err != nil {
		return invalid(r, fmt.Sprintf("%s payload is not JSON: %v", env.format, err))
	}
	r.SignedDigest, r.SigningTime = pl.TargetArtifact.Digest, env.signingTime
	r.Signer = Describe(env.certs[0])
	if err := verifyJWS(env.alg, env.certs[0].PublicKey, env.input, env.sig); err != nil {
		r.Status = BadSignature
		r.Reason = fmt.Sprintf("the %s signature does not verify with the certificate of %s: %v", env.format, r.Signer.Subject, err)
		return r
	}
	if k.Roots == nil {
		r.Status = NotVerified
		r.Reason = fmt.Sprintf("the signature matches the certificate of %s, but no root certificate was given to check it with", r.Signer.Subject)
		return r
	}
	r.Key = k.RootName
	at := func(c *x509.Certificate) x509.VerifyOptions {
		t := r.SigningTime
		if t.IsZero() {
			t = c.NotBefore
		}
		return x509.VerifyOptions{CurrentTime: t, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}}
	}
	if err := verifyChain(env.certs[0], env.certs[1:], k.Roots, at); err != nil {
		r.Status = BadSignature
		r.Reason = fmt.Sprintf("the certificate of %s does not chain to root %s: %v", r.Signer.Subject, k.RootName, err)
		return r
	}
	return compareDigest(r, subject, fmt.Sprintf("%s, chained to root %s", r.Signer.Subject, k.RootName))
}

// parseJWS decodes a JWS envelope (JSON serialisation, flattened).
func parseJWS(data []byte) (*envelope, error) {
	var w jws
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, fmt.Errorf("JWS envelope is not JSON: %v", err)
	}
	var hdr jwsProtected
	if err := decodeJSONPart(w.Protected, &hdr); err != nil {
		return nil, fmt.Errorf("JWS protected header: %v", err)
	}
	payload, err := base64.RawURLEncoding.DecodeString(w.Payload)
	if err != nil {
		return nil, fmt.Errorf("JWS payload is not base64url: %v", err)
	}
	certs, err := x5c(w.Header.X5C)
	if err != nil {
		return nil, err
	}
	sig, err := base64.RawURLEncoding.DecodeString(w.Signature)
	if err != nil {
		return nil, fmt.Errorf("JWS signature is not base64url: %v", err)
	}
	env := &envelope{format: "JWS", alg: hdr.Alg, input: []byte(w.Protected + "." + w.Payload), sig: sig, certs: certs, payload: payload}
	if t, err := time.Parse(time.RFC3339, hdr.SigningTime); err == nil {
		env.signingTime = t
	}
	return env, nil
}

// decodeJSONPart decodes a base64url JSON part of a JWS.
func decodeJSONPart(part string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		return fmt.Errorf("not base64url: %v", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("not JSON: %v", err)
	}
	return nil
}

// x5c decodes the certificate chain of a JWS header, leaf first.
func x5c(chain []string) ([]*x509.Certificate, error) {
	if len(chain) == 0 {
		return nil, fmt.Errorf("JWS header has no x5c certificate chain")
	}
	var certs []*x509.Certificate
	for i, s := range chain {
		der, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("x5c[%d] is not base64: %v", i, err)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, fmt.Errorf("x5c[%d]: %v", i, err)
		}
		certs = append(certs, c)
	}
	return certs, nil
}

// verifyJWS checks a JWS signature of the algorithms Notation uses
// (PS256/384/512, ES256/384/512).
func verifyJWS(alg string, pub crypto.PublicKey, input, sig []byte) error {
	var h crypto.Hash
	switch alg {
	case "PS256", "ES256":
		h = crypto.SHA256
	case "PS384", "ES384":
		h = crypto.SHA384
	case "PS512", "ES512":
		h = crypto.SHA512
	default:
		return fmt.Errorf("algorithm %q is not supported", alg)
	}
	sum := hashSum(h, input)
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if alg[0] != 'P' {
			return fmt.Errorf("algorithm %s with an RSA key", alg)
		}
		if rsa.VerifyPSS(k, h, sum, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) != nil {
			return ErrBadSignature
		}
		return nil
	case *ecdsa.PublicKey:
		if alg[0] != 'E' || len(sig)%2 != 0 {
			return fmt.Errorf("algorithm %s with an ECDSA key, or a malformed signature", alg)
		}
		n := len(sig) / 2
		if !ecdsa.Verify(k, sum, new(big.Int).SetBytes(sig[:n]), new(big.Int).SetBytes(sig[n:])) {
			return ErrBadSignature
		}
		return nil
	}
	return fmt.Errorf("%T certificate keys are not supported", pub)
}

func hashSum(h crypto.Hash, b []byte) []byte {
	switch h {
	case crypto.SHA384:
		s := sha512.Sum384(b)
		return s[:]
	case crypto.SHA512:
		s := sha512.Sum512(b)
		return s[:]
	}
	s := sha256.Sum256(b)
	return s[:]
}
