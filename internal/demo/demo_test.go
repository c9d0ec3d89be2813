//go:build !js

package demo

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	digest "github.com/opencontainers/go-digest"

	"github.com/regscope/regscope/pkg/manifest"
)

// serve starts a Registry on loopback and returns its host:port.
func serve(t *testing.T, o Options) (*Registry, string) {
	t.Helper()
	r, err := New(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(r)
	t.Cleanup(func() { srv.Close(); r.Close() })
	return r, strings.TrimPrefix(srv.URL, "http://")
}

func ref(t *testing.T, host, repoTag string) name.Reference {
	t.Helper()
	r, err := name.ParseReference(host+"/"+repoTag, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func headDigest(t *testing.T, host, repoTag string) string {
	t.Helper()
	d, err := remote.Head(ref(t, host, repoTag))
	if err != nil {
		t.Fatalf("HEAD %s: %v", repoTag, err)
	}
	return d.Digest.String()
}

func TestDeterministic(t *testing.T) {
	_, a := serve(t, Options{})
	_, b := serve(t, Options{})
	for _, img := range []string{"demo/showcase:latest", "demo/zstd:latest", "demo/docker:latest"} {
		da, db := headDigest(t, a, img), headDigest(t, b, img)
		if da != db {
			t.Errorf("%s: digests differ between two builds: %s vs %s", img, da, db)
		}
	}
}

// tarEntries reads a layer's uncompressed tar into name → header (and bodies).
func tarEntries(t *testing.T, l v1.Layer) (map[string]*tar.Header, map[string][]byte) {
	t.Helper()
	rc, err := l.Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	hs, bodies := map[string]*tar.Header{}, map[string][]byte{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return hs, bodies
		}
		if err != nil {
			t.Fatal(err)
		}
		hs[h.Name] = h
		bodies[h.Name], _ = io.ReadAll(tr)
	}
}

func TestShowcaseFeatures(t *testing.T) {
	_, host := serve(t, Options{})
	idx, err := remote.Index(ref(t, host, "demo/showcase:latest"))
	if err != nil {
		t.Fatal(err)
	}
	if mt, _ := idx.MediaType(); mt != types.OCIImageIndex {
		t.Errorf("index media type %s", mt)
	}
	im, _ := idx.IndexManifest()
	var plats []string
	for _, d := range im.Manifests {
		plats = append(plats, d.Platform.String())
	}
	if got := strings.Join(plats, " "); got != "linux/amd64 linux/arm64/v8 unknown/unknown" {
		t.Fatalf("platforms %q", got)
	}
	if im.Manifests[2].Annotations["vnd.docker.reference.digest"] != im.Manifests[0].Digest.String() {
		t.Errorf("attestation does not reference the amd64 manifest: %v", im.Manifests[2].Annotations)
	}

	arch := map[string]string{}
	for _, d := range im.Manifests[:2] {
		img, err := idx.Image(d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		cf, _ := img.ConfigFile()
		c := cf.Config
		if c.User != "app" || c.WorkingDir != "/app" || len(c.Entrypoint) == 0 || len(c.Cmd) == 0 ||
			len(c.Env) < 3 || len(c.Labels) == 0 || len(c.ExposedPorts) != 2 || len(c.Volumes) != 1 {
			t.Errorf("%s config lacks a feature: %+v", d.Platform, c)
		}
		empties := 0
		for _, h := range cf.History {
			if h.CreatedBy == "" {
				t.Errorf("%s: history entry without created_by", d.Platform)
			}
			if h.EmptyLayer {
				empties++
			}
		}
		layers, _ := img.Layers()
		if len(layers) != 3 || len(cf.History)-empties != 3 || empties == 0 {
			t.Fatalf("%s: %d layers, %d history entries (%d empty)", d.Platform, len(layers), len(cf.History), empties)
		}
		all := map[string]*tar.Header{}
		bodies := map[string][]byte{}
		many := 0
		for _, l := range layers {
			if mt, _ := l.MediaType(); mt != types.OCILayer {
				t.Errorf("layer media type %s", mt)
			}
			hs, bs := tarEntries(t, l)
			for k, h := range hs {
				all[k] = h
				bodies[k] = bs[k]
				if strings.HasPrefix(k, "usr/share/many/file-") {
					many++
				}
			}
		}
		arch[d.Platform.Architecture] = string(bodies["etc/arch"])
		check := func(name string, ok func(h *tar.Header) bool, what string) {
			if h := all[name]; h == nil || !ok(h) {
				t.Errorf("%s: %s: want %s, got %+v", d.Platform, name, what, h)
			}
		}
		isType := func(tf byte) func(*tar.Header) bool { return func(h *tar.Header) bool { return h.Typeflag == tf } }
		check("etc/os-release", isType(tar.TypeReg), "a file")
		check("app/README.md", isType(tar.TypeReg), "a file")
		check("app/run.sh", func(h *tar.Header) bool { return h.Mode&0o111 != 0 }, "executable")
		check("bin/hello", isType(tar.TypeReg), "a binary")
		check("app/logo.svg", isType(tar.TypeReg), "an SVG")
		check("app/current", func(h *tar.Header) bool { return h.Typeflag == tar.TypeSymlink && h.Linkname == "run.sh" }, "a relative symlink")
		check("usr/bin/run", func(h *tar.Header) bool { return h.Typeflag == tar.TypeSymlink && h.Linkname == "/app/run.sh" }, "an absolute symlink")
		check("app/link1", func(h *tar.Header) bool { return h.Linkname == "link2" && all["app/link2"].Linkname == "link3" }, "a symlink chain")
		check("app/README.hardlink", func(h *tar.Header) bool { return h.Typeflag == tar.TypeLink && h.Linkname == "app/README.md" }, "a hardlink")
		check("tmp/.wh.old.txt", isType(tar.TypeReg), "a whiteout")
		check("tmp/old.txt", isType(tar.TypeReg), "the file the whiteout deletes (lower layer)")
		check("var/lib/app/.wh..wh..opq", isType(tar.TypeReg), "an opaque marker")
		check("usr/bin/su-demo", func(h *tar.Header) bool { return h.Mode&0o4000 != 0 }, "setuid")
		check("run/demo.fifo", isType(tar.TypeFifo), "a fifo")
		if many != 2000 {
			t.Errorf("%s: %d files in /usr/share/many, want 2000", d.Platform, many)
		}
		if _, err := png.Decode(bytes.NewReader(bodies["app/logo.png"])); err != nil {
			t.Errorf("%s: logo.png: %v", d.Platform, err)
		}
		if !bytes.HasPrefix(bodies["bin/hello"], []byte("\x7fELF")) {
			t.Errorf("%s: bin/hello is not ELF-looking", d.Platform)
		}
	}
	if arch["amd64"] == arch["arm64"] || arch["amd64"] == "" {
		t.Errorf("/etc/arch does not differ between platforms: %q", arch)
	}
}

func TestVariantMediaTypes(t *testing.T) {
	_, host := serve(t, Options{})
	for repo, want := range map[string][3]types.MediaType{
		"demo/zstd:latest":   {types.OCIManifestSchema1, types.OCIConfigJSON, types.OCILayerZStd},
		"demo/docker:latest": {types.DockerManifestSchema2, types.DockerConfigJSON, types.DockerLayer},
	} {
		img, err := remote.Image(ref(t, host, repo))
		if err != nil {
			t.Fatal(err)
		}
		m, _ := img.Manifest()
		if m.MediaType != want[0] || m.Config.MediaType != want[1] {
			t.Errorf("%s: manifest %s, config %s", repo, m.MediaType, m.Config.MediaType)
		}
		for _, l := range m.Layers {
			if l.MediaType != want[2] {
				t.Errorf("%s: layer %s", repo, l.MediaType)
			}
		}
		// The registry's bytes verify: DiffIDs from the uncompressed content match the config.
		if err := validateLayers(img); err != nil {
			t.Errorf("%s: %v", repo, err)
		}
	}
}

func validateLayers(img v1.Image) error {
	ls, err := img.Layers()
	if err != nil {
		return err
	}
	for _, l := range ls {
		rc, err := l.Uncompressed()
		if err != nil {
			return err
		}
		if _, err := io.Copy(io.Discard, rc); err != nil {
			return err
		}
		rc.Close()
	}
	return nil
}

func TestReadOnly(t *testing.T) {
	_, host := serve(t, Options{})
	for _, m := range []string{"PUT", "POST", "DELETE", "PATCH"} {
		req, _ := http.NewRequest(m, "http://"+host+"/v2/demo/showcase/manifests/latest", strings.NewReader("{}"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%s: %d, want 405", m, resp.StatusCode)
		}
	}
	// Pushing over the network fails; the image is unchanged.
	before := headDigest(t, host, "demo/showcase:latest")
	img, _ := random.Image(100, 1)
	if err := remote.Write(ref(t, host, "demo/showcase:latest"), img); err == nil {
		t.Error("push over the network succeeded")
	}
	if after := headDigest(t, host, "demo/showcase:latest"); after != before {
		t.Errorf("showcase changed: %s → %s", before, after)
	}
}

func TestBigIsLazy(t *testing.T) {
	if testing.Short() {
		t.Skip("builds ≈130 MiB")
	}
	r, host := serve(t, Options{})
	if r.bigErr != nil {
		t.Fatal(r.bigErr)
	}
	img, err := remote.Image(ref(t, host, "demo/big:latest"))
	if err != nil {
		t.Fatal(err)
	}
	m, _ := img.Manifest()
	var total int64
	for _, l := range m.Layers {
		total += l.Size
	}
	if len(m.Layers) != 4 || total < 80e6 || total > 120e6 {
		t.Errorf("demo/big: %d layers, %d bytes compressed; want 4 layers of ≈100 MB total", len(m.Layers), total)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	a, _ := random.Image(2000, 2)
	b, _ := random.Image(3000, 1)

	// docker save-style tarball with two tags of two images.
	saved := filepath.Join(dir, "saved.tar")
	tagA, _ := name.NewTag("alpine:3.20")
	tagB, _ := name.NewTag("example.com/team/tool:v1")
	if err := tarball.MultiWriteToFile(saved, map[name.Tag]v1.Image{tagA: a, tagB: b}); err != nil {
		t.Fatal(err)
	}

	// OCI layout directory: one image named by a bare tag, one by a full ref, one unnamed.
	lp, err := layout.Write(filepath.Join(dir, "My Layout"), empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := random.Image(1000, 1)
	lp.AppendImage(a, layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": "1.0"}))
	lp.AppendImage(b, layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": "quay.io/org/app:2.0"}))
	lp.AppendImage(c)

	// A tar of that layout.
	tf, err := tarDir(filepath.Join(dir, "My Layout"))
	if err != nil {
		t.Fatal(err)
	}
	tb, err := io.ReadAll(io.NewSectionReader(tf, 0, 1<<40))
	tf.Close()
	if err != nil {
		t.Fatal(err)
	}
	layoutTar := writeFile(t, dir, "layout.tar", string(tb))

	r, host := serve(t, Options{})
	for _, tc := range []struct {
		path string
		want map[string]v1.Image
	}{
		{saved, map[string]v1.Image{"local/alpine:3.20": a, "local/team/tool:v1": b}},
		{filepath.Join(dir, "My Layout"), map[string]v1.Image{"local/my-layout:1.0": a, "local/org/app:2.0": b, "local/my-layout:image-2": c}},
		{layoutTar, map[string]v1.Image{"local/layout:1.0": a, "local/org/app:2.0": b, "local/layout:image-2": c}},
	} {
		got, err := r.Load(tc.path)
		if err != nil {
			t.Fatalf("Load(%s): %v", tc.path, err)
		}
		if len(got) != len(tc.want) {
			t.Errorf("Load(%s) = %v, want %d images", tc.path, got, len(tc.want))
		}
		for rt, src := range tc.want {
			img, err := remote.Image(ref(t, host, rt))
			if err != nil {
				t.Errorf("Load(%s): %s: %v", tc.path, rt, err)
				continue
			}
			wantCfg, _ := src.ConfigName()
			gotCfg, _ := img.ConfigName()
			if wantCfg != gotCfg {
				t.Errorf("Load(%s): %s config %s, want %s", tc.path, rt, gotCfg, wantCfg)
			}
			if err := validateLayers(img); err != nil {
				t.Errorf("Load(%s): %s: %v", tc.path, rt, err)
			}
		}
	}
	listed := map[string]bool{}
	for _, im := range r.Images() {
		listed[im.Repo+":"+im.Tag] = true
	}
	if !listed["local/alpine:3.20"] || !listed["demo/showcase:latest"] {
		t.Errorf("Images() = %v", r.Images())
	}

	for _, bad := range []string{filepath.Join(dir, "missing.tar"), dir, writeFile(t, dir, "junk.tar", "not a tar at all, just text")} {
		if _, err := r.Load(bad); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("Load(%s) error %v; want one naming the path", bad, err)
		}
	}
}

func writeFile(t *testing.T, dir, name, body string) string {
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestLoadLegacyDockerSave loads the format older Docker versions save:
// plain tar layers under ID/layer.tar, a repeated layer as a symlink to the
// first one (relative, as Docker writes it, and absolute from the archive's root). The layers are served as they are, plain OCI tar layers.
func TestLoadLegacyDockerSave(t *testing.T) {
	layerTar := buildTar([]entry{dir("etc/"), text("etc/legacy", "saved by an old docker\n")})
	diffID := digest.FromBytes(layerTar)
	cfg := []byte(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["` + diffID.String() + `","` + diffID.String() + `","` + diffID.String() + `"]}}`)
	members := []entry{
		text("manifest.json", `[{"Config":"cfg.json","RepoTags":["legacy:1"],"Layers":["aaa/layer.tar","bbb/layer.tar","ccc/layer.tar"]}]`),
		text("cfg.json", string(cfg)),
		dir("aaa/"), file("aaa/layer.tar", 0o644, layerTar),
		dir("bbb/"), symlink("bbb/layer.tar", "../aaa/layer.tar"),
		dir("ccc/"), symlink("ccc/layer.tar", "/aaa/layer.tar"),
	}
	p := writeFile(t, t.TempDir(), "legacy.tar", string(buildTar(members)))
	r, host := serve(t, Options{})
	got, err := r.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Repo != "local/legacy" || got[0].Tag != "1" {
		t.Fatalf("Load = %+v, want local/legacy:1", got)
	}
	img, err := remote.Image(ref(t, host, "local/legacy:1"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	if m.Config.Digest.String() != digest.FromBytes(cfg).String() {
		t.Errorf("config %s, want the saved bytes' %s", m.Config.Digest, digest.FromBytes(cfg))
	}
	if len(m.Layers) != 3 {
		t.Fatalf("%d layers, want 3", len(m.Layers))
	}
	for i, l := range m.Layers {
		if string(l.MediaType) != manifest.MediaTypeDockerLayerTar || l.Digest.String() != diffID.String() {
			t.Errorf("layer %d: %s %s, want %s %s", i, l.MediaType, l.Digest, manifest.MediaTypeDockerLayerTar, diffID)
		}
	}
	if err := validateLayers(img); err != nil {
		t.Error(err)
	}
}

// TestLoadCorruptLayout: a layout blob whose bytes do not match its digest is
// refused, naming the blob, and nothing of that layout is served.
func TestLoadCorruptLayout(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "corrupt")
	lp, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	img, _ := random.Image(500, 1)
	if err := lp.AppendImage(img, layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": "1.0"})); err != nil {
		t.Fatal(err)
	}
	layers, _ := img.Layers()
	ld, _ := layers[0].Digest()
	good, err := os.ReadFile(filepath.Join(dir, "blobs", "sha256", ld.Hex))
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Clone(good)
	bad[len(bad)/2] ^= 1 // same size, other bytes
	if err := os.WriteFile(filepath.Join(dir, "blobs", "sha256", ld.Hex), bad, 0o644); err != nil {
		t.Fatal(err)
	}
	r, host := serve(t, Options{})
	_, err = r.Load(dir)
	want := fmt.Sprintf("load %s: image 0 (1.0): blob %s: digest mismatch: want %s, got %s", dir, ld, ld, digest.FromBytes(bad))
	if err == nil || err.Error() != want {
		t.Fatalf("Load error %v\nwant %s", err, want)
	}
	if _, err := remote.Head(ref(t, host, "local/corrupt:1.0")); err == nil {
		t.Error("local/corrupt:1.0 is served after a failed load")
	}
}

// TestLoadServesFromTheFile shows that a loaded file's layers are served
// from the file, read per request, not from a copy kept in memory: after
// Load, bytes changed in the file on disk are what the next request gets
// (so a client checking the digest refuses them), and a Range request
// reads just its part.
func TestLoadServesFromTheFile(t *testing.T) {
	var plain bytes.Buffer
	tw := tar.NewWriter(&plain)
	body := strings.Repeat("layer content kept on disk\n", 4096)
	tw.WriteHeader(&tar.Header{Name: "data.txt", Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg})
	tw.Write([]byte(body))
	tw.Close()
	p := writeFile(t, t.TempDir(), "one.tar", plain.String())

	r, host := serve(t, Options{})
	if _, err := r.Load(p); err != nil {
		t.Fatal(err)
	}
	img, err := remote.Image(ref(t, host, "local/one:latest"))
	if err != nil {
		t.Fatal(err)
	}
	ls, _ := img.Layers()
	d, _ := ls[0].Digest()
	blobURL := fmt.Sprintf("http://%s/v2/local/one/blobs/%s", host, d)

	get := func(rangeHeader string) (int, []byte) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, blobURL, nil)
		if rangeHeader != "" {
			req.Header.Set("Range", rangeHeader)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	if code, b := get(""); code != http.StatusOK || !bytes.Equal(b, plain.Bytes()) {
		t.Fatalf("GET blob: %d, %d bytes; want 200 with the file's %d bytes", code, len(b), plain.Len())
	}
	if code, b := get("bytes=512-521"); code != http.StatusPartialContent || string(b) != body[:10] {
		t.Errorf("GET blob, Range 512-521: %d %q, want 206 %q", code, b, body[:10])
	}

	f, err := os.OpenFile(p, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("LAYER"), 512); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, b := get(""); string(b[512:517]) != "LAYER" {
		t.Errorf("after the file changed, GET blob served %q at 512, want the file's new bytes %q", b[512:517], "LAYER")
	}
	rc, err := ls[0].Compressed()
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.Copy(io.Discard, rc)
	changed := bytes.Clone(plain.Bytes())
	copy(changed[512:], "LAYER")
	want := fmt.Sprintf("error verifying sha256 checksum after reading %d bytes; got %q, want %q", len(changed), digest.FromBytes(changed), d)
	if err == nil || err.Error() != want {
		t.Errorf("reading the changed blob with its digest checked: %v, want %s", err, want)
	}
}
