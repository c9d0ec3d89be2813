package attest

import (
	"fmt"

	"github.com/opencontainers/go-digest"
)

// Document is one decoded attestation or SBOM blob.
type Document struct {
	MediaType     string
	Envelope      *Envelope   // set when the blob was a DSSE envelope
	Statement     *Statement  // set when it is (or wraps) an in-toto statement
	SubjectMatch  bool        // a statement subject has the image's digest
	PredicateType string      // the statement's predicate type, or the SBOM's media type
	Provenance    *Provenance // set for SLSA provenance
	SBOM          *SBOM       // set for SPDX or CycloneDX, bare or as a predicate
}

// IsDocument reports whether Decode understands blobs of mediaType.
func IsDocument(mediaType string) bool {
	switch mediaType {
	case MediaTypeDSSE, MediaTypeInToto, MediaTypeSPDX, MediaTypeCycloneDX:
		return true
	}
	return false
}

// Decode decodes blob b of mediaType. subject is the digest of the image
// the blob is attached to; SubjectMatch says whether a statement names it.
func Decode(mediaType string, b []byte, subject digest.Digest) (*Document, error) {
	doc := &Document{MediaType: mediaType}
	switch mediaType {
	case MediaTypeSPDX, MediaTypeCycloneDX:
		doc.PredicateType = mediaType
		return doc, doc.sbom(mediaType, b)
	case MediaTypeDSSE:
		env, err := ParseEnvelope(b)
		if err != nil {
			return nil, err
		}
		if env.PayloadType != MediaTypeInToto {
			return nil, fmt.Errorf("DSSE payload type %q is not an in-toto statement", env.PayloadType)
		}
		doc.Envelope = env
		b = env.Payload
	case MediaTypeInToto:
	default:
		return nil, fmt.Errorf("media type %q is not an attestation or SBOM", mediaType)
	}
	st, err := ParseStatement(b)
	if err != nil {
		return nil, err
	}
	doc.Statement, doc.PredicateType, doc.SubjectMatch = st, st.PredicateType, st.Matches(subject)
	switch st.PredicateType {
	case PredicateSLSA02, PredicateSLSA1:
		doc.Provenance, err = ParseProvenance(st.PredicateType, st.Predicate)
	case PredicateSPDX:
		err = doc.sbom(MediaTypeSPDX, st.Predicate)
	case PredicateCycloneDX:
		err = doc.sbom(MediaTypeCycloneDX, st.Predicate)
	}
	if err != nil {
		return nil, err
	}
	return doc, nil
}

func (doc *Document) sbom(mediaType string, b []byte) error {
	var err error
	if mediaType == MediaTypeSPDX {
		doc.SBOM, err = ParseSPDX(b)
	} else {
		doc.SBOM, err = ParseCycloneDX(b)
	}
	return err
}
