package archive

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	ggcr "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/tartest"
	"github.com/regscope/regscope/pkg/layers"
	"github.com/regscope/regscope/pkg/pull"
	"github.com/regscope/regscope/pkg/registry"
)

// testImage is two layers (gzip, zstd) with a file in each.
func testImage(t *testing.T) ggcr.Image {
	return imagetest.Image(t, imagetest.OCI,
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "etc/os-release", Body: "ID=archive\n"}),
		imagetest.Layer(t, imagetest.Zstd, tartest.Entry{Name: "app/hello", Body: "hello from the archive\n"}))
}

// dockerSave is img as go-containerregistry's tarball.Write writes it (the
// `docker save` format: manifest.json, the config, HEX.tar.gz layers).
func dockerSave(t *testing.T, img ggcr.Image) []byte {
	var buf bytes.Buffer
	tag, _ := name.NewTag("example.com/app:1.0")
	if err := tarball.Write(tag, img, &buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// ociLayoutTar is img in an OCI image layout, as a tar.
func ociLayoutTar(t *testing.T, img ggcr.Image) []byte {
	dir := t.TempDir()
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(img, layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": "2.0"})); err != nil {
		t.Fatal(err)
	}
	var entries []tartest.Entry
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		entries = append(entries, tartest.Entry{Name: filepath.ToSlash(rel), Body: string(b)})
		return nil
	})
	return tartest.Layer(t, entries)
}

// legacySave is an old-style `docker save` tarball written by hand in its
// documented form: HEX.json config, ID/layer.tar uncompressed layers,
// manifest.json naming them.
func legacySave(t *testing.T) []byte {
	layer := tartest.Layer(t, []tartest.Entry{{Name: "etc/os-release", Body: "ID=legacy\n"}})
	sum := sha256.Sum256(layer)
	cfg, _ := json.Marshal(map[string]any{"architecture": "amd64", "os": "linux",
		"rootfs": map[string]any{"type": "layers", "diff_ids": []string{"sha256:" + hex.EncodeToString(sum[:])}}})
	csum := sha256.Sum256(cfg)
	cfgName := hex.EncodeToString(csum[:]) + ".json"
	man, _ := json.Marshal([]map[string]any{{"Config": cfgName, "RepoTags": []string{"legacy:old"}, "Layers": []string{"0123abcd/layer.tar"}}})
	return tartest.Layer(t, []tartest.Entry{
		{Name: "0123abcd/layer.tar", Body: string(layer)},
		{Name: cfgName, Body: string(cfg)},
		{Name: "manifest.json", Body: string(man)},
	})
}

// pullArchive opens b as name and pulls its first image through the pipeline.
func pullArchive(t *testing.T, b []byte, name string) (*Archive, *pull.Image, error) {
	t.Helper()
	a, err := Open(bytes.NewReader(b), int64(len(b)), name)
	if err != nil {
		return nil, nil, err
	}
	img, err := pull.Pull(context.Background(), a.Ref(""), pull.Options{Store: layers.MemStore(),
		Registry: registry.Options{Transport: a.Transport(), MaxAttempts: 1}})
	return a, img, err
}

func readFile(t *testing.T, img *pull.Image, p string) string {
	t.Helper()
	b, err := fs.ReadFile(img.FS, p)
	if err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	return string(b)
}

