package pull_test

import (
	"archive/tar"
	"context"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	ggcr "github.com/google/go-containerregistry/pkg/v1"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/tartest"
	"github.com/regscope/regscope/pkg/manifest"
	"github.com/regscope/regscope/pkg/pull"
	"github.com/regscope/regscope/pkg/registry"
)

func pullOK(t *testing.T, ref string, o pull.Options) *pull.Image {
	t.Helper()
	img, err := pull.Pull(context.Background(), ref, o)
	if err != nil {
		t.Fatalf("Pull(%s): %v", ref, err)
	}
	return img
}

func readFile(t *testing.T, img *pull.Image, name string) string {
	t.Helper()
	b, err := fs.ReadFile(img.FS, name)
	if err != nil {
		t.Fatalf("ReadFile(%s): %v", name, err)
	}
	return string(b)
}

func digestOf(t *testing.T, f interface{ Digest() (ggcr.Hash, error) }) string {
	t.Helper()
	h, err := f.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return h.String()
}

// Every compression a layer can have, in one image, in both flavors.
func TestPullLayerFormats(t *testing.T) {
	host := regtest.GGCR(t)
	for _, flavor := range []imagetest.Flavor{imagetest.OCI, imagetest.Docker} {
		img := imagetest.Image(t, flavor,
			imagetest.Layer(t, imagetest.Gzip,
				tartest.Entry{Name: "etc/", Type: tar.TypeDir},
				tartest.Entry{Name: "etc/os-release", Body: "ID=gzip\n"},
				tartest.Entry{Name: "etc/motd", Body: "hello\n"}),
			imagetest.Layer(t, imagetest.Zstd,
				tartest.Entry{Name: "usr/bin/tool", Body: "zstd tool", Mode: 0o4755}),
			imagetest.Layer(t, imagetest.None,
				tartest.Entry{Name: "etc/.wh.motd"},
				tartest.Entry{Name: "etc/os-release", Body: "ID=plain\n"}),
		)
		ref := host + "/formats:" + map[imagetest.Flavor]string{imagetest.OCI: "oci", imagetest.Docker: "docker"}[flavor]
		regtest.Push(t, ref, img)

		got := pullOK(t, ref, pull.Options{})
		if want := digestOf(t, img); got.Manifest.Digest.String() != want {
			t.Errorf("manifest digest %s, want %s", got.Manifest.Digest, want)
		}
		ls, _ := img.Layers()
		if len(got.Layers) != len(ls) {
			t.Fatalf("%d layers, want %d", len(got.Layers), len(ls))
		}
		for i, l := range ls {
			d, _ := l.Digest()
			diff, _ := l.DiffID()
			if got.Layers[i].Digest.String() != d.String() || got.Layers[i].DiffID.String() != diff.String() {
				t.Errorf("layer %d: %s/%s, want %s/%s", i, got.Layers[i].Digest, got.Layers[i].DiffID, d, diff)
			}
		}
		if s := readFile(t, got, "etc/os-release"); s != "ID=plain\n" {
			t.Errorf("os-release = %q", s)
		}
		if _, err := got.FS.Lstat("etc/motd"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("etc/motd after whiteout: %v", err)
		}
		e, err := got.FS.Lstat("usr/bin/tool")
		if err != nil || e.Layer != 1 || e.Mode&fs.ModeSetuid == 0 {
			t.Errorf("usr/bin/tool = %+v, %v; want layer 1, setuid", e, err)
		}
		if st := got.Layers[2].Stats; st.Deleted != 1 || st.Modified != 1 {
			t.Errorf("layer 2 stats %+v, want 1 deleted, 1 modified", st)
		}
		if got.Config.Digest.String() != digestOf(t, configDigest{img}) {
			t.Errorf("config digest %s", got.Config.Digest)
		}
	}
}

type configDigest struct{ ggcr.Image }

func (c configDigest) Digest() (ggcr.Hash, error) { return c.ConfigName() }

func platformImage(t *testing.T, arch string) ggcr.Image {
	return imagetest.ImageFor(t, imagetest.OCI, platform(t, arch),
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "etc/arch", Body: arch}))
}

func platform(t *testing.T, s string) ggcr.Platform {
	p, err := ggcr.ParsePlatform(s)
	if err != nil {
		t.Fatal(err)
	}
	return *p
}

func TestPullIndexPlatforms(t *testing.T) {
	host := regtest.GGCR(t)
	for _, flavor := range []imagetest.Flavor{imagetest.OCI, imagetest.Docker} {
		idx := imagetest.Index(t, flavor,
			imagetest.Entry{Platform: "unknown/unknown", Image: platformImage(t, "attestation"),
				Annotations: map[string]string{"vnd.docker.reference.type": "attestation-manifest"}},
			imagetest.Entry{Platform: "linux/amd64", Image: platformImage(t, "linux/amd64")},
			imagetest.Entry{Platform: "linux/arm64/v8", Image: platformImage(t, "linux/arm64/v8")},
		)
		ref := host + "/multi:latest"
		regtest.PushIndex(t, ref, idx)

		for _, tc := range []struct{ platform, want string }{
			{"", "linux/amd64"},
			{"linux/amd64", "linux/amd64"},
			{"linux/arm64", "linux/arm64/v8"},
			{"linux/arm64/v8", "linux/arm64/v8"},
		} {
			img := pullOK(t, ref, pull.Options{Platform: tc.platform})
			if s := readFile(t, img, "etc/arch"); s != tc.want {
				t.Errorf("platform %q: etc/arch = %q, want %q", tc.platform, s, tc.want)
			}
			if img.Index == nil || img.Index.Digest.String() != digestOf(t, idx) {
				t.Errorf("platform %q: index = %+v", tc.platform, img.Index)
			}
			if len(img.Platforms) != 2 {
				t.Errorf("platforms %v, want the two non-attestation ones", img.Platforms)
			}
			if got := manifest.FormatPlatform(img.Platform); got != tc.want {
				t.Errorf("platform %q: chose %s", tc.platform, got)
			}
			if !strings.Contains(img.Pinned().String(), "@"+img.Index.Digest.String()) {
				t.Errorf("Pinned() = %s, want the index digest", img.Pinned())
			}
		}
		_, err := pull.Pull(context.Background(), ref, pull.Options{Platform: "linux/s390x"})
		var nm *manifest.NoMatchError
		if !errors.As(err, &nm) || !strings.Contains(err.Error(), "linux/amd64") || !strings.Contains(err.Error(), "linux/arm64") {
			t.Errorf("s390x: %v, want a NoMatchError listing the offers", err)
		}
		if strings.Contains(err.Error(), "unknown/unknown") {
			t.Errorf("s390x error offers the attestation: %v", err)
		}
	}
}

