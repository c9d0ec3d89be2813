package archive

import (
	"crypto/sha256"
	"fmt"
	"io"

	"github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/regscope/regscope/pkg/layers"
	"github.com/regscope/regscope/pkg/manifest"
)

// openLayer serves the whole file as the one layer of an image made here:
// an OCI manifest and a config (linux/amd64) whose DiffID is the hash of
// the layer's uncompressed content. Both digests are computed by reading
// the file once here; the pull then reads it again and checks both — which
// catches a file that changes while open, but a lone layer has nothing
// else to be checked against.
func (a *Archive) openLayer(c layers.Compression) error {
	a.Kind = Layer
	mt := map[layers.Compression]string{layers.None: manifest.MediaTypeOCILayer, layers.Gzip: manifest.MediaTypeOCILayerGzip,
		layers.Zstd: manifest.MediaTypeOCILayerZstd}[c]
	blobHash := sha256.New()
	plain, err := layers.Decompress(io.TeeReader(io.NewSectionReader(a.r, 0, a.size), blobHash), mt)
	if err != nil {
		return fmt.Errorf("%s (%s, %s): %v", a.Name, a.Kind, c, err)
	}
	diffHash := sha256.New()
	_, err = io.Copy(diffHash, plain)
	plain.Close()
	if err != nil {
		return fmt.Errorf("%s (%s, %s): %v", a.Name, a.Kind, c, err)
	}
	ld := digest.NewDigest(digest.SHA256, blobHash)
	a.blobs[ld] = blob{mediaType: mt, off: 0, size: a.size}
	cfg := v1.Image{Platform: v1.Platform{OS: "linux", Architecture: "amd64"},
		RootFS:  v1.RootFS{Type: "layers", DiffIDs: []digest.Digest{digest.NewDigest(digest.SHA256, diffHash)}},
		History: []v1.History{{CreatedBy: "a single layer: " + a.Name}}}
	cd, err := a.putJSON(v1.MediaTypeImageConfig, cfg)
	if err != nil {
		return err
	}
	m := v1.Manifest{MediaType: v1.MediaTypeImageManifest,
		Config: v1.Descriptor{MediaType: v1.MediaTypeImageConfig, Digest: cd, Size: int64(len(a.blobs[cd].data))},
		Layers: []v1.Descriptor{{MediaType: mt, Digest: ld, Size: a.size}}}
	m.SchemaVersion = 2
	md, err := a.putJSON(v1.MediaTypeImageManifest, m)
	if err != nil {
		return err
	}
	a.addTag("", md)
	return nil
}