// Each format opens, and the pipeline pulls it with every digest and
// DiffID checked, giving the image's files.
func TestOpenAndPull(t *testing.T) {
	img := testImage(t)
	layerTar := tartest.Layer(t, []tartest.Entry{{Name: "etc/os-release", Body: "ID=layer\n"}})
	for _, tc := range []struct {
		name, file string
		b          []byte
		kind       Kind
		ref        string
		files      map[string]string
	}{
		{"docker save", "app.tar", dockerSave(t, img), DockerSave, "local.invalid/app:1.0",
			map[string]string{"etc/os-release": "ID=archive\n", "app/hello": "hello from the archive\n"}},
		{"legacy docker save", "Legacy Image.tar", legacySave(t), DockerSave, "local.invalid/legacy-image:old",
			map[string]string{"etc/os-release": "ID=legacy\n"}},
		{"OCI layout", "layout.tar", ociLayoutTar(t, img), OCILayout, "local.invalid/layout:2.0",
			map[string]string{"etc/os-release": "ID=archive\n", "app/hello": "hello from the archive\n"}},
		{"layer tar", "rootfs.tar", layerTar, Layer, "local.invalid/rootfs:latest", map[string]string{"etc/os-release": "ID=layer\n"}},
		{"layer tar.gz", "rootfs.tar.gz", tartest.Gzip(t, layerTar), Layer, "local.invalid/rootfs:latest", map[string]string{"etc/os-release": "ID=layer\n"}},
		{"layer tar.zst", "rootfs.tar.zst", tartest.Zstd(t, layerTar), Layer, "local.invalid/rootfs:latest", map[string]string{"etc/os-release": "ID=layer\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, pulled, err := pullArchive(t, tc.b, tc.file)
			if err != nil {
				t.Fatal(err)
			}
			if a.Kind != tc.kind || a.Ref("") != tc.ref {
				t.Errorf("kind %q, ref %q; want %q, %q", a.Kind, a.Ref(""), tc.kind, tc.ref)
			}
			for p, want := range tc.files {
				if got := readFile(t, pulled, p); got != want {
					t.Errorf("%s = %q, want %q", p, got, want)
				}
			}
		})
	}
}

// The digests are checked: a layer byte flipped in a docker save tarball
// fails the pull naming the layer; a config whose content is not the one
// its name says fails Open; a file that is no archive is named as such.
func TestArchiveFaults(t *testing.T) {
	saved := dockerSave(t, testImage(t))
	a, err := Open(bytes.NewReader(saved), int64(len(saved)), "app.tar")
	if err != nil {
		t.Fatal(err)
	}
	var layer blob
	for _, b := range a.blobs {
		if b.data == nil && b.size > 100 {
			layer = b
			break
		}
	}
	bad := append([]byte(nil), saved...)
	bad[layer.off+layer.size-10] ^= 0xff
	_, _, err = pullArchive(t, bad, "app.tar")
	var de *registry.DigestError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "digest mismatch") {
		t.Errorf("a flipped layer byte: %v; want a digest mismatch", err)
	}

	legacy := legacySave(t)
	i := bytes.Index(legacy, []byte(`"architecture":"amd64"`))
	copy(legacy[i:], `"architecture":"arm64"`)
	if _, _, err := pullArchive(t, legacy, "legacy.tar"); err == nil || !strings.Contains(err.Error(), "legacy.tar (docker save): manifest.json image 0: config ") ||
		!strings.Contains(err.Error(), ": digest mismatch: its name says sha256:") {
		t.Errorf("a config not matching its name: %v", err)
	}

	junk := bytes.Repeat([]byte("not an archive "), 100)
	if _, err := Open(bytes.NewReader(junk), int64(len(junk)), "notes.txt"); err == nil || !strings.HasPrefix(err.Error(), "notes.txt: not a readable tar: ") {
		t.Errorf("junk: %v; want notes.txt: not a readable tar: …", err)
	}
	if _, err := Open(bytes.NewReader(nil), 0, "empty.tar"); err == nil {
		t.Error("an empty file opened")
	}
}

// Nothing is read but tar headers, the JSON files and (for a layer named
// by no digest) nothing more: opening a docker save tarball reads a small
// part of it.
func TestOpenReadsLittle(t *testing.T) {
	big := imagetest.Image(t, imagetest.OCI, imagetest.Layer(t, imagetest.None,
		tartest.Entry{Name: "big", Body: strings.Repeat("x", 4<<20)}))
	saved := dockerSave(t, big)
	cr := &countingReaderAt{r: bytes.NewReader(saved)}
	if _, err := Open(cr, int64(len(saved)), "big.tar"); err != nil {
		t.Fatal(err)
	}
	if cr.n > 64<<10 {
		t.Errorf("Open read %d of %d bytes; want only headers and JSON", cr.n, len(saved))
	}
}

type countingReaderAt struct {
	r io.ReaderAt
	n int64
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n += int64(n)
	return n, err
}
