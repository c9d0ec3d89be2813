// Package supplytest makes, for tests, what supply-chain tools attach to
// images: cosign signatures made with Go's crypto in cosign's formats, SBOMs
// and in-toto attestations, as go-containerregistry images ready to push to
// a real registry (as a referrer with a subject, or under cosign's tags).
// It exists for tests only.
package supplytest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"testing"

	ggcr "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Cosign's media types and annotations, written out here so that the tests
// do not take them from the code under test.
const (
	SimpleSigning     = "application/vnd.dev.cosign.simplesigning.v1+json"
	SignatureArtifact = "application/vnd.dev.cosign.artifact.sig.v1+json"
	AnnSignature      = "dev.cosignproject.cosign/signature"
	AnnCertificate    = "dev.sigstore.cosign/certificate"
	AnnChain          = "dev.sigstore.cosign/chain"
)

// Key is a signing key and its public half in PEM, as cosign.pub holds it.
type Key struct {
	Signer crypto.Signer
	PEM    []byte
}

// NewKey makes a key: "p256", "p384" or "ed25519".
func NewKey(t testing.TB, kind string) Key {
	t.Helper()
	var s crypto.Signer
	var err error
	switch kind {
	case "p256":
		s, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "p384":
		s, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "ed25519":
		_, s, err = ed25519.GenerateKey(rand.Reader)
	default:
		t.Fatalf("supplytest: unknown key kind %q", kind)
	}
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(s.Public())
	if err != nil {
		t.Fatal(err)
	}
	return Key{Signer: s, PEM: pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})}
}

// Sign signs msg as cosign does: ECDSA over SHA-256 (SHA-384 for P-384),
// ASN.1; Ed25519 over msg itself.
func (k Key) Sign(t testing.TB, msg []byte) []byte {
	t.Helper()
	var sig []byte
	var err error
	switch s := k.Signer.(type) {
	case *ecdsa.PrivateKey:
		if s.Curve == elliptic.P384() {
			h := sha512.Sum384(msg)
			sig, err = ecdsa.SignASN1(rand.Reader, s, h[:])
		} else {
			h := sha256.Sum256(msg)
			sig, err = ecdsa.SignASN1(rand.Reader, s, h[:])
		}
	case ed25519.PrivateKey:
		sig = ed25519.Sign(s, msg)
	}
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// Payload is a simple-signing payload for ref and digest, byte for byte as
// cosign writes it.
func Payload(ref, digest string) []byte {
	return fmt.Appendf(nil, `{"critical":{"identity":{"docker-reference":%q},"image":{"docker-manifest-digest":%q},"type":"cosign container image signature"},"optional":null}`, ref, digest)
}

// SigLayer is one signature layer: the payload and its annotations.
type SigLayer struct {
	Payload     []byte
	Annotations map[string]string
}

// Signed returns the layer for payload signed with k.
func (k Key) Signed(t testing.TB, payload []byte) SigLayer {
	return SigLayer{Payload: payload, Annotations: map[string]string{AnnSignature: base64.StdEncoding.EncodeToString(k.Sign(t, payload))}}
}

// Artifact is an OCI manifest whose config has media type configType and
// whose layers are the given blobs, each with its annotations.
func Artifact(t testing.TB, configType string, blobs ...Blob) ggcr.Image {
	t.Helper()
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.MediaType(configType))
	for _, b := range blobs {
		var err error
		img, err = mutate.Append(img, mutate.Addendum{Layer: static.NewLayer(b.Data, types.MediaType(b.MediaType)), Annotations: b.Annotations})
		if err != nil {
			t.Fatal(err)
		}
	}
	return img
}

// Blob is one layer of an Artifact.
type Blob struct {
	MediaType   string
	Data        []byte
	Annotations map[string]string
}

// SignatureImage is a cosign signature manifest holding the given layers,
// as cosign writes under a sha256-<hex>.sig tag.
func SignatureImage(t testing.TB, layers ...SigLayer) ggcr.Image {
	return Artifact(t, string(types.OCIConfigJSON), sigBlobs(layers)...)
}

// SignatureReferrer is the same signature as an OCI 1.1 referrer of
// subject (cosign's referrers mode).
func SignatureReferrer(t testing.TB, subject ggcr.Descriptor, layers ...SigLayer) ggcr.Image {
	img := Artifact(t, SignatureArtifact, sigBlobs(layers)...)
	return WithSubject(img, subject)
}

// WithSubject sets img's subject.
func WithSubject(img ggcr.Image, subject ggcr.Descriptor) ggcr.Image {
	return mutate.Subject(img, subject).(ggcr.Image)
}

func sigBlobs(layers []SigLayer) []Blob {
	var out []Blob
	for _, l := range layers {
		out = append(out, Blob{MediaType: SimpleSigning, Data: l.Payload, Annotations: l.Annotations})
	}
	return out
}

// Descriptor is the descriptor of img (manifest media type, size, digest).
func Descriptor(t testing.TB, img ggcr.Image) ggcr.Descriptor {
	t.Helper()
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := img.RawManifest()
	if err != nil {
		t.Fatal(err)
	}
	mt, err := img.MediaType()
	if err != nil {
		t.Fatal(err)
	}
	return ggcr.Descriptor{MediaType: mt, Size: int64(len(raw)), Digest: d}
}
