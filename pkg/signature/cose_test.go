package signature_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// cbor encodes what cose needs: int64, string, []byte, []any, pairs (a map
// in the given key order) and tagged values.
type pairs []any

type tagged struct {
	n uint64
	v any
}

func cbor(v any) []byte {
	head := func(major byte, n uint64) []byte {
		switch {
		case n < 24:
			return []byte{major<<5 | byte(n)}
		case n < 1<<8:
			return []byte{major<<5 | 24, byte(n)}
		case n < 1<<16:
			return []byte{major<<5 | 25, byte(n >> 8), byte(n)}
		}
		return []byte{major<<5 | 26, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
	}
	switch x := v.(type) {
	case int64:
		if x < 0 {
			return head(1, uint64(-1-x))
		}
		return head(0, uint64(x))
	case string:
		return append(head(3, uint64(len(x))), x...)
	case []byte:
		return append(head(2, uint64(len(x))), x...)
	case []any:
		b := head(4, uint64(len(x)))
		for _, e := range x {
			b = append(b, cbor(e)...)
		}
		return b
	case pairs:
		b := head(5, uint64(len(x)/2))
		for _, e := range x {
			b = append(b, cbor(e)...)
		}
		return b
	case tagged:
		return append(head(6, x.n), cbor(x.v)...)
	}
	panic(fmt.Sprintf("cbor: %T", v))
}

// cose builds a Notation COSE_Sign1 envelope for target signed by leaf;
// with tamper, the payload is changed after signing.
func cose(t *testing.T, leaf *ca, chain []*x509.Certificate, target v1.Descriptor, signed time.Time, tamper bool) []byte {
	t.Helper()
	alg := int64(-7)
	if _, ok := leaf.key.(*rsa.PrivateKey); ok {
		alg = -37
	}
	protected := cbor(pairs{int64(1), alg, int64(3), "application/vnd.cncf.notary.payload.v1+json",
		"io.cncf.notary.signingScheme", "notary.x509", "io.cncf.notary.signingTime", tagged{1, signed.Unix()}})
	pl, _ := json.Marshal(map[string]any{"targetArtifact": target})
	toSign := cbor([]any{"Signature1", protected, []byte{}, pl})
	h := sha256.Sum256(toSign)
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
	if tamper {
		pl, _ = json.Marshal(map[string]any{"targetArtifact": v1.Descriptor{MediaType: target.MediaType, Digest: digest.FromString("evil"), Size: target.Size}})
	}
	x5 := []any{leaf.cert.Raw}
	for _, c := range chain {
		x5 = append(x5, c.Raw)
	}
	return cbor(tagged{18, []any{protected, pairs{int64(33), x5, "io.cncf.notary.signingAgent", "notation-go/1.1.0"}, pl, sig}})
}
