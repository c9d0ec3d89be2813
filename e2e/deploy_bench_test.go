//go:build !js

package e2e

import (
	"context"
	"net"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/pagepull"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/pkg/layers"
	"github.com/regscope/regscope/pkg/pull"
	"github.com/regscope/regscope/pkg/registry"
)

// BenchmarkTeamPulls: 20 people pull the same ≈100 MB image (demo/big's
// size, four gzip layers) at once, the page's way (pkg/pull through the
// relay: every digest and DiffID verified; file contents discarded so the
// benchmark's own heap stays small), each from its own loopback address.
// Three set-ups in one run, each pulled twice (a cold wave, then a warm
// one): the upstream registry directly (the peer: no relay at all), one
// replica, and two replicas behind nginx with a Distribution mirror.
// Reported per wave: aggregate throughput (compressed bytes verified per
// second of wall time), the bytes the upstream sent, and the 95th
// percentile of the time to verified.
//
//	go test -run '^$' -bench TeamPulls -benchtime 1x ./e2e/
//
// Figures, not assertions: docs/DEPLOY.md has those this command made.
func BenchmarkTeamPulls(b *testing.B) {
	const people = 20
	img := imagetest.Big(b)
	var imageBytes int64
	var digests []digest.Digest
	ls, _ := img.Layers()
	for _, l := range ls {
		n, _ := l.Size()
		h, _ := l.Digest()
		imageBytes += n
		digests = append(digests, digest.Digest(h.String()))
	}
	for _, setup := range []struct {
		name     string
		replicas int
		mirror   bool
		origin   func(d *deployment) string // "" = the upstream directly
	}{
		{"direct", 1, false, func(*deployment) string { return "" }},
		{"one replica", 1, false, func(d *deployment) string { return d.replicas[0].url }},
		{"two replicas, nginx, mirror", 2, true, func(d *deployment) string { return d.lb }},
	} {
		d := startDeployment(b, setup.replicas, setup.mirror)
		ref := d.upstream + "/bench/big:1"
		regtest.Push(b, ref, img)
		for _, wave := range []string{"cold", "warm"} {
			b.Run(setup.name+"/"+wave, func(b *testing.B) {
				for b.Loop() {
					before := d.upBytes.Load()
					start := time.Now()
					times := pullWave(b, setup.origin(d), ref, people)
					wall := time.Since(start)
					b.ReportMetric(float64(people)*float64(imageBytes)/wall.Seconds()/1e6, "MB/s")
					b.ReportMetric(float64(d.upBytes.Load()-before)/1e6, "upstream-MB")
					b.ReportMetric(times[len(times)*95/100-1].Seconds(), "p95-s")
				}
			})
			if setup.mirror && wave == "cold" {
				d.waitStored(b, ref, digests)
			}
		}
	}
}

// pullWave runs n concurrent page-equivalent pulls of ref through the relay
// at origin (or straight from the registry when origin is ""), each from
// its own address 127.0.0.(10+i), and returns their times to verified,
// sorted.
func pullWave(b *testing.B, origin, ref string, n int) []time.Duration {
	times := make([]time.Duration, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(10+i))}}
			tr := &http.Transport{DialContext: dialer.DialContext, DisableCompression: true, MaxIdleConnsPerHost: 8}
			defer tr.CloseIdleConnections()
			o := pull.Options{Registry: registry.Options{Transport: tr}, Store: layers.DiscardStore()}
			start := time.Now()
			if origin == "" {
				_, errs[i] = pull.Pull(context.Background(), ref, o)
			} else {
				_, errs[i] = pagepull.PullWith(context.Background(), origin, ref, o)
			}
			times[i] = time.Since(start)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			b.Fatalf("pull %d: %v", i, err)
		}
	}
	slices.Sort(times)
	return times
}
