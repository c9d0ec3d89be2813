//go:build !js

package pull_test

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	ggcr "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/regscope/regscope/internal/blobcache"
	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/tartest"
	"github.com/regscope/regscope/pkg/layers"
	"github.com/regscope/regscope/pkg/manifest"
	"github.com/regscope/regscope/pkg/pull"
)

// browserGunzip inflates as the browser's DecompressionStream("gzip")
// does, reporting what it cannot decode as the Codec contract asks.
var browserGunzip = tartest.OneMemberGunzip(layers.ErrGunzipFallback)

// countingSHA256 counts the hashes it makes and the bytes written to them.
type countingSHA256 struct {
	hashes, bytes atomic.Int64
}

func (c *countingSHA256) New() hash.Hash {
	c.hashes.Add(1)
	return &counted{sha256.New(), c}
}

type counted struct {
	hash.Hash
	c *countingSHA256
}

func (h *counted) Write(p []byte) (int, error) {
	h.c.bytes.Add(int64(len(p)))
	return h.Hash.Write(p)
}

// wrongSHA256 is a SHA-256 whose sum has its first byte flipped.
type wrongSHA256 struct{ hash.Hash }

func (h wrongSHA256) Sum(b []byte) []byte {
	s := h.Hash.Sum(nil)
	s[0] ^= 0xff
	return append(b, s...)
}

func newWrongSHA256() hash.Hash { return wrongSHA256{sha256.New()} }

// wrongSum is the digest wrongSHA256 gives b.
func wrongSum(b []byte) string {
	s := sha256.Sum256(b)
	s[0] ^= 0xff
	return "sha256:" + hex.EncodeToString(s[:])
}

// fallbackNote is the progress message of a layer read again with Go's
// inflater after browserGunzip gave up on it.
func fallbackNote(layer int) string {
	return fmt.Sprintf("layer %d: the platform's gzip inflater cannot decode it (junk found after end of compressed data); inflating it again from its start with Go's", layer)
}

// membersTar is a layer's tar whose big first file ends before a gzip
// member boundary (split): the browser's inflater fails after that file
// was stored.
func membersTar(t *testing.T) (tarb []byte, split int) {
	tarb = tartest.Layer(t, []tartest.Entry{
		{Name: "usr/", Type: tar.TypeDir},
		{Name: "usr/big", Body: strings.Repeat("big file\n", 1000)},
		{Name: "usr/small", Body: "after the member boundary\n"},
	})
	return tarb, 512 + 512 + 9216 + 100
}

// codecImage pushes an image of three layers: one gzip member, several gzip
// members, zstd.
func codecImage(t *testing.T, host string) (ref string, img ggcr.Image) {
	tarb, split := membersTar(t)
	img = imagetest.Image(t, imagetest.OCI,
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "etc/os-release", Body: "ID=codec\n"}),
		newRawLayer(tartest.GzipMembers(t, tarb[:split], tarb[split:]), tarb, types.OCILayer),
		imagetest.Layer(t, imagetest.Zstd, tartest.Entry{Name: "usr/bin/tool", Body: "zstd tool"}),
	)
	ref = host + "/codec/image:1"
	regtest.Push(t, ref, img)
	return ref, img
}

