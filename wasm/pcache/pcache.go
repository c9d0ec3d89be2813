// Package pcache is the page's verified cache: an http.RoundTripper in front
// of the engine's registry transport that keeps blobs and manifests by
// digest, so opening an image again (or another image sharing layers) reads
// them from the browser instead of the registry.
//
// Only a GET for /v2/<name>/blobs/<digest> or /v2/<name>/manifests/<digest>
// (without a Range) is cached. A miss is fetched and its body copied into a
// pending entry, which is committed only when the whole body was read and
// its digest matches the one in the URL: a partial or wrong body is never
// kept. A hit is served from the Store as it is, not hashed here: the
// pipeline verifies every digest it reads (so each cached byte is hashed
// once), and asks again with Cache-Control: no-cache when one fails. Such a
// request skips the cache and drops its entry (reported through Dropped),
// so a tampered entry is caught, removed and fetched again. The cache keeps at most Budget bytes, evicting
// the least recently used entries.
package pcache

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/regscope/regscope/wasm/msg"
)

// DefaultBudget is the most the cache keeps when no budget is given.
const DefaultBudget = 2 << 30

// MaxEntry is the largest body kept: a body is held in JavaScript memory
// until it is verified and committed, so a bigger one is fetched without
// being kept.
const MaxEntry = 512 << 20

// Store keeps entries by key ("<registry host>/<digest>": a blob is reused
// for any image of the registry that served it, never from another
// registry) and the cache's index. The page's Store is the browser's Cache Storage.
type Store interface {
	// Get returns the body and headers kept under key, ok=false when none.
	Get(key string) (body io.ReadCloser, h http.Header, ok bool, err error)
	// Create starts a pending entry; nothing is kept until Commit.
	Create() Pending
	Delete(key string) error
	// Keys lists the keys of every kept entry.
	Keys() ([]string, error)
	// LoadIndex and SaveIndex keep the index (sizes and last use) beside
	// the entries; LoadIndex returns nil when there is none.
	LoadIndex() ([]byte, error)
	SaveIndex([]byte) error
}

// Pending is an entry being written.
type Pending interface {
	io.Writer
	// Commit keeps what was written under key with headers h.
	Commit(key string, h http.Header) error
	// Abort discards what was written.
	Abort()
}

// entry is one kept entry in the index.
type entry struct {
	Size int64 `json:"size"`
	Used int64 `json:"used"` // last kept or read, Unix milliseconds
}

// Transport is the caching RoundTripper. Its methods are safe for
// concurrent use.
type Transport struct {
	Next   http.RoundTripper // the registry transport
	Store  Store
	Budget int64 // bytes; 0 = DefaultBudget
	// OnDrop is told, once per entry, that a kept entry failed verification
	// and was removed; the engine shows it as a progress note.
	OnDrop func(note string)
	// MAC seals the entries kept under a name rather than a digest
	// (sealed.go); nil keeps none.
	MAC MAC

	mu      sync.Mutex
	index   map[string]entry // nil until loaded
	dropped int
	note    string // the last drop, said as OnDrop was told
	last    int64  // the latest entry.Used given out
}

// tick returns a last-use time later than any given before, so that the
// order of uses is kept even within one millisecond; t.mu is held.
func (t *Transport) tick() int64 {
	t.last = max(time.Now().UnixMilli(), t.last+1)
	return t.last
}

// keptHeaders are the response headers an entry keeps.
var keptHeaders = []string{"Content-Type", "Docker-Content-Digest"}

// DigestOf returns the digest a cacheable request names, ok=false for
// any other request.
func DigestOf(req *http.Request) (string, bool) {
	if req.Method != http.MethodGet || req.Header.Get("Range") != "" {
		return "", false
	}
	p := req.URL.Path
	i := strings.LastIndexByte(p, '/')
	if i < 0 || !strings.HasPrefix(p, "/v2/") {
		return "", false
	}
	d, dir := p[i+1:], p[:i]
	if !strings.HasSuffix(dir, "/blobs") && !strings.HasSuffix(dir, "/manifests") {
		return "", false
	}
	hexPart, ok := strings.CutPrefix(d, "sha256:")
	if !ok || len(hexPart) != sha256.Size*2 || strings.ToLower(hexPart) != hexPart {
		return "", false
	}
	if _, err := hex.DecodeString(hexPart); err != nil {
		return "", false
	}
	return d, true
}

// maxEntry is the largest body t keeps.
func (t *Transport) maxEntry() int64 { return min(t.budget(), MaxEntry) }

