package manifest

import (
	"bytes"
	"fmt"
	"strings"

	digest "github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// Schema1 is a Docker image manifest, schema 1 (signed or not): the v2-era
// descendant of the v1 registry protocol. It names layers but no config;
// each layer carries the v1 image JSON ("v1Compatibility") it was made with.
//
// On the wire fsLayers and history are top-first. Layers and Config turn
// them into what a schema 2 image would say, the way Docker's schema 1
// puller does: bottom-first, with consecutive duplicate layer IDs collapsed
// and "throwaway" entries kept only as history.
type Schema1 struct {
	// Name and Tag are the repository and tag the manifest was made for.
	Name, Tag string
	// Architecture is the manifest's own architecture field.
	Architecture string
	// FSLayers lists the layer blobs as on the wire, top-first.
	FSLayers []FSLayer
	// History lists the v1 image JSON of each layer as on the wire, top-first.
	History []V1History

	payload []byte
	signed  bool
	// entries are FSLayers and History, decoded and with consecutive
	// duplicates removed, top-first.
	entries []schema1Entry
}

// FSLayer is a schema 1 layer reference.
type FSLayer struct {
	BlobSum digest.Digest `json:"blobSum"`
}

// V1History is a schema 1 history entry: a v1 image JSON document as a string.
type V1History struct {
	V1Compatibility string `json:"v1Compatibility"`
}

// Signed reports whether the manifest carried libtrust signatures
// (application/vnd.docker.distribution.manifest.v1+prettyjws).
func (s *Schema1) Signed() bool { return s.signed }

// Payload returns the bytes a schema 1 manifest's digest is computed over.
// For a signed manifest that is the JWS payload: the body with its
// "signatures" member removed, rebuilt from the protected header's
// formatLength and formatTail exactly as libtrust does. For an unsigned one
// it is the body itself. The manifest's fields were decoded from these bytes.
func (s *Schema1) Payload() []byte { return bytes.Clone(s.payload) }

// Digest is the canonical digest of the manifest, sha256 over Payload: what
// a registry reports in Docker-Content-Digest and what a reference by digest
// names. For a signed manifest it differs from the digest of the body.
func (s *Schema1) Digest() digest.Digest { return digest.FromBytes(s.payload) }

// Layers returns the image's layers bottom-first, as a schema 2 manifest
// would list them: consecutive duplicate layer IDs collapsed and "throwaway"
// (empty) layers left out. Sizes are unknown to schema 1, so Size is -1 and
// the media type is always MediaTypeDockerLayer.
func (s *Schema1) Layers() []v1.Descriptor {
	var out []v1.Descriptor
	for i := len(s.entries) - 1; i >= 0; i-- {
		e := s.entries[i]
		if e.v1.ThrowAway {
			continue
		}
		out = append(out, v1.Descriptor{MediaType: MediaTypeDockerLayer, Digest: e.blobSum, Size: -1})
	}
	return out
}

// Config synthesises the image config a schema 2 image would carry: the
// platform, container config, created time and author of the top layer's v1
// JSON, and a history entry for every layer bottom-first (throwaway layers
// marked empty_layer), so that LayerHistory(cfg, len(s.Layers())) lines up.
// RootFS has type "layers" and no diff_ids: schema 1 does not record them, so
// the puller computes them from the layer contents.
func (s *Schema1) Config() (*v1.Image, error) {
	if len(s.entries) == 0 {
		return nil, invalidf("schema 1 manifest has no layers")
	}
	top := s.entries[0]
	img := &v1.Image{
		Created: top.created,
		Author:  top.v1.Author,
		Platform: v1.Platform{
			Architecture: top.v1.Architecture,
			OS:           top.v1.OS,
			OSVersion:    top.v1.OSVersion,
			OSFeatures:   top.v1.OSFeatures,
			Variant:      top.v1.Variant,
		},
		RootFS: v1.RootFS{Type: "layers", DiffIDs: []digest.Digest{}},
	}
	if img.Architecture == "" {
		img.Architecture = s.Architecture
	}
	if img.OS == "" {
		img.OS = "linux"
	}
	if c := top.v1.Config; c != nil {
		img.Config = v1.ImageConfig{
			User:         c.User,
			ExposedPorts: c.ExposedPorts,
			Env:          c.Env,
			Entrypoint:   c.Entrypoint,
			Cmd:          c.Cmd,
			Volumes:      c.Volumes,
			WorkingDir:   c.WorkingDir,
			Labels:       c.Labels,
			StopSignal:   c.StopSignal,
			ArgsEscaped:  c.ArgsEscaped,
		}
	}
	for i := len(s.entries) - 1; i >= 0; i-- {
		e := s.entries[i]
		img.History = append(img.History, v1.History{
			Created:    e.created,
			CreatedBy:  strings.Join(e.v1.ContainerConfig.Cmd, " "),
			Author:     e.v1.Author,
			Comment:    e.v1.Comment,
			EmptyLayer: e.v1.ThrowAway,
		})
	}
	return img, nil
}

// String describes the manifest briefly, for messages.
func (s *Schema1) String() string {
	return fmt.Sprintf("schema 1 manifest %s:%s (%d layers)", s.Name, s.Tag, len(s.Layers()))
}
