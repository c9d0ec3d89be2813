package signature

import (
	"crypto/x509"
	"time"

	"github.com/opencontainers/go-digest"
)

// Status is the outcome of checking one signature.
type Status string

// The statuses a signature can have. Unsigned is for an image with no
// signature at all; a Result never has it.
const (
	Verified     Status = "verified"                  // valid with the key given, over this digest
	BadSignature Status = "bad signature"             // does not verify with the key (tampered, or another key)
	OtherDigest  Status = "signed for another digest" // valid, but the payload names another digest
	NotVerified  Status = "not verified"              // nothing to verify it with, or a form not checked
	Invalid      Status = "invalid"                   // malformed: cannot be checked at all
	Unsigned     Status = "unsigned"                  // no signature found
)

// Kinds of signatures (Result.Kind).
const (
	KindCosign   = "cosign"
	KindKeyless  = "cosign keyless"
	KindNotation = "notation"
)

// Result is what checking one signature found.
type Result struct {
	Kind         string        // KindCosign, KindKeyless or KindNotation
	Status       Status        // the outcome
	Reason       string        // what was verified, or what failed, in a sentence
	SignedDigest digest.Digest // the digest the signed payload names, when it could be read
	Key          string        // the key or root it was checked with, when one was given
	Signer       *Certificate  // the signing certificate (keyless, notation)
	SigningTime  time.Time     // claimed by the envelope (notation), zero if none
	Unchecked    []string      // plain statements of what was not checked
}

// Certificate is what a person needs to know about a signing certificate.
type Certificate struct {
	Subject   string    // the certificate subject (distinguished name)
	Identity  string    // the identity: SAN email or URI, else the subject
	Issuer    string    // the OIDC issuer (Fulcio extension) or the certificate issuer
	NotBefore time.Time // validity start
	NotAfter  time.Time // validity end
	Cert      *x509.Certificate
}
