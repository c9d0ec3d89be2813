package attest_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"testing"

	"github.com/opencontainers/go-digest"

	"github.com/regscope/regscope/pkg/attest"
	"github.com/regscope/regscope/pkg/signature"
)

// TestPAE is the DSSE specification's example.
func TestPAE(t *testing.T) {
	got := string(attest.PAE("http://example.com/HelloWorld", []byte("hello world")))
	if want := "DSSEv1 29 http://example.com/HelloWorld 11 hello world"; got != want {
		t.Errorf("PAE = %q, want %q", got, want)
	}
}

// TestEnvelope verifies a DSSE envelope with its key and refuses another
// key and a changed payload.
func TestEnvelope(t *testing.T) {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	stmt := fmt.Sprintf(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"app","digest":{"sha256":%q}}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{"buildDefinition":{"buildType":"bt"},"runDetails":{"builder":{"id":"b"}}}}`, digest.FromString("img").Encoded())
	h := sha256.Sum256(attest.PAE(attest.MediaTypeInToto, []byte(stmt)))
	sig, _ := ecdsa.SignASN1(rand.Reader, k, h[:])
	env := func(payload string) []byte {
		return fmt.Appendf(nil, `{"payloadType":%q,"payload":%q,"signatures":[{"keyid":"","sig":%q}]}`, attest.MediaTypeInToto,
			base64.StdEncoding.EncodeToString([]byte(payload)), base64.StdEncoding.EncodeToString(sig))
	}
	doc, err := attest.Decode(attest.MediaTypeDSSE, env(stmt), digest.FromString("img"))
	if err != nil {
		t.Fatal(err)
	}
	if !doc.SubjectMatch || doc.Provenance == nil || doc.Provenance.Builder != "b" || doc.Provenance.BuildType != "bt" {
		t.Errorf("decoded %+v %+v", doc, doc.Provenance)
	}
	if err := doc.Envelope.Verify(&k.PublicKey); err != nil {
		t.Errorf("own key: %v", err)
	}
	if err := doc.Envelope.Verify(&other.PublicKey); !errors.Is(err, signature.ErrBadSignature) {
		t.Errorf("other key: %v, want ErrBadSignature", err)
	}
	changed, err := attest.Decode(attest.MediaTypeDSSE, env(stmt[:len(stmt)-2]+`,"x":1}}`), digest.FromString("other"))
	if err != nil {
		t.Fatal(err)
	}
	if changed.SubjectMatch {
		t.Error("a subject matched another digest")
	}
	if err := changed.Envelope.Verify(&k.PublicKey); !errors.Is(err, signature.ErrBadSignature) {
		t.Errorf("changed payload: %v, want ErrBadSignature", err)
	}
}

// TestDecodeErrors names what is wrong.
func TestDecodeErrors(t *testing.T) {
	for _, c := range []struct{ mt, body, want string }{
		{attest.MediaTypeSPDX, `{"spdxVersion":"2.3"}`, `SPDX document: spdxVersion "2.3", want SPDX-2.x`},
		{attest.MediaTypeCycloneDX, `{"bomFormat":"SPDX"}`, `CycloneDX document: bomFormat "SPDX", want CycloneDX`},
		{attest.MediaTypeInToto, `{"_type":"x","subject":[]}`, `in-toto statement (type "x") lacks a predicateType or subjects`},
		{attest.MediaTypeDSSE, `{"payloadType":"text/plain","payload":"aGk="}`, `DSSE payload type "text/plain" is not an in-toto statement`},
		{attest.MediaTypeDSSE, `{"payload":"aGk="}`, `DSSE envelope has no payloadType`},
		{"application/json", `{}`, `media type "application/json" is not an attestation or SBOM`},
	} {
		if _, err := attest.Decode(c.mt, []byte(c.body), digest.FromString("x")); err == nil || err.Error() != c.want {
			t.Errorf("%s %s: %v, want %s", c.mt, c.body, err, c.want)
		}
	}
}
