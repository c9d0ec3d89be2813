//go:build !js

package e2e

import (
	"crypto/rand"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/opencontainers/go-digest"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/pagepull"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/tartest"
	"github.com/regscope/regscope/pkg/pull"
)

// The team deployment with real processes (deploy/): two replicas behind
// nginx, a Distribution pull-through cache as their mirror, a Distribution
// upstream. The same image pulled the page's way through one replica and
// then the other reaches the upstream for its blobs only once (the second
// replica's pull is served by the mirror); pulls through nginx use both
// replicas; killing the replica that is streaming a blob mid-pull lets the
// page's resume through the other replica finish the pull; a mirror serving
// a corrupted blob is caught by the digest check and the blob comes from
// the upstream; the real page in Chromium pulls through nginx.
func TestDeployment(t *testing.T) {
	d := startDeployment(t, 2, true)
	const motd = "served by a team deployment\n"
	ref := d.upstream + "/team/app:1"
	layers := pushLayers(t, ref,
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "etc/motd", Body: motd}),
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "srv/data", Body: strings.Repeat("team data ", 50_000)}))

	pageEquivalent(t, d.replicas[0].url, ref)
	d.waitStored(t, ref, layers)
	filled := d.upstreamGets(layers)
	pageEquivalent(t, d.replicas[1].url, ref)
	if n := d.upstreamGets(layers); n != filled {
		t.Errorf("second pull, through the other replica: %d blob GETs upstream, want still %d (served by the mirror)", n, filled)
	}
	if hits := metric(t, d.replicas[1], `regscope_mirror_requests_total{result="hit",upstream="`+d.upstream+`"}`); hits < 3 {
		t.Errorf("the second replica counts %v mirror hits, want the manifest, config and both layers", hits)
	}

	before := []float64{metric(t, d.replicas[0], `regscope_relay_requests_total{outcome="ok"}`), metric(t, d.replicas[1], `regscope_relay_requests_total{outcome="ok"}`)}
	pageEquivalent(t, d.lb, ref)
	for i, s := range d.replicas {
		if n := metric(t, s, `regscope_relay_requests_total{outcome="ok"}`); n <= before[i] {
			t.Errorf("replica %d relayed nothing of the pull through nginx (%v requests before and after)", i, n)
		}
	}
	if n := d.upstreamGets(layers); n != filled {
		t.Errorf("pull through nginx: %d blob GETs upstream, want still %d", n, filled)
	}

	t.Run("a replica killed mid-blob", func(t *testing.T) { testKillReplica(t, d) })

	d.mir.Add(regtest.Fault{Kind: regtest.Corrupt, Path: regtest.BlobPath(layers[1]), Offset: 100, Times: 1})
	events := pageEquivalent(t, d.lb, ref)
	var up []regtest.Seen
	for _, s := range d.up.Seen(regtest.BlobPath(layers[1])) {
		if s.Method == http.MethodGet {
			up = append(up, s)
		}
	}
	if last := up[len(up)-1]; last.CacheControl != "no-cache" || d.upstreamGets(layers) != filled+1 {
		t.Errorf("corrupt mirror: upstream blob GETs %d (last %+v), want %d, the last with Cache-Control: no-cache", d.upstreamGets(layers), last, filled+1)
	}
	if !hasEvent(events, "layer 1: blob "+string(layers[1])+": digest mismatch: want "+string(layers[1])+", got sha256:", "; fetching it again from the registry, bypassing caches") {
		t.Errorf("no event telling of the digest mismatch and the fetch past the mirror")
	}

	if env.browserErr != nil {
		t.Fatalf("no browser: %v", env.browserErr)
	}
	pullInPage(t, &server{url: d.lb}, ref, "/etc/motd", motd)
}

