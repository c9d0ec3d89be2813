// Package imagetest builds whole images for tests in a few lines, on top of
// package tartest (tar layers) and go-containerregistry (images, indexes,
// pushing). It exists for tests only; the pipeline never uses
// go-containerregistry.
//
//	img := imagetest.Image(t, imagetest.OCI,
//		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "etc/os-release", Body: "ID=test\n"}),
//		imagetest.Layer(t, imagetest.Zstd, tartest.Entry{Name: "etc/.wh.os-release"}),
//	)
package imagetest

import (
	"bytes"
	"io"
	"testing"

	"github.com/google/go-containerregistry/pkg/compression"
	ggcr "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/opencontainers/go-digest"

	"github.com/regscope/regscope/internal/tartest"
)

// Compression chooses how Layer stores its tar.
type Compression int

// The compressions Layer can make.
const (
	Gzip Compression = iota
	Zstd
	None
)

// Layer returns a layer holding entries, compressed as c, with the OCI media
// type for c (Gzip layers become Docker's tar.gzip type when the image is
// built with Docker media types).
func Layer(t testing.TB, c Compression, entries ...tartest.Entry) ggcr.Layer {
	t.Helper()
	return LayerFromTar(t, c, tartest.Layer(t, entries))
}

// LayerFromTar is Layer for a tar stream the caller already has.
func LayerFromTar(t testing.TB, c Compression, tarBytes []byte) ggcr.Layer {
	t.Helper()
	switch c {
	case None:
		return static.NewLayer(tarBytes, types.OCIUncompressedLayer)
	case Zstd:
		return opened(t, tartest.Zstd(t, tarBytes), tarball.WithCompression(compression.ZStd), tarball.WithMediaType(types.OCILayerZStd))
	default:
		return opened(t, tartest.Gzip(t, tarBytes), tarball.WithMediaType(types.OCILayer))
	}
}

func opened(t testing.TB, b []byte, opts ...tarball.LayerOption) ggcr.Layer {
	t.Helper()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(b)), nil
	}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// Flavor is the family of media types an image is built with.
type Flavor int

// The image flavors.
const (
	OCI    Flavor = iota // OCI manifest, config and layer types
	Docker               // Docker schema2 manifest, config and tar.gzip layers
)

// Image returns an image of the given layers (bottom first) for
// linux/amd64, with a history entry for each layer ("layer N").
func Image(t testing.TB, f Flavor, layers ...ggcr.Layer) ggcr.Image {
	t.Helper()
	return ImageFor(t, f, ggcr.Platform{OS: "linux", Architecture: "amd64"}, layers...)
}

// ImageFor is Image for a given platform.
func ImageFor(t testing.TB, f Flavor, p ggcr.Platform, layers ...ggcr.Layer) ggcr.Image {
	t.Helper()
	base := empty.Image
	if f == OCI {
		base = mutate.MediaType(base, types.OCIManifestSchema1)
		base = mutate.ConfigMediaType(base, types.OCIConfigJSON)
	}
	var adds []mutate.Addendum
	for i, l := range layers {
		if f == Docker {
			l = dockerLayer{l}
		}
		adds = append(adds, mutate.Addendum{Layer: l, History: ggcr.History{
			CreatedBy: "layer " + string(rune('0'+i%10)),
			Created:   ggcr.Time{Time: tartest.Epoch()},
		}})
	}
	img, err := mutate.Append(base, adds...)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Variant = p.OS, p.Architecture, p.Variant
	cf.Created = ggcr.Time{Time: tartest.Epoch()}
	cf.Config.Env = []string{"PATH=/usr/bin:/bin"}
	cf.Config.Cmd = []string{"/bin/sh"}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// dockerLayer reports Docker's gzip layer media type for a gzip layer.
type dockerLayer struct{ ggcr.Layer }

func (l dockerLayer) MediaType() (types.MediaType, error) {
	mt, err := l.Layer.MediaType()
	if mt == types.OCILayer {
		return types.DockerLayer, err
	}
	return mt, err
}

// Entry is one image of an index with its platform ("os/arch[/variant]").
// Annotations go on its descriptor (an attestation manifest, for example,
// is platform "unknown/unknown" with vnd.docker.reference.type).
type Entry struct {
	Platform    string
	Image       ggcr.Image
	Annotations map[string]string
}

// Index returns an index of the entries, in order. Docker builds a Docker
// manifest list, OCI an OCI index.
func Index(t testing.TB, f Flavor, entries ...Entry) ggcr.ImageIndex {
	t.Helper()
	var idx ggcr.ImageIndex = empty.Index
	if f == Docker {
		idx = mutate.IndexMediaType(idx, types.DockerManifestList)
	}
	for _, e := range entries {
		p, err := ggcr.ParsePlatform(e.Platform)
		if err != nil {
			t.Fatal(err)
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: e.Image,
			Descriptor: ggcr.Descriptor{Platform: p, Annotations: e.Annotations}})
	}
	return idx
}

// LayerDigests returns the compressed digests of img's layers, in order.
func LayerDigests(t testing.TB, img ggcr.Image) []digest.Digest {
	t.Helper()
	ls, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	var ds []digest.Digest
	for _, l := range ls {
		d, err := l.Digest()
		if err != nil {
			t.Fatal(err)
		}
		ds = append(ds, digest.Digest(d.String()))
	}
	return ds
}