// A digest used by several layers is fetched once; the layer is applied at
// each position.
func TestPullDedupesBlobs(t *testing.T) {
	var blobGets atomic.Int32
	host := regtest.GGCRWith(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/blobs/") {
				blobGets.Add(1)
			}
			h.ServeHTTP(w, r)
		})
	})
	a := imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "x", Body: "a"})
	b := imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "x", Body: "b"})
	regtest.Push(t, host+"/dup:1", imagetest.Image(t, imagetest.OCI, a, b, a))
	blobGets.Store(0)
	img := pullOK(t, host+"/dup:1", pull.Options{})
	if n := blobGets.Load(); n != 3 { // config + two distinct layers
		t.Errorf("%d blob GETs, want 3 (config and 2 distinct layers)", n)
	}
	if s := readFile(t, img, "x"); s != "a" {
		t.Errorf("x = %q, want the top layer's %q", s, "a")
	}
	if img.Layers[2].Digest != img.Layers[0].Digest || img.FS.History("x") == nil {
		t.Errorf("layers: %+v", img.Layers)
	}
}

// Progress reports every layer from waiting to done, with byte counts that
// add up to the blob sizes, and the pull ends with the done phase.
func TestPullProgress(t *testing.T) {
	host := regtest.GGCR(t)
	big := make([]byte, 3<<20)
	for i := range big {
		big[i] = byte(i * 7 % 251)
	}
	regtest.Push(t, host+"/progress:1", imagetest.Image(t, imagetest.OCI,
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "big", Body: string(big)}),
		imagetest.Layer(t, imagetest.None, tartest.Entry{Name: "small", Body: "s"})))

	var mu sync.Mutex
	var events []pull.Event
	img := pullOK(t, host+"/progress:1", pull.Options{Progress: func(e pull.Event) {
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	}})
	states := map[int][]pull.State{}
	var last pull.Event
	for _, e := range events {
		if e.Layer >= 0 {
			if s := states[e.Layer]; len(s) == 0 || s[len(s)-1] != e.State {
				states[e.Layer] = append(states[e.Layer], e.State)
			}
			if e.Done > e.Total && e.Total >= 0 {
				t.Errorf("event %+v: done beyond total", e)
			}
		}
		last = e
	}
	for i, l := range img.Layers {
		want := []pull.State{pull.Waiting, pull.Downloading, pull.Verifying, pull.Done}
		if got := states[i]; !equal(got, want) {
			t.Errorf("layer %d states %v, want %v", i, got, want)
		}
		_ = l
	}
	if last.Phase != pull.PhaseDone || last.Layer != -1 {
		t.Errorf("last event %+v, want the done phase", last)
	}
}

func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// At most Concurrency blob downloads run at once.
func TestPullConcurrencyLimit(t *testing.T) {
	var inflight, peak atomic.Int32
	host := regtest.GGCRWith(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/blobs/") {
				n := inflight.Add(1)
				defer inflight.Add(-1)
				for {
					p := peak.Load()
					if n <= p || peak.CompareAndSwap(p, n) {
						break
					}
				}
			}
			h.ServeHTTP(w, r)
		})
	})
	var ls []ggcr.Layer
	for i := range 8 {
		body := strings.Repeat(string(rune('a'+i)), 1<<20)
		ls = append(ls, imagetest.Layer(t, imagetest.None, tartest.Entry{Name: "f", Body: body}))
	}
	regtest.Push(t, host+"/conc:1", imagetest.Image(t, imagetest.OCI, ls...))
	peak.Store(0)
	pullOK(t, host+"/conc:1", pull.Options{Concurrency: 2})
	if p := peak.Load(); p > 2 {
		t.Errorf("peak of %d blob downloads at once, want at most 2", p)
	}
}

func TestPullNotFoundAndBadRef(t *testing.T) {
	host := regtest.GGCR(t)
	_, err := pull.Pull(context.Background(), host+"/nothing:here", pull.Options{})
	if !errors.Is(err, registry.ErrNotFound) && !errors.Is(err, registry.ErrManifestUnknown) {
		t.Errorf("missing tag: %v, want not found", err)
	}
	if err == nil || !strings.Contains(err.Error(), "nothing:here") {
		t.Errorf("missing tag error %v does not name the reference", err)
	}
	_, err = pull.Pull(context.Background(), "UPPER/Case::x", pull.Options{})
	if err == nil || !strings.Contains(err.Error(), "UPPER/Case::x") {
		t.Errorf("bad reference: %v, want an error quoting it", err)
	}
}

var _ = io.EOF
