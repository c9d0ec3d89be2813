//go:build !js

package e2e

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/klauspost/compress/gzip"
	"github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// rowsRecorder notes, in milliseconds since the navigation started, when
// the first row of the file tree (a directory or file of /) is in the
// document; verifiedRecorder notes when all is verified.
const rowsRecorder = `new MutationObserver(() => {
  if (window.__rowsAt === undefined && document.querySelector("#tree .vinner [data-path]")) window.__rowsAt = performance.now();
}).observe(document, {subtree: true, childList: true});`

// largeLayers is the image BenchmarkPageLarge pulls: a small first layer
// (a few files of /etc), then layers of pseudo-random bytes, gzip'd (so
// they barely compress: the compressed size is the content's).
var largeLayers = []int64{0, 128 << 20, 128 << 20, 128 << 20, 128 << 20}

// BenchmarkPageLarge pulls a ≈ 512 MiB image whose first layer is small
// (an OCI layout tar served by `regscope serve --load`, which reads it from
// disk per request) in headless Chromium: navigation → the first rows of /
// on screen, and → all verified; in the same run `regscope pull --no-cache`
// and, when REGSCOPE_BENCH_CRANE names its binary, `crane export`. Figures,
// not assertions.
//
//	REGSCOPE_BENCH_CRANE=$PWD/bin/crane go test -run '^$' -bench PageLarge -benchtime 1x -timeout 1h ./e2e/
func BenchmarkPageLarge(b *testing.B) {
	dir := b.TempDir()
	start := time.Now()
	p, size := writeLargeLayout(b, dir)
	b.Logf("wrote %s: %d bytes in %v", p, size, time.Since(start).Round(time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), bigWait)
	s, err := startServer(ctx, "--load", p)
	cancel()
	if err != nil {
		b.Fatal(err)
	}
	defer s.stop()
	ref := s.host + "/local/large:1"

	var rows, verified, native, crane float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		tb := newTab(b)
		if _, err := chromedp.Call(tb.ctx, page.AddScriptToEvaluateOnNewDocument,
			page.AddScriptToEvaluateOnNewDocumentParams{Source: verifiedRecorder + rowsRecorder}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		tb.navigate(pageURL(s, "image", ref))
		tb.waitStatus(bigWait, "verified")
		b.StopTimer()
		r, v := eval[float64](tb, `window.__rowsAt ?? -1`)/1000, eval[float64](tb, `window.__verifiedAt ?? -1`)/1000
		if r < 0 || v < 0 {
			b.Fatalf("the page recorded first rows at %.3fs, verified at %.3fs", r, v)
		}
		rows, verified = rows+r, verified+v
		t0 := time.Now()
		nativePull(b, ref)
		native += time.Since(t0).Seconds()
		if c := os.Getenv("REGSCOPE_BENCH_CRANE"); c != "" {
			t0 = time.Now()
			runCmd(b, c, "export", "--insecure", ref, "-")
			crane += time.Since(t0).Seconds()
		}
		b.StartTimer()
	}
	n := float64(b.N)
	b.ReportMetric(rows/n, "first-rows-s")
	b.ReportMetric(verified/n, "page-s")
	b.ReportMetric(native/n, "native-s")
	b.ReportMetric(verified/native, "page/native")
	b.ReportMetric(rows/verified, "first-rows/verified")
	if crane > 0 {
		b.ReportMetric(crane/n, "crane-export-s")
	}
	b.Logf("%s (%d MiB): first rows of / at %.2fs, all verified %.2fs (ratio %.2f); native pull %.2fs (page/native %.1f); crane export %.2fs",
		ref, size>>20, rows/n, verified/n, rows/verified, native/n, verified/native, crane/n)
}