// testKillReplica pulls an image the mirror has not seen through nginx; its
// one large layer drips from the mirror until the replica streaming it is
// killed (SIGKILL); the page's pipeline resumes the blob with a Range
// request, nginx sends it to the surviving replica, and the pull verifies.
func testKillReplica(t *testing.T, d *deployment) {
	big := make([]byte, 1<<20)
	rand.Read(big)
	ref := d.upstream + "/team/kill:1"
	layers := pushLayers(t, ref, imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "big.bin", Body: string(big)}))
	blob := regtest.BlobPath(layers[0])
	d.mir.Add(regtest.Fault{Kind: regtest.Drip, Path: blob, Offset: 600_000, Delay: 5 * time.Millisecond, Times: 1})

	done := make(chan error, 1)
	var received atomic.Int64 // the layer's bytes the client has read so far
	go func() {
		_, err := pagepull.Pull(t.Context(), d.lb, ref, func(e pull.Event) {
			if e.Digest == layers[0] && e.Done > received.Load() {
				received.Store(e.Done)
			}
		})
		done <- err
	}()
	// The replica is killed once bytes of the blob reached the client (the
	// first progress event comes after 256 KiB, before the drip), so
	// that there is something to resume (a cut before the first byte is
	// rightly retried from the start).
	var victim *server
	for try := 0; victim == nil; try++ {
		if len(d.mir.Seen(blob)) > 0 && received.Load() > 0 {
			for _, s := range d.replicas {
				if metric(t, s, "regscope_relay_streams") == 1 {
					victim = s
				}
			}
		}
		if try == 2400 { // a minute, on a busy machine
			t.Fatal("no replica is streaming the blob")
		}
		time.Sleep(25 * time.Millisecond)
	}
	if err := victim.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-victim.done
	if err := <-done; err != nil {
		t.Fatalf("the pull after the replica was killed: %v", err)
	}
	var resumed bool
	for _, s := range append(d.mir.Seen(blob), d.up.Seen(blob)...) {
		resumed = resumed || strings.HasPrefix(s.Range, "bytes=")
	}
	if !resumed {
		t.Errorf("no Range request resumed the blob: mirror %+v", d.mir.Seen(blob))
	}
}

// pushLayers pushes an OCI image of layers to ref and returns their digests.
func pushLayers(t *testing.T, ref string, layers ...v1.Layer) []digest.Digest {
	t.Helper()
	regtest.Push(t, ref, imagetest.Image(t, imagetest.OCI, layers...))
	var ds []digest.Digest
	for _, l := range layers {
		h, err := l.Digest()
		if err != nil {
			t.Fatal(err)
		}
		ds = append(ds, digest.Digest(h.String()))
	}
	return ds
}

// pageEquivalent pulls ref the page's way through the relay at origin.
func pageEquivalent(t *testing.T, origin, ref string) []pull.Event {
	t.Helper()
	var events []pull.Event
	if _, err := pagepull.Pull(t.Context(), origin, ref, func(e pull.Event) { events = append(events, e) }); err != nil {
		t.Fatalf("pull of %s through %s: %v", ref, origin, err)
	}
	return events
}

func hasEvent(events []pull.Event, prefix, suffix string) bool {
	for _, e := range events {
		if strings.HasPrefix(e.Message, prefix) && strings.HasSuffix(e.Message, suffix) {
			return true
		}
	}
	return false
}

// upstreamGets counts the layer blob GETs the upstream received.
func (d *deployment) upstreamGets(layers []digest.Digest) int {
	n := 0
	for _, l := range layers {
		n += blobGets(d.up, regtest.BlobPath(l))
	}
	return n
}

// waitStored waits until the mirror holds every layer of ref itself:
// Distribution in proxy mode copies a blob into its storage after serving
// it, and answers from the upstream until then. A blob is stored when a
// HEAD at the mirror no longer reaches the upstream.
func (d *deployment) waitStored(t testing.TB, ref string, layers []digest.Digest) {
	t.Helper()
	repo := strings.TrimSuffix(strings.SplitN(ref, "/", 2)[1], ":1")
	for _, l := range layers {
		for try := 0; ; try++ {
			before := len(d.up.Seen(regtest.BlobPath(l)))
			resp, err := http.Head("http://" + d.mirror + "/v2/" + repo + "/blobs/" + string(l))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && len(d.up.Seen(regtest.BlobPath(l))) == before {
				break
			}
			if try == 2400 { // a minute, on a busy machine
				t.Fatalf("the mirror did not store %s", l)
			}
			time.Sleep(25 * time.Millisecond)
		}
	}
}
