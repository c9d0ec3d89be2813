//go:build !js

package bench

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/crane"
	ggcr "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/tartest"
)

// bigFileSize is the one file of BenchmarkLsBigFile's image: 8 GiB.
const bigFileSize = 8 << 30

// zeros reads as endless zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// gzipLayer is a layer given as its gzip bytes and its DiffID.
type gzipLayer struct {
	gz     []byte
	diffID ggcr.Hash
}

func (l gzipLayer) Digest() (ggcr.Hash, error) {
	h, _, err := ggcr.SHA256(bytes.NewReader(l.gz))
	return h, err
}
func (l gzipLayer) DiffID() (ggcr.Hash, error) { return l.diffID, nil }
func (l gzipLayer) Compressed() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(l.gz)), nil
}
func (l gzipLayer) Uncompressed() (io.ReadCloser, error) { panic("not needed to push") }
func (l gzipLayer) Size() (int64, error)                 { return int64(len(l.gz)), nil }
func (l gzipLayer) MediaType() (types.MediaType, error)  { return types.OCILayer, nil }

// bigFileLayer is a gzip layer holding one file of bigFileSize zero bytes:
// its header, the zeros as 1 MiB gzip members (≈ 8 MB in all, a ratio of
// ≈ 1,000:1, as far as deflate goes) and the end of the archive.
func bigFileLayer(b *testing.B) gzipLayer {
	var hdr, end bytes.Buffer
	tw := tar.NewWriter(&hdr)
	if err := tw.WriteHeader(&tar.Header{Name: "models/weights.bin", Mode: 0o644, Size: bigFileSize, Typeflag: tar.TypeReg, ModTime: tartest.Epoch()}); err != nil {
		b.Fatal(err)
	}
	tw.Flush()
	end.Write(make([]byte, 1024)) // two zero blocks end the archive
	h := sha256.New()
	h.Write(hdr.Bytes())
	if _, err := io.CopyN(h, zeros{}, bigFileSize); err != nil {
		b.Fatal(err)
	}
	h.Write(end.Bytes())
	var gz []byte
	gz = append(gz, tartest.Gzip(b, hdr.Bytes())...)
	gz = append(gz, tartest.ZeroGzip(b, bigFileSize)...)
	gz = append(gz, tartest.Gzip(b, end.Bytes())...)
	d, err := ggcr.NewHash("sha256:" + hexOf(h.Sum(nil)))
	if err != nil {
		b.Fatal(err)
	}
	return gzipLayer{gz: gz, diffID: d}
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 2*len(b))
	for i, c := range b {
		out[2*i], out[2*i+1] = digits[c>>4], digits[c&15]
	}
	return string(out)
}

// BenchmarkLsBigFile lists an image whose one layer holds a single 8 GiB
// file with the native CLI (`regscope ls --no-cache`, a separate process:
// time and peak RSS) and exports it with crane to nowhere in the same run:
//
//	go test -run '^$' -bench LsBigFile -benchtime 1x ./bench/
//
// The file is zeros (gzip members), so the registry and inflate cost less
// than for real data; what it shows is that nothing refuses the file and
// memory does not grow with it.
func BenchmarkLsBigFile(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "regscope")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	ref := regtest.GGCR(b) + "/bench/bigfile:1"
	regtest.Push(b, ref, imagetest.Image(b, imagetest.OCI, bigFileLayer(b)))
	var lsTime, craneTime time.Duration
	var rss int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var out, stderr bytes.Buffer
		cmd := exec.Command(bin, "ls", "--no-cache", ref, "/models")
		cmd.Stdout, cmd.Stderr = &out, &stderr
		cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+b.TempDir())
		start := time.Now()
		if err := cmd.Run(); err != nil {
			b.Fatalf("regscope ls: %v\n%s", err, stderr.String())
		}
		lsTime += time.Since(start)
		rss = max(rss, cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss<<10)
		if !bytes.Contains(out.Bytes(), []byte(" 8589934592 ")) {
			b.Fatalf("regscope ls does not list the 8 GiB file:\n%s", out.String())
		}
		start = time.Now()
		img, err := crane.Pull(ref, crane.Insecure)
		if err != nil {
			b.Fatal(err)
		}
		if err := crane.Export(img, io.Discard); err != nil {
			b.Fatal(err)
		}
		craneTime += time.Since(start)
	}
	n := float64(b.N)
	b.ReportMetric(lsTime.Seconds()/n, "ls-s")
	b.ReportMetric(float64(rss)/(1<<20), "ls-peak-rss-MiB")
	b.ReportMetric(craneTime.Seconds()/n, "crane-export-s")
}
