package manifest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"testing"

	digest "github.com/opencontainers/go-digest"
)

// b64 is libtrust's joseBase64UrlEncode: base64url without padding.
func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// jwsSignature is one libtrust signature block.
type jwsSignature struct {
	Header struct {
		JWK map[string]string `json:"jwk"`
		Alg string            `json:"alg"`
	} `json:"header"`
	Signature string `json:"signature"`
	Protected string `json:"protected"`
}

// signLibtrust signs an (indented) manifest the way libtrust does for
// `docker push` of a schema 1 manifest: the payload's trailing "\n}" is
// recorded in the protected header (formatLength, formatTail), each key signs
// "protected.payload" with ES256, and the signatures are spliced in as a
// "signatures" member indented like the payload.
func signLibtrust(t testing.TB, payload []byte, keys ...*ecdsa.PrivateKey) []byte {
	t.Helper()
	closeIndex := bytes.LastIndexFunc(payload, func(r rune) bool { return r != ' ' && r != '\n' && r != '\t' && r != '\r' })
	if payload[closeIndex] != '}' {
		t.Fatal("payload does not end in }")
	}
	formatLength := bytes.LastIndexFunc(payload[:closeIndex], func(r rune) bool { return r != ' ' && r != '\n' && r != '\t' && r != '\r' }) + 1
	formatTail := payload[formatLength:]
	var sigs []jwsSignature
	for _, key := range keys {
		protected := b64(mustJSON(t, map[string]any{
			"formatLength": formatLength,
			"formatTail":   b64(formatTail),
			"time":         "2016-01-02T15:04:05Z",
		}))
		h := sha256.Sum256([]byte(protected + "." + b64(payload)))
		r, s, err := ecdsa.Sign(rand.Reader, key, h[:])
		if err != nil {
			t.Fatal(err)
		}
		sig := make([]byte, 64)
		r.FillBytes(sig[:32])
		s.FillBytes(sig[32:])
		var js jwsSignature
		js.Header.Alg = "ES256"
		js.Header.JWK = map[string]string{
			"kty": "EC", "crv": "P-256",
			"x": b64(key.X.FillBytes(make([]byte, 32))),
			"y": b64(key.Y.FillBytes(make([]byte, 32))),
		}
		js.Signature = b64(sig)
		js.Protected = protected
		sigs = append(sigs, js)
	}
	indent := "   "
	marshalled, err := json.MarshalIndent(sigs, indent, indent)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	buf.Write(payload[:formatLength])
	buf.WriteString(",\n" + indent + `"signatures": `)
	buf.Write(marshalled)
	buf.WriteString("\n}")
	return buf.Bytes()
}