func (t *Transport) budget() int64 {
	if t.Budget > 0 {
		return t.Budget
	}
	return DefaultBudget
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	d, ok := DigestOf(req)
	if !ok {
		return t.Next.RoundTrip(req)
	}
	k := key{strings.ToLower(req.URL.Host) + "/" + d, d}
	if strings.Contains(strings.ToLower(req.Header.Get("Cache-Control")), "no-cache") {
		t.drop(k)
		return t.fill(req, k)
	}
	if resp := t.hit(req, k); resp != nil {
		return resp, nil
	}
	return t.fill(req, k)
}

// key names an entry: its Store key and the digest its body must have.
type key struct{ name, digest string }

// hit answers req from the cache, or returns nil.
func (t *Transport) hit(req *http.Request, k key) *http.Response {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.load()
	e, ok := t.index[k.name]
	if !ok {
		return nil
	}
	body, h, ok, err := t.Store.Get(k.name)
	if err != nil || !ok {
		delete(t.index, k.name)
		t.save()
		return nil
	}
	e.Used = t.tick()
	t.index[k.name] = e
	t.save()
	return &http.Response{
		Status: "200 OK", StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: body, // verified by the pipeline as it reads it, once
		ContentLength: e.Size, Request: req,
	}
}

// fill fetches req and tees a 200's body into a pending entry for k.
func (t *Transport) fill(req *http.Request, k key) (*http.Response, error) {
	resp, err := t.Next.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusOK || resp.ContentLength > t.maxEntry() {
		return resp, err
	}
	h := http.Header{}
	for _, k := range keptHeaders {
		if v := resp.Header.Get(k); v != "" {
			h.Set(k, v)
		}
	}
	resp.Body = &tee{ReadCloser: resp.Body, p: t.Store.Create(), h: sha256.New(), k: k, hdr: h, t: t}
	return resp, nil
}

// drop removes k's entry, reporting it as having failed verification.
func (t *Transport) drop(k key) {
	t.dropWith(k, fmt.Sprintf("cache entry %s failed verification and was dropped", k.digest))
}

// dropWith removes k's entry, reporting note when there was one.
func (t *Transport) dropWith(k key, note string) {
	t.mu.Lock()
	t.load()
	_, had := t.index[k.name]
	if had {
		delete(t.index, k.name)
		t.save()
		t.dropped++
		t.note = note
	}
	t.mu.Unlock()
	if !had {
		return
	}
	t.Store.Delete(k.name) //nolint:errcheck // a later hit on a missing entry is a miss
	if t.OnDrop != nil {
		t.OnDrop(note)
	}
}

// commit keeps p under k and evicts the least recently used entries
// until the cache is within its budget.
func (t *Transport) commit(p Pending, k key, h http.Header, size int64) {
	if size > t.maxEntry() || p.Commit(k.name, h) != nil {
		p.Abort()
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.load()
	t.index[k.name] = entry{Size: size, Used: t.tick()}
	var total int64
	keys := make([]string, 0, len(t.index))
	for k, e := range t.index {
		total += e.Size
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return cmp.Compare(t.index[a].Used, t.index[b].Used) })
	for _, k := range keys {
		if total <= t.budget() {
			break
		}
		total -= t.index[k].Size
		delete(t.index, k)
		t.Store.Delete(k) //nolint:errcheck // an entry left behind is dropped by load
	}
	t.save()
}

// Usage reports the cache's contents, after clearing it when clear is set.
func (t *Transport) Usage(clear bool) (msg.CacheResult, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.load()
	if clear {
		keys, err := t.Store.Keys()
		if err != nil {
			return msg.CacheResult{}, err
		}
		for _, k := range keys {
			if err := t.Store.Delete(k); err != nil {
				return msg.CacheResult{}, err
			}
		}
		t.index = map[string]entry{}
		t.save()
	}
	r := msg.CacheResult{Entries: len(t.index), Budget: t.budget(), Dropped: t.dropped, Note: t.note}
	for _, e := range t.index {
		r.Bytes += e.Size
	}
	return r, nil
}

// load reads the index once, keeping only entries the Store still has;
// t.mu is held.
func (t *Transport) load() {
	if t.index != nil {
		return
	}
	t.index = map[string]entry{}
	b, err := t.Store.LoadIndex()
	if err != nil || b == nil {
		return
	}
	var saved map[string]entry
	if json.Unmarshal(b, &saved) != nil {
		return
	}
	keys, err := t.Store.Keys()
	if err != nil {
		return
	}
	for _, k := range keys {
		if e, ok := saved[k]; ok {
			t.index[k] = e
			t.last = max(t.last, e.Used)
		}
	}
}

// save writes the index; t.mu is held.
func (t *Transport) save() {
	if b, err := json.Marshal(t.index); err == nil {
		t.Store.SaveIndex(b) //nolint:errcheck // a lost index only forgets entries
	}
}