// tree lists the image's files: path, mode, layer, size and content digest.
func tree(t *testing.T, img *pull.Image) string {
	t.Helper()
	var lines []string
	err := fs.WalkDir(img.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		e, err := img.FS.Lstat(p)
		if err != nil {
			return err
		}
		line := fmt.Sprintf("%s %v layer %d size %d", p, e.Mode, e.Layer, e.Size)
		if e.Mode.IsRegular() {
			sum := sha256.Sum256([]byte(readFile(t, img, p)))
			line += " sha256:" + hex.EncodeToString(sum[:])
		}
		lines = append(lines, line)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// notes collects a pull's progress messages.
type notes struct {
	mu   sync.Mutex
	list []string
}

func (n *notes) event(ev pull.Event) {
	if ev.Message != "" {
		n.mu.Lock()
		n.list = append(n.list, ev.Message)
		n.mu.Unlock()
	}
}

// fallbacks returns the messages about an inflater falling back.
func (n *notes) fallbacks() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []string
	for _, m := range n.list {
		if strings.Contains(m, "gzip inflater") {
			out = append(out, m)
		}
	}
	return out
}

// A layer of several gzip members, which the browser's inflater cannot
// decode, is read again with Go's: the image is the one Go alone pulls, and
// the one message names that layer; layers of one member need no fallback.
func TestPullCodecGunzipFallback(t *testing.T) {
	var blobGets sync.Map // path → *atomic.Int64
	host := regtest.GGCRWith(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/blobs/") {
				n, _ := blobGets.LoadOrStore(r.URL.Path, &atomic.Int64{})
				n.(*atomic.Int64).Add(1)
			}
			next.ServeHTTP(w, r)
		})
	})
	ref, _ := codecImage(t, host)
	want := tree(t, pullOK(t, ref, pull.Options{}))
	if !strings.Contains(want, "\nusr/small -rw-r--r-- layer 1 size 26 sha256:") {
		t.Fatalf("the pure-Go pull lacks the second member's file:\n%s", want)
	}
	codec := layers.Codec{Gunzip: browserGunzip}

	t.Run("alone", func(t *testing.T) {
		var n notes
		img := pullOK(t, ref, pull.Options{Codec: codec, Progress: n.event})
		if got := tree(t, img); got != want {
			t.Errorf("files with the codec:\n%s\nwant (Go alone):\n%s", got, want)
		}
		if got := n.fallbacks(); len(got) != 1 || got[0] != fallbackNote(1) {
			t.Errorf("fallback messages %q, want [%q]", got, fallbackNote(1))
		}
	})

	t.Run("shared", func(t *testing.T) {
		shared := pull.NewShared()
		var n notes
		imgs := make([]*pull.Image, 2)
		var wg sync.WaitGroup
		for i := range imgs {
			wg.Go(func() {
				img, err := pull.Pull(context.Background(), ref, pull.Options{Codec: codec, Shared: shared, Progress: n.event})
				if err != nil {
					t.Errorf("pull %d: %v", i, err)
				}
				imgs[i] = img
			})
		}
		wg.Wait()
		for i, img := range imgs {
			if img != nil && tree(t, img) != want {
				t.Errorf("pull %d: files differ from Go's:\n%s", i, tree(t, img))
			}
		}
		if got := n.fallbacks(); len(got) != 1 || got[0] != fallbackNote(1) {
			t.Errorf("fallback messages over both pulls %q, want [%q]", got, fallbackNote(1))
		}
	})

	t.Run("cache", func(t *testing.T) {
		cache, err := blobcache.Open(t.TempDir(), -1)
		if err != nil {
			t.Fatal(err)
		}
		blobGets.Clear()
		var n notes
		img := pullOK(t, ref, pull.Options{Codec: codec, Cache: cache, Progress: n.event})
		if got := tree(t, img); got != want {
			t.Errorf("files with the codec and a cache:\n%s\nwant:\n%s", got, want)
		}
		if got := n.fallbacks(); len(got) != 1 || got[0] != fallbackNote(1) {
			t.Errorf("fallback messages %q, want [%q]", got, fallbackNote(1))
		}
		// The failed read still read the blob to its end, so the cache kept
		// it and the second read came from there: one download per blob.
		blobGets.Range(func(k, v any) bool {
			if c := v.(*atomic.Int64).Load(); c != 1 {
				t.Errorf("GET %s: %d times, want once", k, c)
			}
			return true
		})
		// Pulled again, every blob is read from the cache, the layer falls
		// back there too, and nothing is downloaded: the fallback is not
		// the kept blob's failure.
		blobGets.Clear()
		var again notes
		img = pullOK(t, ref, pull.Options{Codec: codec, Cache: cache, Progress: again.event})
		if got := tree(t, img); got != want {
			t.Errorf("files from the cache:\n%s\nwant:\n%s", got, want)
		}
		if got := again.fallbacks(); len(got) != 1 || got[0] != fallbackNote(1) {
			t.Errorf("fallback messages from the cache %q, want [%q]", got, fallbackNote(1))
		}
		blobGets.Range(func(k, v any) bool {
			t.Errorf("GET %s: %d times, want none (cached)", k, v.(*atomic.Int64).Load())
			return true
		})
		for _, m := range append(n.list, again.list...) {
			if strings.Contains(m, "from the cache failed") {
				t.Errorf("message %q: the fallback is not the cache's failure", m)
			}
		}
	})
}

// The Codec's SHA-256 verifies the blobs (config and layers) and makes the
// DiffIDs; a Registry.SHA256 of the caller's own is kept for the blobs.
func TestPullCodecSHA256(t *testing.T) {
	host := regtest.GGCR(t)
	ref, img := codecImage(t, host)
	cfg, err := img.RawConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	ls, _ := img.Layers()
	var compressed, uncompressed int64
	for _, l := range ls {
		s, _ := l.Size()
		compressed += s
		rc, err := l.Uncompressed()
		if err != nil { // the raw layer: its tar is membersTar's
			tarb, _ := membersTar(t)
			uncompressed += int64(len(tarb))
			continue
		}
		n, _ := io.Copy(io.Discard, rc)
		uncompressed += n
	}

	var h countingSHA256
	pullOK(t, ref, pull.Options{Codec: layers.Codec{SHA256: h.New}})
	if got, want := h.bytes.Load(), int64(len(cfg))+compressed+uncompressed; got != want {
		t.Errorf("the codec's SHA-256 hashed %d bytes, want %d (config %d + layer blobs %d + uncompressed %d)",
			got, want, len(cfg), compressed, uncompressed)
	}
	if got := h.hashes.Load(); got != 1+2*int64(len(ls)) {
		t.Errorf("the codec made %d hashes, want %d (config, and each layer's blob and DiffID)", got, 1+2*len(ls))
	}

	var codecH, regH countingSHA256
	o := pull.Options{Codec: layers.Codec{SHA256: codecH.New}}
	o.Registry.SHA256 = regH.New
	pullOK(t, ref, o)
	if codecH.bytes.Load() != uncompressed || regH.bytes.Load() != int64(len(cfg))+compressed {
		t.Errorf("with Registry.SHA256 set: the codec hashed %d bytes (want the %d uncompressed), the registry's %d (want %d)",
			codecH.bytes.Load(), uncompressed, regH.bytes.Load(), int64(len(cfg))+compressed)
	}
}

