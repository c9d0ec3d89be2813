package manifest

import (
	"bytes"
	"encoding/json"
	"fmt"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// Limits on what Parse accepts. A registry refuses larger manifests itself
// (Distribution's limit is 4 MiB); these keep hostile bodies from costing
// more than a real manifest would.
const (
	// MaxManifestSize is the largest manifest body Parse decodes, in bytes.
	MaxManifestSize = 4 << 20
	// MaxEntries is the most manifests (index), layers (image manifest) or
	// fsLayers (schema 1) a manifest may list.
	MaxEntries = 100_000
)

// Manifest is a decoded manifest body. Exactly one of Index, Image and
// Schema1 is set, according to MediaType.
type Manifest struct {
	// MediaType is the media type the body was decoded as: the Content-Type
	// when it named a manifest type, else the body's mediaType field, else
	// the type its shape implies.
	MediaType string
	// Index is set for an OCI image index or a Docker manifest list. Its own
	// MediaType field keeps what the body said (possibly empty).
	Index *v1.Index
	// Image is set for an OCI image manifest or a Docker schema2 manifest.
	// Its own MediaType field keeps what the body said (possibly empty).
	Image *v1.Manifest
	// Schema1 is set for a Docker schema 1 manifest, signed or not.
	Schema1 *Schema1
	// Warnings lists things that are legal but worth telling a person, such
	// as an image manifest with no layers.
	Warnings []string
}

// IsIndex reports whether m is an index (OCI index or Docker manifest list),
// whose entries name further manifests rather than layers.
func (m *Manifest) IsIndex() bool { return m != nil && m.Index != nil }

// probe is the part of every manifest format that tells them apart. Raw
// messages are kept so that list lengths can be counted before a full decode.
type probe struct {
	SchemaVersion json.RawMessage `json:"schemaVersion"`
	MediaType     string          `json:"mediaType"`
	Manifests     json.RawMessage `json:"manifests"`
	Config        json.RawMessage `json:"config"`
	Layers        json.RawMessage `json:"layers"`
	FSLayers      json.RawMessage `json:"fsLayers"`
	Signatures    json.RawMessage `json:"signatures"`
}

// Parse decodes and validates a manifest body served with the given
// Content-Type (parameters such as charset are ignored).
//
// The Content-Type decides when it names a manifest type; when it is empty,
// generic (application/json, text/plain, application/octet-stream) or
// unknown, the body's mediaType field decides, and failing that its shape:
// "manifests" means an index, "config" and "layers" an image manifest,
// "fsLayers" a schema 1 manifest. A body whose mediaType contradicts a
// manifest Content-Type is refused with an error naming both.
func Parse(body []byte, contentType string) (*Manifest, error) {
	if len(body) > MaxManifestSize {
		return nil, invalidf("body is %d bytes, more than the %d allowed", len(body), MaxManifestSize)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, invalidf("body is empty")
	}
	var p probe
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, invalidf("body is not a JSON object: %v", err)
	}
	mt, err := decideType(baseMediaType(contentType), &p)
	if err != nil {
		return nil, err
	}
	switch {
	case IsIndexType(mt):
		return parseIndex(body, mt, &p)
	case IsImageType(mt):
		return parseImage(body, mt, &p)
	default:
		return parseSchema1(body, mt, &p)
	}
}

// decideType picks the media type to decode the body as.
func decideType(ct string, p *probe) (string, error) {
	shape := shapeOf(p)
	if IsManifestType(ct) {
		if p.MediaType != "" && p.MediaType != ct && !(IsSchema1Type(ct) && IsSchema1Type(p.MediaType)) {
			return "", invalidf("Content-Type is %q but the body's mediaType is %q", ct, p.MediaType)
		}
		if shape != "" && kindOf(shape) != kindOf(ct) {
			return "", invalidf("Content-Type is %q but the body is shaped like %s", ct, describeShape(shape))
		}
		return ct, nil
	}
	if p.MediaType != "" {
		if !IsManifestType(p.MediaType) {
			return "", fmt.Errorf("%w: mediaType %q (Content-Type %q) is not an image index or manifest", ErrUnsupported, p.MediaType, ct)
		}
		if shape != "" && kindOf(shape) != kindOf(p.MediaType) {
			return "", invalidf("the body's mediaType is %q but it is shaped like %s", p.MediaType, describeShape(shape))
		}
		return p.MediaType, nil
	}
	if shape == "" {
		return "", fmt.Errorf("%w: Content-Type %q, no mediaType, and neither manifests, config and layers, nor fsLayers", ErrUnsupported, ct)
	}
	return shape, nil
}

