package signature

import (
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// Cosign's media type and annotations on a signature layer.
const (
	MediaTypeSimpleSigning = "application/vnd.dev.cosign.simplesigning.v1+json"
	AnnotationSignature    = "dev.cosignproject.cosign/signature"
	AnnotationCertificate  = "dev.sigstore.cosign/certificate"
	AnnotationChain        = "dev.sigstore.cosign/chain"
	AnnotationBundle       = "dev.sigstore.cosign/bundle"
)

// SimpleSigningType is the critical.type of a cosign image signature.
const SimpleSigningType = "cosign container image signature"

// Payload is a simple-signing payload, the document cosign signs.
type Payload struct {
	Critical struct {
		Identity struct {
			DockerReference string `json:"docker-reference"`
		} `json:"identity"`
		Image struct {
			DockerManifestDigest string `json:"docker-manifest-digest"`
		} `json:"image"`
		Type string `json:"type"`
	} `json:"critical"`
	Optional map[string]any `json:"optional"`
}

// ParsePayload decodes a simple-signing payload and checks that it names a
// valid digest.
func ParsePayload(b []byte) (*Payload, digest.Digest, error) {
	var p Payload
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, "", fmt.Errorf("simple-signing payload is not JSON: %v", err)
	}
	d, err := digest.Parse(p.Critical.Image.DockerManifestDigest)
	if err != nil {
		return nil, "", fmt.Errorf("simple-signing payload: critical.image.docker-manifest-digest %q: %v", p.Critical.Image.DockerManifestDigest, err)
	}
	return &p, d, nil
}

// Keys are what a person supplied to verify signatures with. Names are how
// messages refer to them (a file name, "pasted key").
type Keys struct {
	PublicKey crypto.PublicKey // cosign key-based signatures
	KeyName   string
	Roots     *x509.CertPool // Fulcio roots (keyless) and Notation trust anchors
	RootName  string
}

// Cosign is one cosign signature: a signature layer's annotations and its
// payload (fetched and digest-verified by the caller).
type Cosign struct {
	Layer   v1.Descriptor
	Payload []byte
}

// IsCosign reports whether layer is a cosign signature layer.
func IsCosign(layer v1.Descriptor) bool {
	_, ok := layer.Annotations[AnnotationSignature]
	return layer.MediaType == MediaTypeSimpleSigning && ok
}

// Verify checks s as a signature of subject with k. A signature that does
// not verify is reported as such whatever its payload claims; only a valid
// one's payload digest is compared with subject.
func (s Cosign) Verify(subject digest.Digest, k Keys) Result {
	r := Result{Kind: KindCosign}
	sig, err := base64.StdEncoding.DecodeString(s.Layer.Annotations[AnnotationSignature])
	if err != nil {
		return invalid(r, fmt.Sprintf("annotation %s is not base64: %v", AnnotationSignature, err))
	}
	_, signed, err := ParsePayload(s.Payload)
	if err != nil {
		return invalid(r, err.Error())
	}
	r.SignedDigest = signed
	if cert := s.Layer.Annotations[AnnotationCertificate]; cert != "" {
		r.Kind = KindKeyless
		return verifyKeyless(r, []byte(cert), []byte(s.Layer.Annotations[AnnotationChain]), s.Payload, sig, subject, k)
	}
	if k.PublicKey == nil {
		r.Status = NotVerified
		r.Reason = "no public key given to verify it with"
		return r
	}
	r.Key = k.KeyName
	if err := VerifyBytes(k.PublicKey, s.Payload, sig); err != nil {
		r.Status = BadSignature
		r.Reason = fmt.Sprintf("the signature over payload %s does not verify with %s key %s", s.Layer.Digest, KeyName(k.PublicKey), k.KeyName)
		return r
	}
	return compareDigest(r, subject, fmt.Sprintf("%s key %s", KeyName(k.PublicKey), k.KeyName))
}

// compareDigest finishes a valid signature's Result: Verified when the
// signed digest is subject, OtherDigest otherwise. by names what verified it.
func compareDigest(r Result, subject digest.Digest, by string) Result {
	if r.SignedDigest != subject {
		r.Status = OtherDigest
		r.Reason = fmt.Sprintf("valid signature by %s, but it signs %s, not %s", by, r.SignedDigest, subject)
		return r
	}
	r.Status = Verified
	r.Reason = fmt.Sprintf("signed by %s for %s", by, subject)
	return r
}

func invalid(r Result, reason string) Result {
	r.Status = Invalid
	r.Reason = reason
	return r
}
