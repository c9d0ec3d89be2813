//go:build !js

// Package bench compares regscope's native pipeline with
// go-containerregistry's (`crane export` to nowhere) on the same image from
// the same loopback registry, in the same run:
//
//	go test -run '^$' -bench PullVsCrane -benchtime 5x -count 2 ./bench/
//
// regscope is measured twice: keeping every file's content (the page, `cat`)
// and keeping metadata only (`pull`, `ls`; layers.DiscardStore).
//
// Figures, not assertions: the README has those this command made.
package bench

import (
	"context"
	"io"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/crane"
	ggcr "github.com/google/go-containerregistry/pkg/v1"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/pkg/layers"
	"github.com/regscope/regscope/pkg/pull"
)

// peakHeap samples the heap while fn runs and returns the largest value
// seen, in bytes above the heap before fn started.
func peakHeap(fn func() error) (uint64, error) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	err := fn()
	close(stop)
	<-done
	if p := peak.Load(); p > base {
		return p - base, err
	}
	return 0, err
}

func BenchmarkPullVsCrane(b *testing.B) {
	host := regtest.GGCR(b)
	ref := host + "/bench/big:1"
	img := imagetest.Big(b)
	regtest.Push(b, ref, img)
	size, err := compressedSize(img)
	if err != nil {
		b.Fatal(err)
	}
	mb := float64(size) / 1e6
	b.ResetTimer()
	var ours, meta, theirs time.Duration
	var ourPeak, metaPeak, theirPeak uint64
	for range b.N {
		// What `regscope pull` and `ls` do: verify everything, keep metadata only.
		start := time.Now()
		p, err := peakHeap(func() error {
			img, err := pull.Pull(context.Background(), ref, pull.Options{Store: layers.DiscardStore()})
			runtime.KeepAlive(img)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		meta += time.Since(start)
		metaPeak = max(metaPeak, p)

		// What the page and `cat` do: keep every file's content for browsing.
		start = time.Now()
		p, err = peakHeap(func() error {
			img, err := pull.Pull(context.Background(), ref, pull.Options{})
			runtime.KeepAlive(img)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		ours += time.Since(start)
		ourPeak = max(ourPeak, p)

		start = time.Now()
		p, err = peakHeap(func() error {
			ri, err := crane.Pull(ref, crane.Insecure)
			if err != nil {
				return err
			}
			return crane.Export(ri, io.Discard)
		})
		if err != nil {
			b.Fatal(err)
		}
		theirs += time.Since(start)
		theirPeak = max(theirPeak, p)
	}
	n := float64(b.N)
	b.ReportMetric(mb, "MB-compressed")
	b.ReportMetric(ours.Seconds()/n, "regscope-s")
	b.ReportMetric(theirs.Seconds()/n, "crane-s")
	b.ReportMetric(ours.Seconds()/theirs.Seconds(), "ratio")
	b.ReportMetric(mb/(ours.Seconds()/n), "regscope-MB/s")
	b.ReportMetric(mb/(theirs.Seconds()/n), "crane-MB/s")
	b.ReportMetric(float64(ourPeak)/1e6, "regscope-peak-MB")
	b.ReportMetric(float64(theirPeak)/1e6, "crane-peak-MB")
	b.ReportMetric(meta.Seconds()/n, "regscope-meta-s")
	b.ReportMetric(meta.Seconds()/theirs.Seconds(), "meta-ratio")
	b.ReportMetric(float64(metaPeak)/1e6, "regscope-meta-peak-MB")
}

func compressedSize(img ggcr.Image) (int64, error) {
	ls, err := img.Layers()
	if err != nil {
		return 0, err
	}
	var n int64
	for _, l := range ls {
		s, err := l.Size()
		if err != nil {
			return 0, err
		}
		n += s
	}
	return n, nil
}
