package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/regscope/regscope/internal/regtest"
)

// blobCounter counts the blob GETs a registry answers, by digest.
type blobCounter struct {
	mu  sync.Mutex
	got map[string]int
}

func (c *blobCounter) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if i := strings.LastIndex(r.URL.Path, "/blobs/"); r.Method == http.MethodGet && i >= 0 {
			c.mu.Lock()
			c.got[r.URL.Path[i+len("/blobs/"):]]++
			c.mu.Unlock()
		}
		next.ServeHTTP(w, r)
	})
}

// take returns the counts so far and starts again from zero.
func (c *blobCounter) take() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	got := c.got
	c.got = map[string]int{}
	return got
}

// TestVerifiedCache: an image opened a second time in the same browser
// fetches no blob from the registry; a cached blob tampered with is caught
// when it is read (for a file of its layer, listed from its index), reported,
// dropped and fetched again, and the file still reads right; "Clear cache"
// empties the cache.
func TestVerifiedCache(t *testing.T) {
	t.Parallel()
	c := &blobCounter{got: map[string]int{}}
	host := regtest.GGCRWith(t, c.wrap)
	ref := host + "/e2e/cached:v1"
	img := smallImage(t, "etc/motd", "kept in the verified cache\n")
	regtest.Push(t, ref, img)
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	layer, err := layers[0].Digest()
	if err != nil {
		t.Fatal(err)
	}
	size, err := layers[0].Size()
	if err != nil {
		t.Fatal(err)
	}
	c.take()
	s := startServerT(t, "--insecure-registry", host)
	open := func() *tab {
		tb := newTab(t)
		tb.navigate(pageURL(s, "image", ref, "path", "/etc/motd"))
		tb.waitStatus(pullWait, "verified")
		if got := tb.viewerText("/etc/motd"); got != "kept in the verified cache\n" {
			t.Errorf("viewer shows %q", got)
		}
		return tb
	}

	open()
	if got := c.take(); got[layer.String()] != 1 || len(got) != 2 {
		t.Fatalf("first open fetched blobs %v; want the config and layer %s once each", got, layer)
	}
	tb := open()
	if got := c.take(); len(got) != 0 {
		t.Errorf("second open fetched blobs %v; want none (all from the cache)", got)
	}
	tb.waitAttr(10*time.Second, "#cache-usage", "data-entries", "3") // the config, the layer and its index (the manifest was asked for by tag)

	quoted, _ := json.Marshal(s.url + "/.regscope-cache/" + host + "/" + layer.String())
	// A body of the right size but the wrong bytes: only its digest can tell.
	eval[bool](tb, fmt.Sprintf(`(async () => {
  const c = await caches.open("regscope-verified");
  await c.put(%s, new Response(new Uint8Array(%d).fill(120)));
  return true;
})()`, quoted, size))
	tb = open()
	if got := c.take(); got[layer.String()] != 1 || len(got) != 1 {
		t.Errorf("after tampering, the open fetched blobs %v; want layer %s once (its index is used, its blob read again for /etc/motd)", got, layer)
	}
	tb.waitAttr(10*time.Second, "#cache-usage", "data-dropped", "1")
	bytes, err := strconv.ParseInt(tb.attr("#cache-usage", "data-bytes"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	// The layer is kept again, verified: three entries still.
	want := fmt.Sprintf("3 entries, %.1f MB of 2147.5 MB; tampered entries dropped: 1", float64(bytes)/1e6)
	if got := tb.text("#cache-usage"); got != want {
		t.Errorf("#cache-usage = %q, want %q", got, want)
	}
	if got, want := tb.text("#cache-note"), "cache entry "+layer.String()+" failed verification and was dropped"; got != want {
		t.Errorf("#cache-note = %q, want %q", got, want)
	}

	tb = newTab(t) // the start screen, where the cache's usage is shown
	tb.navigate(s.url + "/")
	tb.waitAttr(10*time.Second, "#cache-usage", "data-entries", "3")
	tb.click("#cache-clear")
	tb.waitAttr(10*time.Second, "#cache-usage", "data-entries", "0")
	if got := tb.attr("#cache-usage", "data-bytes"); got != "0" {
		t.Errorf("after Clear cache, data-bytes = %q", got)
	}
	n := eval[float64](tb, `(async () => (await (await caches.open("regscope-verified")).keys()).length)()`)
	if n != 1 { // only the (empty) index is left
		t.Errorf("after Clear cache, Cache Storage holds %v keys; want the index alone", n)
	}
}
