//go:build !js

package relay

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/random"

	"github.com/regscope/regscope/internal/regtest"
)

// lineCounter counts log lines (one per finished relay request).
type lineCounter struct{ n atomic.Int64 }

func (l *lineCounter) Write(p []byte) (int, error) {
	l.n.Add(int64(bytes.Count(p, []byte("\n"))))
	return len(p), nil
}

// TestRelayUnderLoad streams a blob to 200 concurrent clients through the
// relay from a loopback registry, alongside slow clients that stop reading and
// clients that disconnect mid-blob. Every complete body must verify, the
// stalled and abandoned requests must end, and goroutines must return to
// baseline. Throughput and peak heap are logged (figures, not assertions).
func TestRelayUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("streams ≈1 GB through the relay")
	}
	host := regtest.GGCR(t)
	small, err := random.Image(4<<20, 1)
	if err != nil {
		t.Fatal(err)
	}
	large, err := random.Image(32<<20, 1)
	if err != nil {
		t.Fatal(err)
	}
	regtest.Push(t, host+"/load/small:v1", small)
	regtest.Push(t, host+"/load/large:v1", large)
	sl, _ := small.Layers()
	ll, _ := large.Layers()
	smallDigest, _ := sl[0].Digest()
	largeDigest, _ := ll[0].Digest()

	var lines lineCounter
	r := newRelay(t, Options{Insecure: []string{host}, MaxPerClient: 1000, IdleTimeout: 3 * time.Second, Logger: log.New(&lines, "", 0)})
	srv := httptest.NewServer(r)
	defer srv.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: 256, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	blobURL := func(repo string, d fmt.Stringer) string {
		return srv.URL + Prefix + host + "/v2/load/" + repo + "/blobs/" + d.String()
	}

	runtime.GC()
	baseline := runtime.NumGoroutine()
	var peak atomic.Uint64
	stopSampling := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stopSampling:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()

	const streams, slow, quitters = 200, 10, 20
	var wg sync.WaitGroup
	var total atomic.Int64
	errs := make(chan error, streams+slow+quitters)
	start := time.Now()
	for range streams {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := client.Get(blobURL("small", smallDigest))
			if err != nil {
				errs <- err
				return
			}
			defer resp.Body.Close()
			h := sha256.New()
			n, err := io.Copy(h, resp.Body)
			total.Add(n)
			if err != nil || resp.StatusCode != 200 || "sha256:"+hex.EncodeToString(h.Sum(nil)) != smallDigest.String() {
				errs <- fmt.Errorf("stream: status %d, %d bytes, err %v", resp.StatusCode, n, err)
			}
		}()
	}
	// Slow clients read a little of the large blob, then stop reading but keep the connection.
	slowBodies := make(chan io.Closer, slow)
	for range slow {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := client.Get(blobURL("large", largeDigest))
			if err != nil {
				errs <- err
				return
			}
			io.CopyN(io.Discard, resp.Body, 64<<10)
			slowBodies <- resp.Body
		}()
	}
	// Quitters read a little and go away.
	for range quitters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithCancel(context.Background())
			req, _ := http.NewRequestWithContext(ctx, "GET", blobURL("large", largeDigest), nil)
			resp, err := client.Do(req)
			if err != nil {
				cancel()
				errs <- err
				return
			}
			io.CopyN(io.Discard, resp.Body, 64<<10)
			cancel()
			resp.Body.Close()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	// Every request, the slow ones included, ends on the relay while the slow
	// clients still hold their connections open without reading.
	want := int64(streams + slow + quitters)
	deadline := time.Now().Add(20 * time.Second)
	for lines.n.Load() < want && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got := lines.n.Load(); got < want {
		t.Errorf("%d of %d relayed requests ended; slow clients are holding the rest", got, want)
	}
	close(slowBodies)
	for b := range slowBodies {
		b.Close()
	}
	close(stopSampling)
	<-sampled

	tr.CloseIdleConnections()
	r.CloseIdleConnections()
	if n := settle(runtime.NumGoroutine(), baseline); n > baseline+2 {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines after the load, baseline %d:\n%s", n, baseline, buf[:runtime.Stack(buf, true)])
	}
	mb := float64(total.Load()) / 1e6
	t.Logf("relay load: %d concurrent streams of a 4 MiB blob (+%d slow, +%d quitting): %.0f MB in %v = %.0f MB/s; peak heap in use %.0f MB (whole test process, incl. the in-process registry)",
		streams, slow, quitters, mb, elapsed.Round(time.Millisecond), mb/elapsed.Seconds(), float64(peak.Load())/1e6)
}
