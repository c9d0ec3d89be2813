package demo

import (
	"fmt"

	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// step is one build step: a layer with the command that made it, or (layer
// nil) a metadata-only step recorded as an empty_layer history entry.
type step struct {
	layer     v1.Layer
	createdBy string
}

// imageSpec is everything assemble needs to make one image.
type imageSpec struct {
	steps      []step
	config     v1.Config
	platform   v1.Platform
	manifestMT types.MediaType // OCIManifestSchema1 or DockerManifestSchema2
	configMT   types.MediaType // OCIConfigJSON or DockerConfigJSON
}

// assemble builds a deterministic image: fixed timestamps, history in step order.
func assemble(s imageSpec) (v1.Image, error) {
	img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, s.manifestMT), s.configMT)
	var history []v1.History
	for _, st := range s.steps {
		h := v1.History{Created: v1.Time{Time: epoch}, CreatedBy: st.createdBy, EmptyLayer: st.layer == nil}
		history = append(history, h)
		if st.layer == nil {
			continue
		}
		var err error
		if img, err = mutate.Append(img, mutate.Addendum{Layer: st.layer, History: h}); err != nil {
			return nil, fmt.Errorf("demo: append layer for %q: %w", st.createdBy, err)
		}
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.Created = v1.Time{Time: epoch}
	cf.Author = "regscope demo"
	cf.History = history
	cf.Config = s.config
	cf.OS, cf.Architecture, cf.Variant, cf.OSVersion = s.platform.OS, s.platform.Architecture, s.platform.Variant, s.platform.OSVersion
	return mutate.ConfigFile(img, cf)
}
