package registry

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	ggcr "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/pkg/manifest"
)

// pushed is an image pushed to a test registry, with what a puller should get.
type pushed struct {
	ref       Ref
	manifest  []byte
	mediaType string
	digest    digest.Digest
	config    v1.Descriptor
	layers    []v1.Descriptor
	blobs     map[digest.Digest][]byte
}

// pushRandom pushes a random image with n layers of size bytes to host/repo:tag.
func pushRandom(t *testing.T, host, repo string, size int64, n int) pushed {
	t.Helper()
	img, err := random.Image(size, int64(n))
	if err != nil {
		t.Fatal(err)
	}
	return pushImage(t, host, repo, img)
}

// pushImage pushes img to host/repo:tag.
func pushImage(t *testing.T, host, repo string, img ggcr.Image) pushed {
	t.Helper()
	regtest.Push(t, host+"/"+repo+":tag", img)
	ref, err := ParseRef(host + "/" + repo + ":tag")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := img.RawManifest()
	mt, _ := img.MediaType()
	d, _ := img.Digest()
	p := pushed{ref: ref, manifest: raw, mediaType: string(mt), digest: digest.Digest(d.String()), blobs: map[digest.Digest][]byte{}}
	cfg, _ := img.RawConfigFile()
	cd, _ := img.ConfigName()
	p.config = v1.Descriptor{Digest: digest.Digest(cd.String()), Size: int64(len(cfg))}
	p.blobs[p.config.Digest] = cfg
	layers, _ := img.Layers()
	for _, l := range layers {
		p.layers = append(p.layers, descOf(t, l))
		rc, _ := l.Compressed()
		b, _ := io.ReadAll(rc)
		p.blobs[p.layers[len(p.layers)-1].Digest] = b
	}
	return p
}

func descOf(t *testing.T, l ggcr.Layer) v1.Descriptor {
	d, _ := l.Digest()
	s, _ := l.Size()
	mt, _ := l.MediaType()
	return v1.Descriptor{MediaType: string(mt), Digest: digest.Digest(d.String()), Size: s}
}

// fastClient retries quickly, so fault tests take milliseconds.
func fastClient(o Options) *Client {
	o.Backoff, o.MaxBackoff = time.Millisecond, 1500*time.Millisecond
	return NewClient(o)
}

// readBlob reads a whole blob and returns its bytes and the final error
// (nil for io.EOF).
func readBlob(t *testing.T, c *Client, r Ref, desc v1.Descriptor) ([]byte, error) {
	t.Helper()
	rc, err := c.Blob(context.Background(), r, desc)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var buf bytes.Buffer
	_, err = io.Copy(&buf, rc)
	return buf.Bytes(), err
}

// maxManifest is the manifest size cap the pipeline passes to Manifest.
const maxManifest = manifest.MaxManifestSize

var manifestTypes = []string{
	"application/vnd.oci.image.index.v1+json", "application/vnd.oci.image.manifest.v1+json",
	"application/vnd.docker.distribution.manifest.list.v2+json", "application/vnd.docker.distribution.manifest.v2+json",
}
