package signature

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
)

// ErrBadSignature is returned by VerifyBytes when a signature does not
// verify.
var ErrBadSignature = errors.New("signature does not verify")

// ParsePublicKey decodes a PEM "PUBLIC KEY" block (PKIX, as cosign writes
// cosign.pub) holding an ECDSA P-256 or P-384 or an Ed25519 key.
func ParsePublicKey(pemBytes []byte) (crypto.PublicKey, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, errors.New("public key: no PEM block found")
	}
	if block.Type != "PUBLIC KEY" {
		return nil, fmt.Errorf("public key: PEM block is %q, want \"PUBLIC KEY\"", block.Type)
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("public key: %v", err)
	}
	if err := supported(pub); err != nil {
		return nil, fmt.Errorf("public key: %w", err)
	}
	return pub, nil
}

// supported accepts the key types cosign signs with.
func supported(pub crypto.PublicKey) error {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() && k.Curve != elliptic.P384() {
			return fmt.Errorf("ECDSA curve %s is not supported (P-256 and P-384 are)", k.Curve.Params().Name)
		}
		return nil
	case ed25519.PublicKey:
		return nil
	}
	return fmt.Errorf("%T keys are not supported (ECDSA P-256/P-384 and Ed25519 are)", pub)
}

// KeyName describes a key for messages: "ECDSA P-256", "Ed25519".
func KeyName(pub crypto.PublicKey) string {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return fmt.Sprintf("%T", pub)
}

// VerifyBytes checks sig over msg as cosign signs: ECDSA signatures are
// ASN.1 over SHA-256 of msg (for P-384 keys SHA-384 is tried first, as
// sigstore's default for that curve, then SHA-256, cosign's historical
// choice); Ed25519 signs msg itself. It returns ErrBadSignature when the
// signature does not verify.
func VerifyBytes(pub crypto.PublicKey, msg, sig []byte) error {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if k.Curve == elliptic.P384() {
			h := sha512.Sum384(msg)
			if ecdsa.VerifyASN1(k, h[:], sig) {
				return nil
			}
		}
		h := sha256.Sum256(msg)
		if ecdsa.VerifyASN1(k, h[:], sig) {
			return nil
		}
		return ErrBadSignature
	case ed25519.PublicKey:
		if ed25519.Verify(k, msg, sig) {
			return nil
		}
		return ErrBadSignature
	}
	return supported(pub)
}
