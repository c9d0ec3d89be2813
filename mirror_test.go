//go:build !js

package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/pagepull"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/tartest"
	"github.com/regscope/regscope/pkg/pull"
)

// served is a runServe running in-process.
type served struct {
	url  string              // "http://127.0.0.1:PORT/"
	log  *regtest.SyncBuffer // its stderr
	stop func() int          // cancels its context and returns its exit status
}

// startServe runs runServe in-process on a free port with args; it stops
// at the test's end at the latest.
func startServe(t *testing.T, args ...string) *served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	outR, outW := io.Pipe()
	s := &served{log: &regtest.SyncBuffer{}}
	done := make(chan int, 1)
	go func() {
		done <- runServe(ctx, append([]string{"--addr", "127.0.0.1:0"}, args...), outW, s.log)
		outW.Close()
	}()
	var once sync.Once
	code := -1
	s.stop = func() int {
		once.Do(func() {
			cancel()
			select {
			case code = <-done:
			case <-time.After(30 * time.Second):
				t.Errorf("server did not stop; stderr: %s", s.log.String())
			}
		})
		return code
	}
	t.Cleanup(func() { s.stop() })
	line, err := bufio.NewReader(outR).ReadString('\n')
	if err != nil {
		t.Fatalf("no URL printed: %v; stderr: %s", err, s.log.String())
	}
	go io.Copy(io.Discard, outR)
	s.url = strings.TrimSpace(strings.TrimPrefix(line, "regscope: open "))
	return s
}

// mirrorFixture is an upstream Distribution, a second Distribution in
// proxy mode as its mirror, each behind a Faults wrapper that counts (and,
// for the mirror, can break) requests, and one image pushed upstream.
type mirrorFixture struct {
	upstream, mirror   string // the wrappers' host:port
	upFaults, mirFault *regtest.Faults
	ref                string
	layers             []digest.Digest
	directHeads        int // HEADs waitStored sent to the mirror itself
}

func newMirrorFixture(t *testing.T) *mirrorFixture {
	t.Helper()
	f := &mirrorFixture{upFaults: &regtest.Faults{}, mirFault: &regtest.Faults{}}
	f.upstream = regtest.Front(t, regtest.Distribution(t, regtest.None), f.upFaults.Wrap)
	f.mirror = regtest.Front(t, regtest.StartProxy(t, "http://"+f.upstream).Host, f.mirFault.Wrap)
	img := imagetest.Image(t, imagetest.OCI,
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "etc/motd", Body: "from the mirror test\n"}),
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "big", Body: strings.Repeat("mirrored bytes ", 20_000)}))
	f.ref = f.upstream + "/team/mirrored:1"
	regtest.Push(t, f.ref, img)
	f.layers = imagetest.LayerDigests(t, img)
	return f
}

// blobGets counts GETs of the image's layer blobs that w received.
func (f *mirrorFixture) blobGets(w *regtest.Faults) int {
	n := 0
	for _, d := range f.layers {
		for _, s := range w.Seen(regtest.BlobPath(d)) {
			if s.Method == "GET" {
				n++
			}
		}
	}
	return n
}

// waitStored waits until the mirror holds every layer itself: Distribution
// in proxy mode copies a blob into its storage after serving it, and until
// then answers from the upstream again. A blob is stored when a HEAD at the
// mirror no longer reaches the upstream.
func (f *mirrorFixture) waitStored(t *testing.T) {
	t.Helper()
	for _, d := range f.layers {
		path := regtest.BlobPath(d)
		for try := 0; ; try++ {
			before := len(f.upFaults.Seen(path))
			resp, err := http.Head("http://" + f.mirror + "/v2/team/mirrored/blobs/" + string(d))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			f.directHeads++
			if resp.StatusCode == http.StatusOK && len(f.upFaults.Seen(path)) == before {
				break
			}
			if try == 2400 { // a minute, on a busy machine
				t.Fatalf("the mirror did not store %s", d)
			}
			time.Sleep(25 * time.Millisecond)
		}
	}
}

func pagePull(t *testing.T, origin, ref string) []pull.Event {
	t.Helper()
	var events []pull.Event
	img, err := pagepull.Pull(t.Context(), strings.TrimSuffix(origin, "/"), ref, func(e pull.Event) { events = append(events, e) })
	if err != nil {
		t.Fatalf("page-equivalent pull of %s: %v", ref, err)
	}
	if len(img.Layers) != 2 {
		t.Fatalf("pulled %d layers, want 2", len(img.Layers))
	}
	return events
}

