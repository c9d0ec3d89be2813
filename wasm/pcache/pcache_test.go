package pcache

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
)

// memStore is a Store in memory, as the page's Cache Storage behaves.
type memStore struct {
	mu    sync.Mutex
	kept  map[string][]byte
	index []byte
}

func (s *memStore) Get(key string) (io.ReadCloser, http.Header, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.kept[key]
	return io.NopCloser(bytes.NewReader(b)), http.Header{}, ok, nil
}
func (s *memStore) Create() Pending { return &memPending{s: s} }
func (s *memStore) Delete(key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.kept, key)
	return nil
}
func (s *memStore) Keys() ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var keys []string
	for k := range s.kept {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys, nil
}
func (s *memStore) LoadIndex() ([]byte, error) { return s.index, nil }
func (s *memStore) SaveIndex(b []byte) error   { s.index = b; return nil }

type memPending struct {
	s   *memStore
	buf bytes.Buffer
}

func (p *memPending) Write(b []byte) (int, error) { return p.buf.Write(b) }
func (p *memPending) Commit(key string, _ http.Header) error {
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	p.s.kept[key] = p.buf.Bytes()
	return nil
}
func (p *memPending) Abort() {}

func digestOf(b string) string {
	s := sha256.Sum256([]byte(b))
	return "sha256:" + hex.EncodeToString(s[:])
}

// registry serves blobs by digest (a wrong body for the digests in lie)
// and counts the GETs.
type registry struct {
	blobs map[string]string
	gets  int
}

func (r *registry) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.gets++
	d := req.URL.Path[strings.LastIndexByte(req.URL.Path, '/')+1:]
	io.WriteString(w, r.blobs[d])
}

func setup(t *testing.T, blobs ...string) (*Transport, *memStore, *registry, *httptest.Server) {
	reg := &registry{blobs: map[string]string{}}
	for _, b := range blobs {
		reg.blobs[digestOf(b)] = b
	}
	srv := httptest.NewServer(reg)
	t.Cleanup(srv.Close)
	st := &memStore{kept: map[string][]byte{}}
	return &Transport{Next: http.DefaultTransport, Store: st}, st, reg, srv
}

func get(t *testing.T, c *Transport, u string, header ...string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestKeptOnlyWhenWholeAndVerified(t *testing.T) {
	c, st, reg, srv := setup(t, "layer one")
	d := digestOf("layer one")
	u := srv.URL + "/v2/x/blobs/" + d

	// Closed before its end: not kept.
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	resp, err := c.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Read(make([]byte, 3))
	resp.Body.Close()
	if len(st.kept) != 0 {
		t.Fatalf("a partly read body was kept: %v", st.kept)
	}

	// Read to its last byte but closed before EOF: kept, its digest matches.
	resp, err = c.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(resp.Body, make([]byte, len("layer one"))); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(st.kept) != 1 {
		t.Fatalf("a whole body closed before EOF was not kept: %v", st.kept)
	}
	c.Usage(true)

	// A body whose digest is not the URL's: not kept.
	reg.blobs[d] = "not layer one"
	get(t, c, u)
	if len(st.kept) != 0 {
		t.Fatalf("a body with the wrong digest was kept: %v", st.kept)
	}

	reg.blobs[d] = "layer one"
	get(t, c, u)
	if got := get(t, c, u); got != "layer one" || reg.gets != 4 {
		t.Fatalf("second read = %q after %d registry GETs; want it from the cache after 4", got, reg.gets)
	}
	if u, _ := c.Usage(false); u.Entries != 1 || u.Bytes != 9 || u.Dropped != 0 {
		t.Errorf("usage = %+v", u)
	}
}

func TestTamperedEntryDropped(t *testing.T) {
	c, st, reg, srv := setup(t, "config")
	d := digestOf("config")
	u := srv.URL + "/v2/x/blobs/" + d
	get(t, c, u)
	var notes []string
	c.OnDrop = func(n string) { notes = append(notes, n) }
	for k := range st.kept {
		st.kept[k] = []byte("CONFIG")
	}
	if got := get(t, c, u); got != "CONFIG" || len(notes) != 0 { // the pipeline's check fails on it …
		t.Fatalf("read %q, notes %q", got, notes)
	}
	// … and asks again past the cache, which drops the entry, fetches and keeps it anew.
	if got := get(t, c, u, "Cache-Control", "no-cache"); got != "config" || reg.gets != 2 {
		t.Fatalf("no-cache read %q after %d GETs", got, reg.gets)
	}
	want := []string{"cache entry " + d + " failed verification and was dropped"}
	if !slices.Equal(notes, want) || string(st.kept[strings.TrimPrefix(srv.URL, "http://")+"/"+d]) != "config" {
		t.Fatalf("notes %q, kept %q; want %q and the registry's body kept", notes, st.kept, want)
	}
	if u, _ := c.Usage(false); u.Entries != 1 || u.Dropped != 1 || u.Note != want[0] {
		t.Errorf("usage = %+v", u)
	}
	if u, _ := c.Usage(true); u.Entries != 0 || u.Bytes != 0 || len(st.kept) != 0 {
		t.Errorf("after clearing, usage = %+v, kept %v", u, st.kept)
	}
}

func TestLeastRecentlyUsedEvicted(t *testing.T) {
	c, st, _, srv := setup(t, "aaaa", "bbbb", "cccc")
	c.Budget = 8
	a, b, cc := srv.URL+"/v2/x/blobs/"+digestOf("aaaa"), srv.URL+"/v2/x/blobs/"+digestOf("bbbb"), srv.URL+"/v2/x/manifests/"+digestOf("cccc")
	get(t, c, a)
	get(t, c, b)
	get(t, c, a) // a is now the most recently used
	get(t, c, cc)
	keys, _ := st.Keys()
	host := strings.TrimPrefix(srv.URL, "http://")
	want := []string{host + "/" + digestOf("aaaa"), host + "/" + digestOf("cccc")}
	slices.Sort(want)
	if !slices.Equal(keys, want) {
		t.Errorf("kept %q; want %q", keys, want)
	}
}

func TestDigestOf(t *testing.T) {
	d := digestOf("x")
	for _, c := range []struct {
		method, path, rng string
		ok                bool
	}{
		{"GET", "/v2/a/b/blobs/" + d, "", true},
		{"GET", "/v2/a/manifests/" + d, "", true},
		{"GET", "/v2/a/manifests/latest", "", false},
		{"HEAD", "/v2/a/blobs/" + d, "", false},
		{"GET", "/v2/a/blobs/" + d, "bytes=3-", false},
		{"GET", "/v2/a/tags/" + d, "", false},
		{"GET", "/v2/a/blobs/sha256:" + strings.ToUpper(d[7:]), "", false},
	} {
		req, _ := http.NewRequest(c.method, "http://r"+c.path, nil)
		if c.rng != "" {
			req.Header.Set("Range", c.rng)
		}
		if _, ok := DigestOf(req); ok != c.ok {
			t.Errorf("%s %s (Range %q): cacheable %v, want %v", c.method, c.path, c.rng, ok, c.ok)
		}
	}
}
