package attest

import (
	"encoding/json"
	"fmt"

	"github.com/opencontainers/go-digest"
)

// Media types and predicate types this package knows.
const (
	MediaTypeDSSE      = "application/vnd.dsse.envelope.v1+json"
	MediaTypeInToto    = "application/vnd.in-toto+json"
	MediaTypeSPDX      = "application/spdx+json"
	MediaTypeCycloneDX = "application/vnd.cyclonedx+json"

	PredicateSLSA02    = "https://slsa.dev/provenance/v0.2"
	PredicateSLSA1     = "https://slsa.dev/provenance/v1"
	PredicateSPDX      = "https://spdx.dev/Document"
	PredicateCycloneDX = "https://cyclonedx.org/bom"
)

// Statement is an in-toto statement (v0.1 or v1).
type Statement struct {
	Type          string          `json:"_type"`
	Subject       []Subject       `json:"subject"`
	PredicateType string          `json:"predicateType"`
	Predicate     json.RawMessage `json:"predicate"`
}

// Subject is one artifact a statement is about.
type Subject struct {
	Name   string            `json:"name"`
	Digest map[string]string `json:"digest"`
}

// ParseStatement decodes an in-toto statement.
func ParseStatement(b []byte) (*Statement, error) {
	var s Statement
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("in-toto statement is not JSON: %v", err)
	}
	if s.PredicateType == "" || len(s.Subject) == 0 {
		return nil, fmt.Errorf("in-toto statement (type %q) lacks a predicateType or subjects", s.Type)
	}
	return &s, nil
}

// Matches reports whether one of the statement's subjects has digest d.
func (s *Statement) Matches(d digest.Digest) bool {
	for _, sub := range s.Subject {
		if sub.Digest[d.Algorithm().String()] == d.Encoded() {
			return true
		}
	}
	return false
}
