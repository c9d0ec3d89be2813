package demo

import (
	"encoding/json"
	"fmt"

	"github.com/regscope/regscope/pkg/layers"
	"github.com/regscope/regscope/pkg/manifest"
)

// savedImage is one entry of a `docker save` tarball's manifest.json.
type savedImage struct {
	Config   string   // member holding the image config
	RepoTags []string // "alpine:3.20"; none for an image saved by ID
	Layers   []string // members holding the layers, base first
}

// loadDockerSave serves each image of a `docker save` tarball under each of
// its RepoTags, an untagged one as local/BASE. The layers are served as they
// are in the tarball (plain, gzip or zstd tar) under an OCI manifest whose
// media types say which; the config's bytes, and so the image ID, are kept.
func (r *Registry) loadDockerSave(files tarFiles, base, file string) ([]Image, error) {
	mj, err := files.ReadFile("manifest.json")
	if err != nil {
		return nil, err
	}
	var saved []savedImage
	if err := json.Unmarshal(mj, &saved); err != nil {
		return nil, fmt.Errorf("manifest.json: %w", err)
	}
	var out []Image
	for i, s := range saved {
		m, err := savedTree(files, s)
		if err != nil {
			return nil, fmt.Errorf("manifest.json image %d (%s): %w", i, s.Config, err)
		}
		if len(s.RepoTags) == 0 {
			repo, tag := untaggedName(base, i)
			r.put(repo, tag, m, repo+":"+tag, "loaded from "+file)
			out = append(out, Image{Repo: repo, Tag: tag})
			continue
		}
		for _, t := range s.RepoTags {
			repo, tag, err := parseTag(t)
			if err != nil {
				return nil, fmt.Errorf("RepoTag %q: %w", t, err)
			}
			r.put(repo, tag, m, repo+":"+tag, "loaded from "+file+" ("+t+")")
			out = append(out, Image{Repo: repo, Tag: tag})
		}
	}
	return out, nil
}

// savedTree builds the OCI image manifest of one saved image.
func savedTree(files tarFiles, s savedImage) (tree, error) {
	cfg, err := files.ReadFile(s.Config)
	if err != nil {
		return tree{}, err
	}
	var ls []blob
	for _, name := range s.Layers {
		b, err := files.ReadFile(name)
		if err != nil {
			return tree{}, err
		}
		ls = append(ls, newBlob(layerMediaType(layers.Detect(b)), b))
	}
	return imageManifest(manifest.MediaTypeOCIManifest, newBlob(manifest.MediaTypeOCIConfig, cfg), ls, nil)
}

// layerMediaType is the OCI layer media type of a tar compressed with c.
func layerMediaType(c layers.Compression) string {
	switch c {
	case layers.Gzip:
		return manifest.MediaTypeOCILayerGzip
	case layers.Zstd:
		return manifest.MediaTypeOCILayerZstd
	}
	return manifest.MediaTypeOCILayer
}
