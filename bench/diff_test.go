//go:build !js

package bench

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/crane"
	ggcr "github.com/google/go-containerregistry/pkg/v1"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/tartest"
	"github.com/regscope/regscope/pkg/diff"
	"github.com/regscope/regscope/pkg/pull"
)

// blobBytes counts the bytes of blob responses a registry sends.
type blobBytes struct{ n atomic.Int64 }

func (c *blobBytes) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/blobs/") {
			w = &countingWriter{ResponseWriter: w, n: &c.n}
		}
		next.ServeHTTP(w, r)
	})
}

type countingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (w *countingWriter) Write(p []byte) (int, error) {
	n, err := w.ResponseWriter.Write(p)
	w.n.Add(int64(n))
	return n, err
}

// halfShared returns two ≈100 MB images that share their two bottom
// layers (imagetest.Big's first half) and differ in the top two.
func halfShared(b *testing.B) (a, bb ggcr.Image) {
	a = imagetest.Big(b)
	ls, err := a.Layers()
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewChaCha8([32]byte{'d', 'i', 'f', 'f'}))
	top := []ggcr.Layer{ls[0], ls[1]}
	for l := range 2 {
		var es []tartest.Entry
		for f := range 25 {
			buf := make([]byte, 1<<20)
			for i := range buf {
				buf[i] = byte(rng.Uint32())
			}
			es = append(es, tartest.Entry{Name: fmt.Sprintf("b%d/blob%02d.bin", l, f), Body: string(buf)})
		}
		top = append(top, imagetest.Layer(b, imagetest.Gzip, es...))
	}
	return a, imagetest.Image(b, imagetest.OCI, top...)
}

// BenchmarkDiff compares two ≈100 MB images sharing half their layers:
// `regscope diff` (both pulled at once, shared layers downloaded once, then
// every path compared by content; diff-pull-s is the pulling alone) against pulling both separately with
// regscope and with crane (pull and export each), in the same run:
//
//	go test -run '^$' -bench Diff -benchtime 1x -count 3 ./bench/
//
// Figures in bench/DIFF.md.
func BenchmarkDiff(b *testing.B) {
	var counted blobBytes
	host := regtest.GGCRWith(b, counted.wrap)
	imgA, imgB := halfShared(b)
	refA, refB := host+"/bench/a:1", host+"/bench/b:1"
	regtest.Push(b, refA, imgA)
	regtest.Push(b, refB, imgB)
	sa, err := compressedSize(imgA)
	if err != nil {
		b.Fatal(err)
	}
	sb, err := compressedSize(imgB)
	if err != nil {
		b.Fatal(err)
	}
	// measure runs fn after a GC (so no run pays for the garbage of the one
	// before) and returns its wall time, blob bytes served and CPU time of
	// the whole process (registry included: on a loaded machine the CPU
	// time is the steadier figure).
	measure := func(fn func() error) (time.Duration, int64, time.Duration) {
		runtime.GC()
		counted.n.Store(0)
		cpu0 := cpuTime()
		start := time.Now()
		if err := fn(); err != nil {
			b.Fatal(err)
		}
		return time.Since(start), counted.n.Load(), cpuTime() - cpu0
	}
	b.ResetTimer()
	var tDiff, tPull, tSep, tCrane, cDiff, cPull, cSep, cCrane time.Duration
	var nDiff, nSep, nCrane int64
	for range b.N {
		d, n, c := measure(func() error {
			start, cpu0 := time.Now(), cpuTime()
			a, bb, err := diff.Pull(context.Background(), refA, refB, pull.Options{}, pull.Options{})
			if err != nil {
				return err
			}
			tPull, cPull = tPull+time.Since(start), cPull+cpuTime()-cpu0
			_, err = diff.Images(a, bb, "/")
			return err
		})
		tDiff, nDiff, cDiff = tDiff+d, n, cDiff+c
		d, n, c = measure(func() error {
			var wg sync.WaitGroup
			var errA, errB error
			wg.Go(func() { _, errA = pull.Pull(context.Background(), refA, pull.Options{}) })
			wg.Go(func() { _, errB = pull.Pull(context.Background(), refB, pull.Options{}) })
			wg.Wait()
			if errA != nil {
				return errA
			}
			return errB
		})
		tSep, nSep, cSep = tSep+d, n, cSep+c
		d, n, c = measure(func() error {
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, ref := range []string{refA, refB} {
				wg.Go(func() {
					ri, err := crane.Pull(ref, crane.Insecure)
					if err == nil {
						err = crane.Export(ri, io.Discard)
					}
					errs[i] = err
				})
			}
			wg.Wait()
			if errs[0] != nil {
				return errs[0]
			}
			return errs[1]
		})
		tCrane, nCrane, cCrane = tCrane+d, n, cCrane+c
	}
	n := float64(b.N)
	b.ReportMetric(float64(sa)/1e6, "A-MB")
	b.ReportMetric(float64(sb)/1e6, "B-MB")
	b.ReportMetric(tDiff.Seconds()/n, "diff-s")
	b.ReportMetric(tPull.Seconds()/n, "diff-pull-s")
	b.ReportMetric(float64(nDiff)/1e6, "diff-fetched-MB")
	b.ReportMetric(tSep.Seconds()/n, "two-pulls-s")
	b.ReportMetric(float64(nSep)/1e6, "two-pulls-fetched-MB")
	b.ReportMetric(tCrane.Seconds()/n, "crane-two-s")
	b.ReportMetric(float64(nCrane)/1e6, "crane-two-fetched-MB")
	b.ReportMetric(cDiff.Seconds()/n, "diff-cpu-s")
	b.ReportMetric(cPull.Seconds()/n, "diff-pull-cpu-s")
	b.ReportMetric(cSep.Seconds()/n, "two-pulls-cpu-s")
	b.ReportMetric(cCrane.Seconds()/n, "crane-two-cpu-s")
}

// cpuTime is the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