// writeLargeLayout writes largeLayers as an OCI image layout in a tar
// (tagged "1") under dir and returns its path and size.
func writeLargeLayout(b *testing.B, dir string) (string, int64) {
	b.Helper()
	var layerBlobs []largeBlob
	var diffIDs []digest.Digest
	for i, n := range largeLayers {
		lb, diffID := writeLargeLayer(b, dir, i, n)
		layerBlobs, diffIDs = append(layerBlobs, lb), append(diffIDs, diffID)
	}
	cfg, _ := json.Marshal(v1.Image{Platform: v1.Platform{OS: "linux", Architecture: "amd64"},
		RootFS: v1.RootFS{Type: "layers", DiffIDs: diffIDs}})
	cfgDesc := v1.Descriptor{MediaType: v1.MediaTypeImageConfig, Digest: digest.FromBytes(cfg), Size: int64(len(cfg))}
	m := v1.Manifest{MediaType: v1.MediaTypeImageManifest, Config: cfgDesc}
	m.SchemaVersion = 2
	for _, l := range layerBlobs {
		m.Layers = append(m.Layers, l.desc)
	}
	mb, _ := json.Marshal(m)
	idx := v1.Index{MediaType: v1.MediaTypeImageIndex, Manifests: []v1.Descriptor{{MediaType: v1.MediaTypeImageManifest,
		Digest: digest.FromBytes(mb), Size: int64(len(mb)), Annotations: map[string]string{v1.AnnotationRefName: "1"}}}}
	idx.SchemaVersion = 2
	ib, _ := json.Marshal(idx)

	p := filepath.Join(dir, "large.tar")
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	small := func(name string, data []byte) {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			b.Fatal(err)
		}
		tw.Write(data)
	}
	small("oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`))
	small("index.json", ib)
	small("blobs/sha256/"+digest.FromBytes(mb).Encoded(), mb)
	small("blobs/sha256/"+cfgDesc.Digest.Encoded(), cfg)
	for _, l := range layerBlobs {
		if err := tw.WriteHeader(&tar.Header{Name: "blobs/sha256/" + l.desc.Digest.Encoded(), Mode: 0o644, Size: l.desc.Size, Typeflag: tar.TypeReg}); err != nil {
			b.Fatal(err)
		}
		lf, err := os.Open(l.path)
		if err != nil {
			b.Fatal(err)
		}
		_, err = io.Copy(tw, lf)
		lf.Close()
		os.Remove(l.path)
		if err != nil {
			b.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		b.Fatal(err)
	}
	fi, _ := f.Stat()
	return p, fi.Size()
}

// largeBlob is a layer written to a file of its own, before it goes into
// the layout's tar (whose header needs the digest first).
type largeBlob struct {
	path string
	desc v1.Descriptor
}

// writeLargeLayer writes layer i, a gzip'd tar, into a file under dir: a
// few files of /etc when n is 0, else /data/i.bin of n pseudo-random bytes.
// It returns the blob's file and descriptor, and the layer's DiffID.
func writeLargeLayer(b *testing.B, dir string, i int, n int64) (largeBlob, digest.Digest) {
	b.Helper()
	p := filepath.Join(dir, "layer-"+strconv.Itoa(i))
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	blobHash, diffHash := sha256.New(), sha256.New()
	zw, _ := gzip.NewWriterLevel(io.MultiWriter(f, blobHash), gzip.BestSpeed)
	tw := tar.NewWriter(io.MultiWriter(zw, diffHash))
	if n == 0 {
		for _, name := range []string{"etc/os-release", "etc/hostname", "etc/motd"} {
			body := "large benchmark image: " + name + "\n"
			tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg})
			tw.Write([]byte(body))
		}
	} else {
		tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("data/%d.bin", i), Mode: 0o644, Size: n, Typeflag: tar.TypeReg})
		rng := rand.NewChaCha8([32]byte{byte(i)})
		if _, err := io.CopyN(tw, rng, n); err != nil {
			b.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		b.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		b.Fatal(err)
	}
	fi, _ := f.Stat()
	return largeBlob{p, v1.Descriptor{MediaType: v1.MediaTypeImageLayerGzip, Digest: digest.NewDigest(digest.SHA256, blobHash), Size: fi.Size()}},
		digest.NewDigest(digest.SHA256, diffHash)
}
