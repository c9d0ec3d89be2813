package referrers

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/regscope/regscope/pkg/registry"
)

// wire is the part of a manifest or index a referrer needs.
type wire struct {
	MediaType    string            `json:"mediaType"`
	ArtifactType string            `json:"artifactType"`
	Config       *v1.Descriptor    `json:"config"`
	Layers       []v1.Descriptor   `json:"layers"`
	Manifests    []v1.Descriptor   `json:"manifests"`
	Subject      *v1.Descriptor    `json:"subject"`
	Annotations  map[string]string `json:"annotations"`
}

// decode turns a fetched manifest into a Referrer of subject.
func decode(subject digest.Digest, m *registry.Fetched, source string) (*Referrer, error) {
	var w wire
	if err := json.Unmarshal(m.Body, &w); err != nil {
		return nil, fmt.Errorf("not a JSON manifest: %v", err)
	}
	mt := w.MediaType
	if mt == "" {
		mt = m.ContentType
	}
	ref := &Referrer{
		Subject:      subject,
		Digest:       m.Digest,
		MediaType:    mt,
		ArtifactType: w.ArtifactType,
		Size:         int64(len(m.Body)),
		Annotations:  w.Annotations,
		Created:      w.Annotations[AnnotationCreated],
		Source:       source,
		Body:         m.Body,
	}
	if w.Subject != nil && w.Subject.Digest != subject {
		return nil, fmt.Errorf("its subject is %s, not %s", w.Subject.Digest, subject)
	}
	switch {
	case w.Manifests != nil:
		ref.Index = &v1.Index{MediaType: mt, ArtifactType: w.ArtifactType, Manifests: w.Manifests, Subject: w.Subject, Annotations: w.Annotations}
	default:
		ref.Manifest = &v1.Manifest{MediaType: mt, ArtifactType: w.ArtifactType, Layers: w.Layers, Subject: w.Subject, Annotations: w.Annotations}
		if w.Config != nil {
			ref.Manifest.Config = *w.Config
			if ref.ArtifactType == "" {
				ref.ArtifactType = w.Config.MediaType
			}
		}
	}
	return ref, nil
}

// Type says what the referrer is, for people: its artifact type, or, when
// that is only a generic config type (cosign's tag-mode manifests,
// BuildKit's attestation manifests), the media types of its layers.
func (r *Referrer) Type() string {
	switch r.ArtifactType {
	case "", v1.MediaTypeImageConfig, v1.MediaTypeEmptyJSON:
	default:
		return r.ArtifactType
	}
	var types []string
	for _, l := range r.Layers() {
		if !slices.Contains(types, l.MediaType) {
			types = append(types, l.MediaType)
		}
	}
	if len(types) == 0 {
		return r.MediaType
	}
	return strings.Join(types, ", ")
}