// The relay with --mirror: the first pull fills the mirror from the
// upstream, the second is served by the mirror (no more blob GETs
// upstream); a mirror serving a corrupted blob is caught by the digest
// check, and the page asks again past the mirror (Cache-Control: no-cache)
// and gets the upstream's bytes; a failing mirror falls back to the
// upstream.
func TestRelayMirror(t *testing.T) {
	f := newMirrorFixture(t)
	t.Setenv("REGSCOPE_INSECURE_REGISTRY", f.upstream) // every flag has its variable
	srv := startServe(t, "--mirror", f.upstream+"=http://"+f.mirror).url

	pagePull(t, srv, f.ref)
	if n := f.blobGets(f.mirFault); n != 2 {
		t.Fatalf("first pull: %d blob GETs at the mirror, want 2", n)
	}
	f.waitStored(t)
	filled := f.blobGets(f.upFaults)
	if filled < 2 {
		t.Fatalf("first pull: %d blob GETs upstream, want at least 2 (the mirror filling itself)", filled)
	}

	pagePull(t, srv, f.ref)
	if n := f.blobGets(f.upFaults); n != filled {
		t.Errorf("second pull: %d blob GETs upstream, want still %d (served by the mirror)", n, filled)
	}
	if n := f.blobGets(f.mirFault); n != 4 {
		t.Errorf("second pull: %d blob GETs at the mirror in all, want 4", n)
	}

	f.mirFault.Add(regtest.Fault{Kind: regtest.Corrupt, Path: regtest.BlobPath(f.layers[1]), Offset: 100, Times: 1})
	events := pagePull(t, srv, f.ref)
	up := f.upFaults.Seen(regtest.BlobPath(f.layers[1]))
	if n := f.blobGets(f.upFaults); n != filled+1 || up[len(up)-1].CacheControl != "no-cache" {
		t.Errorf("corrupt mirror: %d blob GETs upstream (last %+v), want %d, the last with Cache-Control: no-cache", n, up[len(up)-1], filled+1)
	}
	want := "layer 1: blob " + string(f.layers[1]) + ": digest mismatch: want " + string(f.layers[1]) + ", got sha256:"
	if !hasMessage(events, want, "; fetching it again from the registry, bypassing caches") {
		t.Errorf("no event %q…; fetching it again", want)
	}

	f.mirFault.Add(regtest.Fault{Kind: regtest.Status, Code: 503, Path: "/v2/"})
	before, hits := f.blobGets(f.upFaults), f.contentRequests()-f.directHeads
	pagePull(t, srv, f.ref)
	if n := f.blobGets(f.upFaults); n != before+2 {
		t.Errorf("mirror answering 503: %d blob GETs upstream, want %d (both layers from the upstream)", n, before+2)
	}
	errs := f.contentRequests() - f.directHeads - hits

	for path, rule := range map[string]string{"relay/127.0.0.1:1/v2/": "address", "relay/registry.example/v2/../x": "target"} {
		refused, err := http.Get(srv + path)
		if err != nil {
			t.Fatal(err)
		}
		refused.Body.Close()
		if got := refused.Header.Get("X-Regscope-Refusal-Rule"); got != rule {
			t.Errorf("GET /%s: refusal rule %q, want %q", path, got, rule)
		}
	}
	m := scrapeSettled(t, srv)
	label := `upstream="` + f.upstream + `"`
	for series, want := range map[string]float64{
		`regscope_mirror_requests_total{result="hit",` + label + `}`:    float64(hits),
		`regscope_mirror_requests_total{result="error",` + label + `}`:  float64(errs),
		`regscope_mirror_requests_total{result="bypass",` + label + `}`: 1,
		`regscope_relay_upstream_seconds_count{to="mirror"}`:            float64(hits + errs),
		`regscope_relay_refusals_total{rule="address"}`:                 1,
		`regscope_relay_refusals_total{rule="target"}`:                  1,
		`regscope_relay_requests_total{outcome="refused"}`:              2,
		`regscope_relay_streams`:                                        0,
	} {
		if m[series] != want {
			t.Errorf("%s = %v, want %v", series, m[series], want)
		}
	}
	for _, series := range []string{`regscope_relay_requests_total{outcome="ok"}`, `regscope_relay_bytes_total`, `regscope_relay_upstream_seconds_count{to="upstream"}`} {
		if m[series] <= 0 {
			t.Errorf("%s = %v, want more than 0", series, m[series])
		}
	}
}

// scrapeSettled scrapes /metrics once no relay stream is open any more:
// a handler decrements regscope_relay_streams after its last byte reached
// the client, so right after a pull the gauge may still count one. It
// gives up after 10 s and returns the last scrape, which the caller's
// assertions then report.
func scrapeSettled(t *testing.T, srv string) map[string]float64 {
	t.Helper()
	m := scrape(t, srv)
	for end := time.Now().Add(10 * time.Second); m["regscope_relay_streams"] != 0 && time.Now().Before(end); {
		time.Sleep(20 * time.Millisecond)
		m = scrape(t, srv)
	}
	return m
}

// contentRequests counts the manifest and blob requests the mirror received.
func (f *mirrorFixture) contentRequests() int {
	n := 0
	for _, s := range f.mirFault.Seen("/v2/") {
		if strings.Contains(s.Path, "/manifests/") || strings.Contains(s.Path, "/blobs/") {
			n++
		}
	}
	return n
}

// scrape reads the server's /metrics into series → value.
func scrape(t *testing.T, srv string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(srv + "metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	m := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		m[line[:i]] = v
	}
	if resp.StatusCode != 200 || len(m) == 0 {
		t.Fatalf("/metrics: %d with %d series", resp.StatusCode, len(m))
	}
	return m
}

func hasMessage(events []pull.Event, prefix, suffix string) bool {
	for _, e := range events {
		if strings.HasPrefix(e.Message, prefix) && strings.HasSuffix(e.Message, suffix) {
			return true
		}
	}
	return false
}
