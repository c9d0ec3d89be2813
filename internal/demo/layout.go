package demo

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/regscope/regscope/pkg/manifest"
)

// Annotations that name an image in an OCI layout's index.json.
const (
	annotationRefName       = v1.AnnotationRefName
	annotationContainerdRef = "io.containerd.image.name"
)

// loadLayout serves each image or index that an OCI image layout's
// index.json lists, named by layoutName.
func (r *Registry) loadLayout(files fileReader, base string) ([]Image, error) {
	b, err := files.ReadFile("index.json")
	if err != nil {
		return nil, err
	}
	var idx v1.Index
	if err := json.Unmarshal(b, &idx); err != nil {
		return nil, fmt.Errorf("index.json: %w", err)
	}
	if len(idx.Manifests) == 0 {
		return nil, errors.New("index.json lists no images")
	}
	var out []Image
	for i, d := range idx.Manifests {
		if !manifest.IsIndexType(d.MediaType) && !manifest.IsImageType(d.MediaType) {
			return nil, fmt.Errorf("index.json entry %s: unsupported media type %q", d.Digest, d.MediaType)
		}
		m, err := layoutTree(files, d)
		if err != nil {
			return nil, fmt.Errorf("index.json entry %s: %w", d.Digest, err)
		}
		repo, tag := layoutName(d, base, i)
		r.put(repo, tag, m, repo+":"+tag, "loaded from "+base)
		out = append(out, Image{Repo: repo, Tag: tag})
	}
	return out, nil
}

// layoutTree reads the manifest d points at and everything it references.
// A non-distributable layer the layout does not hold is left out, as a
// registry would.
func layoutTree(files fileReader, d v1.Descriptor) (tree, error) {
	b, err := layoutBlob(files, d)
	if err != nil {
		return tree{}, err
	}
	t := tree{blob: b}
	if manifest.IsIndexType(d.MediaType) {
		var idx v1.Index
		if err := json.Unmarshal(b.data, &idx); err != nil {
			return tree{}, fmt.Errorf("index %s: %w", d.Digest, err)
		}
		for _, c := range idx.Manifests {
			ct, err := layoutTree(files, c)
			if err != nil {
				return tree{}, err
			}
			t.children = append(t.children, ct)
		}
		return t, nil
	}
	var m v1.Manifest
	if err := json.Unmarshal(b.data, &m); err != nil {
		return tree{}, fmt.Errorf("manifest %s: %w", d.Digest, err)
	}
	for _, ld := range append([]v1.Descriptor{m.Config}, m.Layers...) {
		lb, err := layoutBlob(files, ld)
		if errors.Is(err, fs.ErrNotExist) && manifest.IsNonDistributable(ld.MediaType) {
			continue
		}
		if err != nil {
			return tree{}, err
		}
		t.blobs = append(t.blobs, lb)
	}
	return t, nil
}

// layoutBlob reads blobs/ALG/HEX and checks it against d's digest and size.
func layoutBlob(files fileReader, d v1.Descriptor) (blob, error) {
	if err := d.Digest.Validate(); err != nil {
		return blob{}, fmt.Errorf("descriptor digest %q: %w", d.Digest, err)
	}
	data, err := files.ReadFile(path.Join("blobs", d.Digest.Algorithm().String(), d.Digest.Encoded()))
	if err != nil {
		return blob{}, fmt.Errorf("blob %s: %w", d.Digest, err)
	}
	if got := d.Digest.Algorithm().FromBytes(data); got != d.Digest {
		return blob{}, fmt.Errorf("blob %s: content has digest %s", d.Digest, got)
	}
	if int64(len(data)) != d.Size {
		return blob{}, fmt.Errorf("blob %s: %d bytes, descriptor says %d", d.Digest, len(data), d.Size)
	}
	return blob{mediaType: d.MediaType, data: data, digest: d.Digest}, nil
}

// layoutName names the i-th image of a layout from its annotations: a full
// reference ("docker.io/library/alpine:3.20") or a bare tag ("3.20").
func layoutName(d v1.Descriptor, base string, i int) (repo, tag string) {
	for _, k := range []string{annotationContainerdRef, annotationRefName} {
		v := d.Annotations[k]
		if v == "" {
			continue
		}
		if strings.ContainsAny(v, "/:") {
			if repo, tag, err := parseTag(v); err == nil {
				return repo, tag
			}
		}
		if _, t, err := parseTag("x:" + v); err == nil && t == v {
			return "local/" + base, v
		}
	}
	return untaggedName(base, i)
}