// verifyES256 checks every signature of a signed body over protected.payload,
// with the key from its own JWK header, as libtrust's Verify does.
func verifyES256(t testing.TB, body, payload []byte) {
	t.Helper()
	var doc struct {
		Signatures []jwsSignature `json:"signatures"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	for i, s := range doc.Signatures {
		x, _ := base64.RawURLEncoding.DecodeString(s.Header.JWK["x"])
		y, _ := base64.RawURLEncoding.DecodeString(s.Header.JWK["y"])
		pub := &ecdsa.PublicKey{Curve: elliptic.P256(), X: new(big.Int).SetBytes(x), Y: new(big.Int).SetBytes(y)}
		sig, _ := base64.RawURLEncoding.DecodeString(s.Signature)
		h := sha256.Sum256([]byte(s.Protected + "." + b64(payload)))
		if len(sig) != 64 || !ecdsa.Verify(pub, h[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
			t.Fatalf("signature %d does not verify over the payload", i)
		}
	}
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSchema1SignedPayload(t *testing.T) {
	payload := schema1Body(t, schema1Chain(t)...)
	for _, n := range []int{1, 2} {
		var keys []*ecdsa.PrivateKey
		for range n {
			keys = append(keys, newKey(t))
		}
		body := signLibtrust(t, payload, keys...)
		for _, ct := range []string{MediaTypeDockerV1Signed, MediaTypeDockerV1, "", "application/json"} {
			m, err := Parse(body, ct)
			if err != nil {
				t.Fatalf("%d signatures, Content-Type %q: %v", n, ct, err)
			}
			s := m.Schema1
			if !s.Signed() {
				t.Fatal("Signed() = false")
			}
			if ct == "" && m.MediaType != MediaTypeDockerV1Signed {
				t.Errorf("by shape: MediaType %q", m.MediaType)
			}
			if !bytes.Equal(s.Payload(), payload) {
				t.Fatalf("Payload() =\n%s\nwant\n%s", s.Payload(), payload)
			}
			if s.Digest() != digest.FromBytes(payload) || s.Digest() == digest.FromBytes(body) {
				t.Fatalf("Digest() = %s; payload %s, body %s", s.Digest(), digest.FromBytes(payload), digest.FromBytes(body))
			}
			// What was recovered is what was signed.
			verifyES256(t, body, s.Payload())
			if len(s.Layers()) != 3 {
				t.Fatalf("layers: %v", s.Layers())
			}
		}
	}
}

func TestSchema1PayloadIsACopy(t *testing.T) {
	m, err := Parse(signLibtrust(t, schema1Body(t, schema1Chain(t)...), newKey(t)), "")
	if err != nil {
		t.Fatal(err)
	}
	d := m.Schema1.Digest()
	m.Schema1.Payload()[0] = 'X'
	if m.Schema1.Digest() != d {
		t.Fatal("Payload() exposes internal state")
	}
}

// TestSchema1FieldsComeFromPayload shows that the manifest used is the one
// the digest covers, even when the body around it says otherwise.
func TestSchema1FieldsComeFromPayload(t *testing.T) {
	signedPayload := schema1Body(t, s1Layer{id: "A", blob: "signed-layer"})
	body := signLibtrust(t, signedPayload, newKey(t))
	// A later duplicate key in the body is invisible to the signed payload
	// (it sits after formatLength).
	forged := bytes.Replace(body, []byte(`"signatures":`), []byte(`"fsLayers": [{"blobSum": "`+string(dg("forged"))+`"}],`+"\n"+`   "signatures":`), 1)
	m, err := Parse(forged, MediaTypeDockerV1Signed)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Schema1.Layers(); len(got) != 1 || got[0].Digest != dg("signed-layer") {
		t.Fatalf("layers %v, want the signed one", got)
	}
}

func TestSchema1SignatureErrors(t *testing.T) {
	payload := schema1Body(t, s1Layer{id: "A", blob: "a"})
	good := signLibtrust(t, payload, newKey(t))
	withProtected := func(h map[string]any) []byte {
		return edit(t, good, func(m map[string]any) {
			m["signatures"].([]any)[0].(map[string]any)["protected"] = b64(mustJSON(t, h))
		})
	}
	tail := b64([]byte("\n}"))
	two := signLibtrust(t, payload, newKey(t), newKey(t))
	disagree := edit(t, two, func(m map[string]any) {
		m["signatures"].([]any)[1].(map[string]any)["protected"] = b64(mustJSON(t, map[string]any{"formatLength": 3, "formatTail": tail}))
	})
	tests := []struct {
		name string
		body []byte
		want string
	}{
		{"empty signatures", edit(t, good, func(m map[string]any) { m["signatures"] = []any{} }), "signatures is empty"},
		{"signatures not a list", edit(t, good, func(m map[string]any) { m["signatures"] = "x" }), "signatures:"},
		{"protected not base64", edit(t, good, func(m map[string]any) {
			m["signatures"].([]any)[0].(map[string]any)["protected"] = "!!!"
		}), "signatures[0].protected is not base64url"},
		{"protected not JSON", edit(t, good, func(m map[string]any) {
			m["signatures"].([]any)[0].(map[string]any)["protected"] = b64([]byte("nope"))
		}), "signatures[0].protected header"},
		{"no formatLength", withProtected(map[string]any{"formatTail": tail}), "no formatLength"},
		{"no formatTail", withProtected(map[string]any{"formatLength": 10}), "no formatTail"},
		{"formatTail not base64", withProtected(map[string]any{"formatLength": 10, "formatTail": "%%"}), "formatTail is not base64url"},
		{"formatLength too long", withProtected(map[string]any{"formatLength": 1 << 30, "formatTail": tail}), "outside the"},
		{"formatLength negative", withProtected(map[string]any{"formatLength": -1, "formatTail": tail}), "outside the"},
		{"formatLength cuts the JSON", withProtected(map[string]any{"formatLength": 10, "formatTail": tail}), "payload"},
		{"signatures disagree", disagree, "signatures[1] disagrees"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.body, MediaTypeDockerV1Signed)
			checkErr(t, err, tt.want, ErrInvalid)
		})
	}
}

func TestPayloadFunc(t *testing.T) {
	payload := schema1Body(t, schema1Chain(t)...)
	body := signLibtrust(t, payload, newKey(t))
	if got := Payload(MediaTypeDockerV1Signed, body); !bytes.Equal(got, payload) {
		t.Errorf("Payload(signed) = %q", got)
	}
	for _, tc := range []struct {
		ct   string
		body []byte
	}{
		{MediaTypeDockerV1, payload},                       // unsigned: the body itself
		{MediaTypeOCIManifest, []byte(`{"signatures":1}`)}, // not schema1
		{"", []byte(`{"signatures": [`)},                   // does not parse
	} {
		if got := Payload(tc.ct, tc.body); got != nil {
			t.Errorf("Payload(%q, %q) = %q, want nil (the body)", tc.ct, tc.body, got)
		}
	}
}