// shapeOf returns the media type a body's fields imply, or "" when they
// imply none or several.
func shapeOf(p *probe) string {
	var shapes []string
	if present(p.Manifests) {
		shapes = append(shapes, MediaTypeOCIIndex)
	}
	if present(p.Config) {
		shapes = append(shapes, MediaTypeOCIManifest)
	}
	if present(p.FSLayers) {
		if present(p.Signatures) {
			shapes = append(shapes, MediaTypeDockerV1Signed)
		} else {
			shapes = append(shapes, MediaTypeDockerV1)
		}
	}
	if len(shapes) != 1 {
		return ""
	}
	return shapes[0]
}

// kindOf folds media types into the three formats: "index", "image", "schema1".
func kindOf(mediaType string) string {
	switch {
	case IsIndexType(mediaType):
		return "index"
	case IsImageType(mediaType):
		return "image"
	case IsSchema1Type(mediaType):
		return "schema1"
	}
	return ""
}

func describeShape(shape string) string {
	switch kindOf(shape) {
	case "index":
		return "an index (it has manifests)"
	case "image":
		return "an image manifest (it has config)"
	}
	return "a schema 1 manifest (it has fsLayers)"
}

// present reports whether a raw JSON member was given and is not null.
func present(raw json.RawMessage) bool {
	return len(raw) > 0 && !bytes.Equal(raw, []byte("null"))
}

// checkSchemaVersion compares the body's schemaVersion with want.
func checkSchemaVersion(got, want int) error {
	if got == 0 {
		return invalidf("schemaVersion is missing, want %d", want)
	}
	if got != want {
		return invalidf("schemaVersion is %d, want %d", got, want)
	}
	return nil
}

// checkCount refuses a list with more than MaxEntries elements before it is decoded.
func checkCount(field string, raw json.RawMessage) error {
	if n := countElements(raw); n > MaxEntries {
		return invalidf("%s has %d entries, more than the %d allowed", field, n, MaxEntries)
	}
	return nil
}

// countElements counts the top-level elements of a JSON array without
// decoding them. raw must be valid JSON (as json.Unmarshal leaves it); a
// value that is not an array counts as zero.
func countElements(raw json.RawMessage) int {
	raw = bytes.TrimSpace(raw)
	if len(raw) < 2 || raw[0] != '[' {
		return 0
	}
	n, depth, inString, escaped, empty := 1, 0, false, false, true
	for _, c := range raw[1 : len(raw)-1] {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			depth++
		case c == ']' || c == '}':
			depth--
		case c == ',' && depth == 0:
			n++
		}
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			empty = false
		}
	}
	if empty {
		return 0
	}
	return n
}

// checkList refuses a list field (manifests, layers) that is missing or has
// more than MaxEntries elements.
func checkList(mt, field string, raw json.RawMessage) error {
	if !present(raw) {
		return invalidf("%s: %s is missing", mt, field)
	}
	return checkCount(field, raw)
}

// decodeV2 decodes body into v (an index or image manifest) and checks
// that the schemaVersion it decoded into *version is 2.
func decodeV2(body []byte, mt string, v any, version *int) error {
	if err := json.Unmarshal(body, v); err != nil {
		return invalidf("%s: %v", mt, err)
	}
	return checkSchemaVersion(*version, 2)
}

func parseIndex(body []byte, mt string, p *probe) (*Manifest, error) {
	if err := checkList(mt, "manifests", p.Manifests); err != nil {
		return nil, err
	}
	idx := new(v1.Index)
	if err := decodeV2(body, mt, idx, &idx.SchemaVersion); err != nil {
		return nil, err
	}
	if err := checkDescriptors("manifests", idx.Manifests, idx.Subject); err != nil {
		return nil, err
	}
	m := &Manifest{MediaType: mt, Index: idx}
	if len(idx.Manifests) == 0 {
		m.Warnings = append(m.Warnings, "the index lists no manifests")
	}
	return m, nil
}

func parseImage(body []byte, mt string, p *probe) (*Manifest, error) {
	if !present(p.Config) {
		return nil, invalidf("%s: config is missing", mt)
	}
	if err := checkList(mt, "layers", p.Layers); err != nil {
		return nil, err
	}
	img := new(v1.Manifest)
	if err := decodeV2(body, mt, img, &img.SchemaVersion); err != nil {
		return nil, err
	}
	if err := checkDescriptor("config", img.Config); err != nil {
		return nil, err
	}
	if err := checkDescriptors("layers", img.Layers, img.Subject); err != nil {
		return nil, err
	}
	m := &Manifest{MediaType: mt, Image: img}
	if len(img.Layers) == 0 {
		m.Warnings = append(m.Warnings, "the image manifest lists no layers (legal, but the image is empty)")
	}
	return m, nil
}
