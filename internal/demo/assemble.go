package demo

import (
	"time"

	digest "github.com/opencontainers/go-digest"
	specs "github.com/opencontainers/image-spec/specs-go"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/regscope/regscope/pkg/manifest"
)

// epoch is every demo file's and config's timestamp, so the bytes never change.
func epoch() time.Time { return time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC) }

// step is one build step: a layer with the command that made it, or (layer
// nil) a metadata-only step recorded as an empty_layer history entry.
type step struct {
	layer     *layer
	createdBy string
}

// imageSpec is everything assemble needs to make one image.
type imageSpec struct {
	steps      []step
	config     v1.ImageConfig
	platform   v1.Platform
	manifestMT string // manifest.MediaTypeOCIManifest or MediaTypeDockerV2
	configMT   string // manifest.MediaTypeOCIConfig or MediaTypeDockerConfig
}

// assemble builds a deterministic image: fixed timestamps, history in step order.
func assemble(s imageSpec) (tree, error) {
	created := epoch()
	cfg := v1.Image{
		Created:  &created,
		Author:   "regscope demo",
		Platform: s.platform,
		Config:   s.config,
		RootFS:   v1.RootFS{Type: "layers", DiffIDs: []digest.Digest{}},
	}
	var layers []blob
	for _, st := range s.steps {
		cfg.History = append(cfg.History, v1.History{Created: &created, CreatedBy: st.createdBy, EmptyLayer: st.layer == nil})
		if st.layer != nil {
			layers = append(layers, st.layer.blob)
			cfg.RootFS.DiffIDs = append(cfg.RootFS.DiffIDs, st.layer.diffID)
		}
	}
	cb, err := jsonBlob(s.configMT, cfg)
	if err != nil {
		return tree{}, err
	}
	return imageManifest(s.manifestMT, cb, layers, nil)
}

// imageManifest encodes the manifest of mediaType that lists config and
// layers (each layer annotated by the matching layerAnnotations entry).
func imageManifest(mediaType string, cb blob, layers []blob, layerAnnotations []map[string]string) (tree, error) {
	m := v1.Manifest{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: mediaType, Config: cb.descriptor()}
	for i, l := range layers {
		d := l.descriptor()
		if i < len(layerAnnotations) {
			d.Annotations = layerAnnotations[i]
		}
		m.Layers = append(m.Layers, d)
	}
	mb, err := jsonBlob(mediaType, m)
	if err != nil {
		return tree{}, err
	}
	return tree{blob: mb, blobs: append([]blob{cb}, layers...)}, nil
}

// indexEntry is one manifest of an index with what its descriptor says beyond
// the manifest's own bytes.
type indexEntry struct {
	m           tree
	platform    v1.Platform
	annotations map[string]string
}

// ociIndex encodes an OCI image index of entries.
func ociIndex(entries ...indexEntry) (tree, error) {
	idx := v1.Index{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: manifest.MediaTypeOCIIndex}
	out := tree{}
	for _, e := range entries {
		d := e.m.descriptor()
		d.Platform = &e.platform
		d.Annotations = e.annotations
		idx.Manifests = append(idx.Manifests, d)
		out.children = append(out.children, e.m)
	}
	b, err := jsonBlob(manifest.MediaTypeOCIIndex, idx)
	if err != nil {
		return tree{}, err
	}
	out.blob = b
	return out, nil
}
