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
	"net"
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

// clientFrom returns an HTTP client whose connections come from the loopback
// address ip (any 127.x.y.z works on Linux), so that the relay sees distinct
// client addresses and applies its per-client limit to each.
func clientFrom(t *testing.T, ip string) *http.Client {
	t.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	tr := &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 64, DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// loadFigures samples the process's heap in use and goroutine count.
type loadFigures struct {
	mu             sync.Mutex
	peakHeap       uint64
	peakGoroutines int
	stop, done     chan struct{}
}

func sampleLoad() *loadFigures {
	f := &loadFigures{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(f.done)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			g := runtime.NumGoroutine()
			f.mu.Lock()
			f.peakHeap = max(f.peakHeap, ms.HeapInuse)
			f.peakGoroutines = max(f.peakGoroutines, g)
			f.mu.Unlock()
			select {
			case <-f.stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return f
}

func (f *loadFigures) end() (peakHeap uint64, peakGoroutines int) {
	close(f.stop)
	<-f.done
	return f.peakHeap, f.peakGoroutines
}

// heapInUse is the heap in use after two collections (the second empties
// the sync.Pool victim caches net/http keeps its buffers in).
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// TestRelayUnderLoad streams a 4 MiB blob to 200 concurrent clients (from 20
// loopback addresses, 10 each) through the relay, with its default limits,
// from a loopback registry, alongside 10 slow clients that stop reading, 20
// clients that disconnect mid-blob, and one greedy address holding 16
// requests while it asks for 24 more. Every complete body must verify; the
// greedy address's extra requests must get 429 while the others are served;
// the stalled and abandoned requests must end; goroutines must return to
// baseline. Throughput, heap and goroutine figures are logged, not asserted.
//
// Reproduce the figures: go test ./internal/relay/ -run TestRelayUnderLoad -v -count=1
func TestRelayUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("streams ≈1 GB through the relay")
	}
	held := make(chan struct{})        // closed to let held requests finish
	entered := make(chan struct{}, 64) // one per held request reaching the registry
	host := regtest.GGCRWith(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/v2/load/held/blobs/x" {
				next.ServeHTTP(w, r)
				return
			}
			entered <- struct{}{}
			select {
			case <-held:
			case <-r.Context().Done():
			}
			w.Write([]byte("ok"))
		})
	})
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
	const perClient = 16 // the default
	r := newRelay(t, Options{Insecure: []string{host}, IdleTimeout: 5 * time.Second, Logger: log.New(&lines, "", 0)})
	srv := httptest.NewServer(r)
	defer srv.Close()
	blobURL := func(repo string, d fmt.Stringer) string {
		return srv.URL + Prefix + host + "/v2/load/" + repo + "/blobs/" + d.String()
	}
	heldURL := srv.URL + Prefix + host + "/v2/load/held/blobs/x"

	const streams, addrs, slow, quitters, greedyExtra = 200, 20, 10, 20, 24
	streamClients := make([]*http.Client, addrs)
	for i := range streamClients {
		streamClients[i] = clientFrom(t, fmt.Sprintf("127.0.1.%d", i+1))
	}
	greedy := clientFrom(t, "127.0.4.1")

	runtime.GC()
	baseGoroutines, baseHeap := runtime.NumGoroutine(), heapInUse()
	figures := sampleLoad()

	var wg, streamWG sync.WaitGroup
	var total atomic.Int64
	errs := make(chan error, streams+slow+quitters+2*perClient+greedyExtra)
	get := func(c *http.Client, url string) (*http.Response, error) {
		resp, err := c.Get(url)
		if err != nil {
			errs <- err
		}
		return resp, err
	}

	// The greedy address fills its slots with requests the registry holds.
	heldCodes := make(chan int, perClient)
	for range perClient {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if resp, err := get(greedy, heldURL); err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				heldCodes <- resp.StatusCode
			}
		}()
	}
	for range perClient {
		<-entered
	}

	start := time.Now()
	for i := range streams {
		streamWG.Add(1)
		go func() {
			defer streamWG.Done()
			resp, err := get(streamClients[i%addrs], blobURL("small", smallDigest))
			if err != nil {
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
	for i := range slow {
		c := clientFrom(t, fmt.Sprintf("127.0.2.%d", i+1))
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := get(c, blobURL("large", largeDigest))
			if err != nil {
				return
			}
			io.CopyN(io.Discard, resp.Body, 64<<10)
			slowBodies <- resp.Body
		}()
	}
	// Quitters read a little and go away.
	for i := range quitters {
		c := clientFrom(t, fmt.Sprintf("127.0.3.%d", i+1))
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, "GET", blobURL("large", largeDigest), nil)
			resp, err := c.Do(req)
			if err != nil {
				errs <- err
				return
			}
			io.CopyN(io.Discard, resp.Body, 64<<10)
			cancel()
			resp.Body.Close()
		}()
	}
	// Meanwhile the greedy address asks for more: every request is refused.
	var refused atomic.Int64
	var greedyWG sync.WaitGroup
	for range greedyExtra {
		greedyWG.Add(1)
		go func() {
			defer greedyWG.Done()
			resp, err := get(greedy, blobURL("small", smallDigest))
			if err != nil {
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("Retry-After") != "" {
				refused.Add(1)
			} else {
				errs <- fmt.Errorf("greedy request beyond the limit: %d, want 429 with Retry-After", resp.StatusCode)
			}
		}()
	}
	greedyWG.Wait()
	close(held)
	streamWG.Wait()
	elapsed := time.Since(start) // the 200 streams, start to last byte
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	close(heldCodes)
	for c := range heldCodes {
		if c != 200 {
			t.Errorf("a held request within the limit got %d", c)
		}
	}

	// Every request, the slow ones included, ends on the relay while the slow
	// clients still hold their connections open without reading.
	want := int64(streams + slow + quitters + perClient + greedyExtra)
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
	peakHeap, peakGoroutines := figures.end()

	for _, c := range append(streamClients, greedy) {
		c.CloseIdleConnections()
	}
	r.CloseIdleConnections()
	after := settle(runtime.NumGoroutine(), baseGoroutines)
	if after > baseGoroutines+2 {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines after the load, baseline %d:\n%s", after, baseGoroutines, buf[:runtime.Stack(buf, true)])
	}
	if got := r.inFlight(); len(got) != 0 {
		t.Errorf("per-client table after the load: %v", got)
	}
	afterHeap := heapInUse()
	mb := float64(total.Load()) / 1e6
	t.Logf("relay load: %d concurrent streams of a 4 MiB blob from %d addresses (+%d slow, +%d quitting, +%d held and %d refused 429 from one greedy address): %.0f MB in %v = %.0f MB/s",
		streams, addrs, slow, quitters, perClient, refused.Load(), mb, elapsed.Round(time.Millisecond), mb/elapsed.Seconds())
	t.Logf("relay load: heap in use before %.0f MB, peak %.0f MB, after %.0f MB (whole test process: in-process registry holding 36 MiB of blobs, clients, relay)",
		float64(baseHeap)/1e6, float64(peakHeap)/1e6, float64(afterHeap)/1e6)
	t.Logf("relay load: goroutines before %d, peak %d, after %d", baseGoroutines, peakGoroutines, after)
}