// A Codec whose SHA-256 is wrong fails the pull: its sums are compared
// with the digests, not believed.
func TestPullCodecWrongSHA256(t *testing.T) {
	host := regtest.GGCR(t)
	ref, img := codecImage(t, host)
	cfg, _ := img.RawConfigFile()
	cd, _ := img.ConfigName()
	cfgFile, _ := img.ConfigFile()

	_, err := pull.Pull(context.Background(), ref, pull.Options{Codec: layers.Codec{SHA256: newWrongSHA256}})
	want := fmt.Sprintf("pull %s: config %s: blob %s: digest mismatch: want %s, got %s", ref, cd, cd, cd, wrongSum(cfg))
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}

	// Blobs checked with Go's SHA-256: the DiffID check fails instead.
	o := pull.Options{Codec: layers.Codec{SHA256: newWrongSHA256}}
	o.Registry.SHA256 = sha256.New
	_, err = pull.Pull(context.Background(), ref, o)
	l0, _ := img.Layers()
	d0, _ := l0[0].Digest()
	rc, _ := l0[0].Uncompressed()
	tar0, _ := io.ReadAll(rc)
	want = fmt.Sprintf("pull %s: layer 0 (%s): DiffID mismatch: the config says %s, the content is %s", ref, d0, cfgFile.RootFS.DiffIDs[0], wrongSum(tar0))
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
}

// The attempt that fell back gives back what it stored and counted: limits
// the image meets exactly, which the layer counted twice would exceed, pass.
func TestPullCodecFallbackReleasesBudget(t *testing.T) {
	host := regtest.GGCR(t)
	tarb, split := membersTar(t)
	ref := host + "/codec/budget:1"
	regtest.Push(t, ref, imagetest.Image(t, imagetest.OCI,
		newRawLayer(tartest.GzipMembers(t, tarb[:split], tarb[split:]), tarb, types.OCILayer)))
	_, st, err := layers.Read(bytes.NewReader(tarb), manifest.MediaTypeOCILayer, nil, layers.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	exact := layers.Limits{MaxStored: st.Stored, MaxEntries: st.Entries + st.Parents, MaxMetaBytes: st.MetaBytes}

	var n notes
	img := pullOK(t, ref, pull.Options{Codec: layers.Codec{Gunzip: browserGunzip}, Limits: exact, Progress: n.event})
	if got := n.fallbacks(); len(got) != 1 || got[0] != fallbackNote(0) {
		t.Errorf("fallback messages %q, want [%q]", got, fallbackNote(0))
	}
	if s := readFile(t, img, "usr/small"); s != "after the member boundary\n" {
		t.Errorf("usr/small = %q", s)
	}

	// The limits are tight: one byte less of content fails, fallback or not.
	tight := exact
	tight.MaxStored--
	_, err = pull.Pull(context.Background(), ref, pull.Options{Limits: tight})
	if want := `layer entry "usr/small": 9026 exceeds limit MaxStored (9025)`; err == nil || !strings.HasSuffix(err.Error(), want) {
		t.Errorf("MaxStored %d: err = %v, want …%s", tight.MaxStored, err, want)
	}
}

// lyingGunzip inflates as browserGunzip and claims, as a Summer, a SHA-256
// of its output with the first byte flipped.
func lyingGunzip(r io.Reader) (io.ReadCloser, error) {
	rc, err := browserGunzip(r)
	if err != nil {
		return nil, err
	}
	return &lyingSum{ReadCloser: rc, h: sha256.New()}, nil
}

type lyingSum struct {
	io.ReadCloser
	h hash.Hash
}

func (l *lyingSum) Read(p []byte) (int, error) {
	n, err := l.ReadCloser.Read(p)
	l.h.Write(p[:n])
	return n, err
}

func (l *lyingSum) Sum(b []byte) []byte { return wrongSHA256{l.h}.Sum(b) }

// A gzip inflater that reports the digest of its output (a layers.Summer)
// is not believed either: its DiffID is compared with the config's.
func TestPullCodecWrongGunzipSum(t *testing.T) {
	host := regtest.GGCR(t)
	ref, img := codecImage(t, host)
	cfgFile, _ := img.ConfigFile()
	l0, _ := img.Layers()
	d0, _ := l0[0].Digest()
	rc, _ := l0[0].Uncompressed()
	tar0, _ := io.ReadAll(rc)

	_, err := pull.Pull(context.Background(), ref, pull.Options{Codec: layers.Codec{Gunzip: lyingGunzip}})
	want := fmt.Sprintf("pull %s: layer 0 (%s): DiffID mismatch: the config says %s, the content is %s", ref, d0, cfgFile.RootFS.DiffIDs[0], wrongSum(tar0))
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
}
