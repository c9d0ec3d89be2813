// Package signature verifies image signatures with the standard library's
// crypto only.
//
// Cosign (key-based): the signature manifest's layers carry a simple-signing
// payload (application/vnd.dev.cosign.simplesigning.v1+json) and, in the
// dev.cosignproject.cosign/signature annotation, a base64 signature over the
// payload's bytes. Verify checks the signature with a PEM public key (ECDSA
// P-256 or P-384, ASN.1 signatures; Ed25519) and that the payload's
// critical.image.docker-manifest-digest is the digest being inspected.
//
// Cosign (keyless): the layer also carries a Fulcio certificate
// (dev.sigstore.cosign/certificate) and its chain. Verify shows the
// certificate's identity, issuer and validity, checks the signature against
// the certificate and, given a Fulcio root, the chain up to that root at the
// certificate's NotBefore time. It does not check the Rekor bundle: neither
// transparency-log inclusion nor the signing time the log attests; Result
// says so in Unchecked.
//
// Notation: a JWS envelope (application/jose+json) or a COSE_Sign1 envelope
// (application/cose, decoded by a small CBOR reader of its own) is decoded
// to its signer, signing time and signed descriptor and verified against
// its leaf certificate (x5c / x5chain); given a root certificate, the chain
// is checked at the signing time. Revocation, trust policies and timestamp
// countersignatures are not checked; Result says so in Unchecked.
//
// Every Result has a Status that tells signed, bad signature, signed for
// another digest and not verified apart, and a Reason naming what was
// checked or what failed.
package signature
