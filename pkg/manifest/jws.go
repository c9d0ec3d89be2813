package manifest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
)

// jwsPayload recovers the signed payload of a libtrust "pretty JWS" schema 1
// manifest: the manifest as it was before its "signatures" member was
// spliced in. Each signature's protected header records formatLength (how
// many leading bytes of the body belong to the payload) and formatTail (the
// base64url bytes that followed them, usually "\n}"); every signature must
// agree on both. Docker and Distribution compute a signed manifest's digest
// over this payload, not over the body.
func jwsPayload(body []byte, signatures json.RawMessage) ([]byte, error) {
	var blocks []struct {
		Protected string `json:"protected"`
	}
	if err := json.Unmarshal(signatures, &blocks); err != nil {
		return nil, invalidf("signatures: %v", err)
	}
	if len(blocks) == 0 {
		return nil, invalidf("signatures is empty")
	}
	var (
		length int64
		tail   []byte
	)
	for i, b := range blocks {
		raw, err := decodeBase64URL(b.Protected)
		if err != nil {
			return nil, invalidf("signatures[%d].protected is not base64url: %v", i, err)
		}
		var h struct {
			FormatLength *int64  `json:"formatLength"`
			FormatTail   *string `json:"formatTail"`
		}
		if err := json.Unmarshal(raw, &h); err != nil {
			return nil, invalidf("signatures[%d].protected header: %v", i, err)
		}
		if h.FormatLength == nil {
			return nil, invalidf("signatures[%d].protected header has no formatLength", i)
		}
		if h.FormatTail == nil {
			return nil, invalidf("signatures[%d].protected header has no formatTail", i)
		}
		t, err := decodeBase64URL(*h.FormatTail)
		if err != nil {
			return nil, invalidf("signatures[%d] formatTail is not base64url: %v", i, err)
		}
		if *h.FormatLength < 0 || *h.FormatLength > int64(len(body)) {
			return nil, invalidf("signatures[%d] formatLength %d is outside the %d-byte body", i, *h.FormatLength, len(body))
		}
		if i == 0 {
			length, tail = *h.FormatLength, t
			continue
		}
		if *h.FormatLength != length || !bytes.Equal(t, tail) {
			return nil, invalidf("signatures[%d] disagrees with signatures[0] on formatLength/formatTail", i)
		}
	}
	payload := make([]byte, 0, int(length)+len(tail))
	payload = append(payload, body[:length]...)
	return append(payload, tail...), nil
}

// decodeBase64URL decodes base64url with or without padding, as libtrust writes it.
func decodeBase64URL(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

// Payload returns the bytes a manifest's digest is computed over: for a
// signed schema 1 manifest its JWS payload, for everything else (and for a
// body that does not parse) nil, meaning the body itself. It fits
// registry.Options.ManifestPayload.
func Payload(contentType string, body []byte) []byte {
	if !bytes.Contains(body, []byte(`"signatures"`)) {
		return nil
	}
	m, err := Parse(body, contentType)
	if err != nil || m.Schema1 == nil || !m.Schema1.Signed() {
		return nil
	}
	return m.Schema1.Payload()
}
