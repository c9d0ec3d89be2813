package attest

import (
	"crypto"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/regscope/regscope/pkg/signature"
)

// Envelope is a DSSE envelope.
type Envelope struct {
	PayloadType string
	Payload     []byte // decoded
	Signatures  []EnvelopeSignature
}

// EnvelopeSignature is one signature of an envelope.
type EnvelopeSignature struct {
	KeyID string
	Sig   []byte // decoded
}

// ParseEnvelope decodes a DSSE envelope (JSON, base64 payload and
// signatures; standard or URL-safe alphabet, as the spec allows).
func ParseEnvelope(b []byte) (*Envelope, error) {
	var w struct {
		PayloadType string `json:"payloadType"`
		Payload     string `json:"payload"`
		Signatures  []struct {
			KeyID string `json:"keyid"`
			Sig   string `json:"sig"`
		} `json:"signatures"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return nil, fmt.Errorf("DSSE envelope is not JSON: %v", err)
	}
	if w.PayloadType == "" {
		return nil, fmt.Errorf("DSSE envelope has no payloadType")
	}
	p, err := decodeBase64(w.Payload)
	if err != nil {
		return nil, fmt.Errorf("DSSE payload: %v", err)
	}
	e := &Envelope{PayloadType: w.PayloadType, Payload: p}
	for i, s := range w.Signatures {
		sig, err := decodeBase64(s.Sig)
		if err != nil {
			return nil, fmt.Errorf("DSSE signature %d: %v", i, err)
		}
		e.Signatures = append(e.Signatures, EnvelopeSignature{KeyID: s.KeyID, Sig: sig})
	}
	return e, nil
}

func decodeBase64(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, fmt.Errorf("not base64")
}

// PAE is the pre-authentication encoding DSSE signs:
// "DSSEv1" SP len(type) SP type SP len(payload) SP payload.
func PAE(payloadType string, payload []byte) []byte {
	b := []byte("DSSEv1 " + strconv.Itoa(len(payloadType)) + " " + payloadType + " " + strconv.Itoa(len(payload)) + " ")
	return append(b, payload...)
}

// Verify reports whether one of e's signatures verifies with pub (ECDSA
// P-256/P-384 or Ed25519, as pkg/signature verifies cosign's).
func (e *Envelope) Verify(pub crypto.PublicKey) error {
	if len(e.Signatures) == 0 {
		return fmt.Errorf("DSSE envelope has no signatures")
	}
	msg := PAE(e.PayloadType, e.Payload)
	for _, s := range e.Signatures {
		if signature.VerifyBytes(pub, msg, s.Sig) == nil {
			return nil
		}
	}
	return signature.ErrBadSignature
}
