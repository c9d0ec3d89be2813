//go:build !js

package relay

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// upstream is a real in-process registry (go-containerregistry) on loopback,
// optionally fronted by a hook that injects redirects, challenges or stalls.
type upstream struct {
	srv  *httptest.Server
	hp   string // 127.0.0.1:port
	mu   sync.Mutex
	seen []*http.Request
}

func newUpstream(t *testing.T, hook func(w http.ResponseWriter, r *http.Request) bool) *upstream {
	t.Helper()
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	u := &upstream{}
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.mu.Lock()
		u.seen = append(u.seen, r.Clone(context.Background()))
		u.mu.Unlock()
		if hook != nil && hook(w, r) {
			return
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(u.srv.Close)
	u.hp = strings.TrimPrefix(u.srv.URL, "http://")
	return u
}

func (u *upstream) requests() []*http.Request {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]*http.Request(nil), u.seen...)
}

// push writes a random image and returns its manifest digest and first layer digest.
func (u *upstream) push(t *testing.T, repo string) (manifest, layer string, layerBytes []byte) {
	t.Helper()
	img, err := random.Image(64<<10, 2)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.ParseReference(u.hp+"/"+repo+":latest", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	d, _ := img.Digest()
	ls, _ := img.Layers()
	ld, _ := ls[0].Digest()
	rc, _ := ls[0].Compressed()
	b, _ := io.ReadAll(rc)
	return d.String(), ld.String(), b
}

type result struct {
	status int
	header http.Header
	body   []byte
	err    string // the JSON error, if any
}

// do sends a raw request line to h exactly as a server would parse it.
func do(t *testing.T, h http.Handler, method, requestURI string, hdr http.Header) result {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: relay.test\r\n", method, requestURI)
	for k, vv := range hdr {
		for _, v := range vv {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	b.WriteString("\r\n")
	req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(b.String())))
	if err != nil {
		t.Fatalf("request %q: %v", requestURI, err)
	}
	req.RemoteAddr = "192.0.2.1:1234"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := result{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
	if strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		var e struct{ Error string }
		if json.Unmarshal(res.body, &e) == nil {
			res.err = e.Error
		}
	}
	return res
}

func newRelay(t *testing.T, o Options) *Relay {
	t.Helper()
	r, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.CloseIdleConnections)
	return r
}

func TestRelayPullsManifestAndBlob(t *testing.T) {
	up := newUpstream(t, nil)
	mdig, ldig, lbytes := up.push(t, "demo/app")
	r := newRelay(t, Options{Insecure: []string{up.hp}})

	accept := http.Header{"Accept": {"application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json"}}
	res := do(t, r, "GET", "/relay/"+up.hp+"/v2/demo/app/manifests/latest", accept)
	if res.status != 200 || res.header.Get("Docker-Content-Digest") != mdig {
		t.Fatalf("manifest: %d %q %s", res.status, res.header.Get("Docker-Content-Digest"), res.body)
	}
	for _, k := range []string{"Access-Control-Allow-Origin", "Access-Control-Expose-Headers", RefusalHeader} {
		if got := res.header.Get(k); got != "" {
			t.Errorf("%s = %q on a relayed answer; want none (CORS is the Gate's, for named origins only)", k, got)
		}
	}
	res = do(t, r, "GET", "/relay/"+up.hp+"/v2/demo/app/blobs/"+ldig, nil)
	if res.status != 200 || !bytes.Equal(res.body, lbytes) {
		t.Fatalf("blob: %d, %d bytes, want %d", res.status, len(res.body), len(lbytes))
	}
	res = do(t, r, "HEAD", "/relay/"+up.hp+"/v2/demo/app/blobs/"+ldig, nil)
	if res.status != 200 || res.header.Get("Content-Length") != fmt.Sprint(len(lbytes)) || len(res.body) != 0 {
		t.Fatalf("HEAD blob: %d, Content-Length %q, %d body bytes", res.status, res.header.Get("Content-Length"), len(res.body))
	}
}

// TestRelayOptions: the relay itself sends no CORS headers; OPTIONS is
// answered with the methods it serves.
func TestRelayOptions(t *testing.T) {
	r := newRelay(t, Options{})
	res := do(t, r, "OPTIONS", "/relay/registry.example/v2/", http.Header{"Access-Control-Request-Headers": {"authorization"}})
	if res.status != http.StatusNoContent || res.header.Get("Allow") != "GET, HEAD, OPTIONS" {
		t.Fatalf("OPTIONS: %d, Allow %q", res.status, res.header.Get("Allow"))
	}
	if got := res.header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("Access-Control-Allow-Origin = %q; want none", got)
	}
}

// mapResolver answers from a table, counting lookups; answers[i] is used for
// the i-th lookup of a name (the last repeats), and may list several
// addresses separated by commas.
type mapResolver struct {
	mu      sync.Mutex
	answers map[string][]string
	calls   map[string]int
}

func (m *mapResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.calls == nil {
		m.calls = map[string]int{}
	}
	a, ok := m.answers[host]
	if !ok {
		return nil, fmt.Errorf("lookup %s: no such host", host)
	}
	i := min(m.calls[host], len(a)-1)
	m.calls[host]++
	var out []netip.Addr
	for _, ip := range strings.Split(a[i], ",") {
		out = append(out, netip.MustParseAddr(ip))
	}
	return out, nil
}

func TestRelayRefusals(t *testing.T) {
	up := newUpstream(t, nil)
	port := up.hp[strings.LastIndexByte(up.hp, ':')+1:]
	res := &mapResolver{answers: map[string][]string{
		"loopback.example": {"127.0.0.1"},
		"private.example":  {"10.0.0.7"},
		"metadata.example": {"169.254.169.254"},
		"mapped.example":   {"::ffff:127.0.0.1"},
		"ula.example":      {"fd00::1"},
		// names an attacker controls that answer with internal addresses
		"metadata.google.internal": {"169.254.169.254"},
		"127.0.0.1.nip.example":    {"127.0.0.1"},
		"cgnat.example":            {"100.64.0.1"},
		"zero.example":             {"0.0.0.0"},
		"v6loopback.example":       {"::1"},
		"linklocal6.example":       {"fe80::1"},
		"nat64.example":            {"64:ff9b::7f00:1"},
		"sixtofour.example":        {"2002:7f00:1::1"},
		"mixed.example":            {"93.184.216.34,10.0.0.1"}, // one bad answer among good ones
		"mixed6.example":           {"2606:4700::1111,::ffff:192.168.0.1"},
		"internal.example":         {"192.168.1.10"},
	}}
	r := newRelay(t, Options{Resolver: res})
	for _, tc := range []struct {
		method, uri string
		status      int
		mention     string // the error must name this
	}{
		{"GET", "/relay/" + up.hp + "/v2/", 403, up.hp},
		{"GET", "/relay/localhost:" + port + "/v2/", 403, "localhost:" + port},
		{"GET", "/relay/app.localhost:" + port + "/v2/", 403, "app.localhost"},
		{"GET", "/relay/loopback.example:" + port + "/v2/", 403, "loopback.example:" + port},
		{"GET", "/relay/private.example/v2/", 403, "private"},
		{"GET", "/relay/metadata.example/v2/", 403, "169.254.169.254"},
		{"GET", "/relay/169.254.169.254/v2/", 403, "link-local"},
		{"GET", "/relay/mapped.example/v2/", 403, "loopback"},
		{"GET", "/relay/ula.example/v2/", 403, "unique-local"},
		{"GET", "/relay/[::1]:" + port + "/v2/", 403, "loopback"},
		{"GET", "/relay/[::ffff:127.0.0.1]:" + port + "/v2/", 403, "loopback"},
		{"GET", "/relay/[::ffff:7f00:1]:" + port + "/v2/", 403, "loopback"},
		{"GET", "/relay/[::]:" + port + "/v2/", 403, "unspecified"},
		{"GET", "/relay/0.0.0.0:" + port + "/v2/", 403, "unspecified"},
		{"GET", "/relay/[::]/v2/", 403, "unspecified"},
		{"GET", "/relay/[fe80::1%25eth0]/v2/", 403, "percent-encoding"},
		{"GET", "/relay/[fe80::1]/v2/", 403, "link-local IPv6"},
		{"GET", "/relay/[fc00::1]/v2/", 403, "unique-local"},
		{"GET", "/relay/[fd12:3456::1]:5000/v2/", 403, "unique-local"},
		{"GET", "/relay/[::ffff:10.0.0.1]/v2/", 403, "private"},
		{"GET", "/relay/[::ffff:169.254.169.254]/v2/", 403, "link-local"},
		{"GET", "/relay/[::127.0.0.1]/v2/", 403, "IPv4-compatible"},
		{"GET", "/relay/[64:ff9b::7f00:1]/v2/", 403, "loopback address (NAT64 form)"},
		{"GET", "/relay/[64:ff9b::a9fe:a9fe]/v2/", 403, "link-local address (incl. cloud metadata) (NAT64 form)"},
		{"GET", "/relay/[64:ff9b:1::a00:1]/v2/", 403, "local-use NAT64"},
		{"GET", "/relay/[2002:7f00:1::]/v2/", 403, "loopback address (6to4 form)"},
		{"GET", "/relay/[2002:a00:1::1]/v2/", 403, "private (RFC 1918) address (6to4 form)"},
		{"GET", "/relay/[2001::1]/v2/", 403, "Teredo"},
		{"GET", "/relay/[::ffff:0:7f00:1]/v2/", 403, "not a global unicast"},
		{"GET", "/relay/[ff02::1]/v2/", 403, "multicast"},
		{"GET", "/relay/0.0.0.0/v2/", 403, "unspecified"},
		{"GET", "/relay/100.64.0.1/v2/", 403, "carrier-grade NAT"},
		{"GET", "/relay/192.168.0.1/v2/", 403, "private"},
		{"GET", "/relay/172.16.0.1/v2/", 403, "private"},
		{"GET", "/relay/255.255.255.255/v2/", 403, "broadcast"},
		{"GET", "/relay/metadata.google.internal/computeMetadata/v1/", 403, "neither a registry API path"},
		{"GET", "/relay/metadata.google.internal/v2/", 403, "169.254.169.254"},
		{"GET", "/relay/127.0.0.1.nip.example:" + port + "/v2/", 403, "loopback"},
		{"GET", "/relay/cgnat.example/v2/", 403, "carrier-grade NAT"},
		{"GET", "/relay/zero.example:" + port + "/v2/", 403, "unspecified"},
		{"GET", "/relay/v6loopback.example:" + port + "/v2/", 403, "loopback"},
		{"GET", "/relay/linklocal6.example/v2/", 403, "link-local IPv6"},
		{"GET", "/relay/nat64.example/v2/", 403, "NAT64 form"},
		{"GET", "/relay/sixtofour.example/v2/", 403, "6to4 form"},
		{"GET", "/relay/mixed.example/v2/", 403, "10.0.0.1"},
		{"GET", "/relay/mixed6.example/v2/", 403, "192.168.0.1"},
		{"GET", "/relay/internal.example/v2/", 403, "private"},
		{"GET", "/relay/LOCALHOST:" + port + "/v2/", 403, "localhost name"},
		{"GET", "/relay/localhost./v2/", 403, "empty DNS label"},
		{"GET", "/relay/2130706433:" + port + "/v2/", 403, "numeric"},
		{"GET", "/relay/0x7f000001/v2/", 403, "numeric"},
		{"GET", "/relay/127.1/v2/", 403, "numeric"},
		{"GET", "/relay/0177.0.0.1/v2/", 403, "numeric"},
		{"GET", "/relay/0177.0.0.1:" + port + "/v2/", 403, "numeric"},
		{"GET", "/relay/0x7f.1:" + port + "/v2/", 403, "numeric"},
		{"GET", "/relay/evil@127.0.0.1:" + port + "/v2/", 403, "userinfo"},
		{"GET", "/relay/registry.example@127.0.0.1:" + port + "/v2/", 403, "userinfo"},
		{"GET", "/relay/user:pw@registry.example/v2/", 403, "userinfo"},
		{"GET", "/relay/evil%40127.0.0.1/v2/", 403, "percent-encoding"},
		{"GET", "/relay/registry.example/v2/%2e%2e/%2e%2e/admin", 403, "percent"},
		{"GET", "/relay/registry.example/v2/a%2fb/manifests/x", 403, "percent"},
		{"GET", "/relay/registry.example/v2/a%2Fb/manifests/x", 403, "percent"},
		{"GET", "/relay/registry.example/v2/%252e%252e/x", 403, "percent"},
		{"GET", "/relay/registry.example%2f127.0.0.1/v2/", 403, "percent"},
		{"GET", "/relay/registry.example/v2/./x", 403, "dot segments"},
		{"GET", "/relay/registry.example/v2//x", 403, "empty path segments"},
		{"GET", `/relay/registry.example/v2/a\..\x`, 403, "not allowed"},
		{"GET", "/relay/registry.example/v2/../../admin", 403, "dot segments"},
		{"GET", "/relay/registry.example/v2/x%0d%0aX-Injected:1", 403, "percent"},
		{"GET", "/relay/registry.example/v2/?a=%0d%0aX-Injected:1", 403, "control"},
		{"GET", "/relay/registry.example/v2/x%0aY", 403, "percent"},
		{"GET", "/relay/registry.example/v2/?a=%0AX", 403, "control"},
		{"GET", "/relay/registry.example/v2/?a=%00", 403, "control"},
		{"GET", "/relay/registry.example/admin", 403, "neither a registry API path"},
		{"GET", "/relay/registry.example/", 403, "neither a registry API path"},
		{"GET", "/relay/registry.example:0/v2/", 403, "port"},
		{"GET", "/relay/registry.example:99999/v2/", 403, "port"},
		{"POST", "/relay/" + up.hp + "/v2/demo/blobs/uploads/", 405, "POST"},
		{"PUT", "/relay/registry.example/v2/demo/manifests/latest", 405, "PUT"},
		{"DELETE", "/relay/registry.example/v2/demo/manifests/latest", 405, "DELETE"},
		{"PATCH", "/relay/registry.example/v2/", 405, "PATCH"},
		{"GET", "/other/registry.example/v2/", 404, "not a relay URL"},
	} {
		got := do(t, r, tc.method, tc.uri, nil)
		if got.status != tc.status || !strings.Contains(got.err, tc.mention) {
			t.Errorf("%s %s = %d %q; want %d naming %q", tc.method, tc.uri, got.status, got.err, tc.status, tc.mention)
		}
		if got.header.Get(RefusalHeader) != "1" {
			t.Errorf("%s %s: refusal without %s: 1", tc.method, tc.uri, RefusalHeader)
		}
	}
	if n := len(up.requests()); n != 0 {
		t.Errorf("the loopback registry saw %d requests; want none", n)
	}
}

// TestRelayDNSRebinding answers a public address to the early check and
// loopback to the dial: the dial-time check must still refuse.
func TestRelayDNSRebinding(t *testing.T) {
	up := newUpstream(t, nil)
	port := up.hp[strings.LastIndexByte(up.hp, ':')+1:]
	res := &mapResolver{answers: map[string][]string{"rebind.example": {"93.184.216.34", "127.0.0.1"}}}
	r := newRelay(t, Options{Resolver: res})
	got := do(t, r, "GET", "/relay/rebind.example:"+port+"/v2/", nil)
	if got.status != 403 || !strings.Contains(got.err, "loopback") || !strings.Contains(got.err, "rebind.example:"+port) {
		t.Fatalf("rebinding: %d %q; want 403 naming the host and loopback", got.status, got.err)
	}
	if res.calls["rebind.example"] < 2 {
		t.Fatalf("resolver called %d times; the dial must resolve again", res.calls["rebind.example"])
	}
	if n := len(up.requests()); n != 0 {
		t.Errorf("the loopback registry saw %d requests", n)
	}
}

// TestDialControlRefusesBlockedAddress shows the socket-level hook on its
// own: whatever resolution said, connecting to a blocked IP is refused.
func TestDialControlRefusesBlockedAddress(t *testing.T) {
	up := newUpstream(t, nil)
	d := newDialer(&mapResolver{}, func(string) bool { return false }, time.Second)
	_, err := d.net.DialContext(context.Background(), "tcp", up.hp)
	var be *BlockedError
	if err == nil || !asBlocked(err, &be) || be.IP.String() != "127.0.0.1" {
		t.Fatalf("dial %s: %v; want a *BlockedError for 127.0.0.1", up.hp, err)
	}
	allowed := newDialer(&mapResolver{}, func(hp string) bool { return hp == up.hp }, time.Second)
	c, err := allowed.DialContext(context.Background(), "tcp", up.hp)
	if err != nil {
		t.Fatalf("dial allowed %s: %v", up.hp, err)
	}
	c.Close()
}

func TestRelayRedirects(t *testing.T) {
	other := newUpstream(t, nil) // loopback, not allowed
	var storageAuth atomic.Value
	storage := newUpstream(t, func(w http.ResponseWriter, r *http.Request) bool {
		storageAuth.Store(r.Header.Get("Authorization"))
		w.Write([]byte("blob-bytes"))
		return true
	})
	var up *upstream
	up = newUpstream(t, func(w http.ResponseWriter, r *http.Request) bool {
		switch r.URL.Path {
		case "/v2/r/blobs/storage":
			http.Redirect(w, r, "http://"+storage.hp+"/bucket/obj?sig=1", http.StatusTemporaryRedirect)
		case "/v2/r/blobs/relative":
			http.Redirect(w, r, "/v2/r/blobs/storage", http.StatusFound)
		case "/v2/r/blobs/loopback":
			http.Redirect(w, r, "http://"+other.hp+"/v2/", http.StatusTemporaryRedirect)
		case "/v2/r/blobs/https-loopback":
			http.Redirect(w, r, "https://"+other.hp+"/v2/", http.StatusTemporaryRedirect)
		case "/v2/r/blobs/file":
			w.Header().Set("Location", "file:///etc/passwd")
			w.WriteHeader(http.StatusFound)
		case "/v2/r/blobs/gopher":
			w.Header().Set("Location", "gopher://"+other.hp+"/_x")
			w.WriteHeader(http.StatusFound)
		case "/v2/r/blobs/userinfo":
			w.Header().Set("Location", "http://user@"+storage.hp+"/x")
			w.WriteHeader(http.StatusFound)
		case "/v2/r/blobs/numeric":
			w.Header().Set("Location", "https://2130706433/x")
			w.WriteHeader(http.StatusFound)
		case "/v2/r/blobs/loop":
			http.Redirect(w, r, "/v2/r/blobs/loop", http.StatusFound)
		default:
			return false
		}
		return true
	})
	r := newRelay(t, Options{Insecure: []string{up.hp, storage.hp}})
	auth := http.Header{"Authorization": {"Bearer s3cret"}}

	for _, path := range []string{"storage", "relative"} {
		storageAuth.Store("unset")
		got := do(t, r, "GET", "/relay/"+up.hp+"/v2/r/blobs/"+path, auth)
		if got.status != 200 || string(got.body) != "blob-bytes" {
			t.Fatalf("redirect %s: %d %q", path, got.status, got.body)
		}
		if a := storageAuth.Load(); a != "" {
			t.Errorf("redirect %s: Authorization %q reached another host", path, a)
		}
	}
	for _, tc := range []struct {
		path    string
		status  int
		mention string
	}{
		{"loopback", 403, "plain http"},
		{"https-loopback", 403, other.hp},
		{"file", 403, "scheme file"},
		{"gopher", 403, "scheme gopher"},
		{"userinfo", 403, "userinfo"},
		{"numeric", 403, "numeric"},
		{"loop", 502, "too many redirects"},
	} {
		got := do(t, r, "GET", "/relay/"+up.hp+"/v2/r/blobs/"+tc.path, auth)
		if got.status != tc.status || !strings.Contains(got.err, tc.mention) {
			t.Errorf("redirect %s: %d %q; want %d naming %q", tc.path, got.status, got.err, tc.status, tc.mention)
		}
	}
	if n := len(other.requests()); n != 0 {
		t.Errorf("the disallowed loopback host saw %d requests", n)
	}
	loops := 0
	for _, q := range up.requests() {
		if q.URL.Path == "/v2/r/blobs/loop" {
			loops++
		}
	}
	if loops != 6 {
		t.Errorf("redirect loop: upstream asked %d times; want 6 (the request and 5 hops)", loops)
	}
}

func TestRelayRealms(t *testing.T) {
	var tokenAuth atomic.Value
	longRealm := strings.Repeat("x", 1100)
	var up *upstream
	up = newUpstream(t, func(w http.ResponseWriter, r *http.Request) bool {
		switch r.URL.Path {
		case "/v2/":
			w.Header().Add("WWW-Authenticate", `Bearer realm="http://`+up.hp+`/token",service="test",scope="repository:r:pull"`)
			w.Header().Add("WWW-Authenticate", `Bearer realm="http://`+up.hp+`/`+longRealm+`"`)
			w.WriteHeader(http.StatusUnauthorized)
		case "/token", "/unannounced", "/" + longRealm:
			tokenAuth.Store(r.Header.Get("Authorization"))
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"token":"t"}`))
		default:
			return false
		}
		return true
	})
	r := newRelay(t, Options{Insecure: []string{up.hp}})
	if got := do(t, r, "GET", "/relay/"+up.hp+"/token?service=test", nil); got.status != 403 || !strings.Contains(got.err, "token realm") {
		t.Fatalf("realm before it was announced: %d %q; want 403", got.status, got.err)
	}
	got := do(t, r, "GET", "/relay/"+up.hp+"/v2/", nil)
	if got.status != 401 || !strings.Contains(got.header.Get("WWW-Authenticate"), `realm="http://`+up.hp+`/token"`) {
		t.Fatalf("ping: %d %q; want the challenge passed through unchanged", got.status, got.header.Values("WWW-Authenticate"))
	}
	got = do(t, r, "GET", "/relay/"+up.hp+"/token?service=test&scope=repository:r:pull", http.Header{"Authorization": {"Basic dTpw"}})
	if got.status != 200 || string(got.body) != `{"token":"t"}` || tokenAuth.Load() != "Basic dTpw" {
		t.Fatalf("announced realm: %d %q (auth %v)", got.status, got.body, tokenAuth.Load())
	}
	for _, p := range []string{"/unannounced", "/" + longRealm} {
		if got := do(t, r, "GET", "/relay/"+up.hp+p, nil); got.status != 403 {
			t.Errorf("GET %s: %d; want 403", truncate(p, 20), got.status)
		}
	}
}

func TestRealmsBoundedAndExpire(t *testing.T) {
	now := time.Unix(0, 0)
	rs := newRealms(2, time.Minute, func() time.Time { return now })
	rs.add("a")
	rs.add("b")
	rs.add("c")
	if rs.has("a") || !rs.has("b") || !rs.has("c") {
		t.Fatalf("after 3 adds to a set of 2: a=%v b=%v c=%v; want the oldest evicted", rs.has("a"), rs.has("b"), rs.has("c"))
	}
	now = now.Add(2 * time.Minute)
	if rs.has("b") {
		t.Fatal("realm still allowed after its TTL")
	}
}

func TestRelayCookiesAndHeaders(t *testing.T) {
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) bool {
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "upstream"})
		w.Header().Set("X-Internal", "secret")
		return false
	})
	r := newRelay(t, Options{Insecure: []string{up.hp}})
	got := do(t, r, "GET", "/relay/"+up.hp+"/v2/", http.Header{
		"Cookie":          {"session=browser"},
		"X-Forwarded-For": {"10.0.0.1"},
		"Accept":          {"application/json"},
	})
	if got.status != 200 {
		t.Fatalf("GET /v2/: %d %s", got.status, got.body)
	}
	if c := got.header.Values("Set-Cookie"); len(c) != 0 {
		t.Errorf("Set-Cookie returned to the client: %q", c)
	}
	if got.header.Get("X-Internal") != "" {
		t.Errorf("non-allow-listed response header passed through")
	}
	reqs := up.requests()
	if len(reqs) != 1 {
		t.Fatalf("upstream saw %d requests", len(reqs))
	}
	if c := reqs[0].Header.Get("Cookie"); c != "" {
		t.Errorf("Cookie forwarded upstream: %q", c)
	}
	if x := reqs[0].Header.Get("X-Forwarded-For"); x != "" {
		t.Errorf("X-Forwarded-For forwarded upstream: %q", x)
	}
	if a := reqs[0].Header.Get("Accept"); a != "application/json" {
		t.Errorf("Accept not forwarded: %q", a)
	}
}

func TestRelayDoesNotLogCredentials(t *testing.T) {
	up := newUpstream(t, nil)
	var logs bytes.Buffer
	r := newRelay(t, Options{Insecure: []string{up.hp}, Logger: log.New(&logs, "", 0)})
	do(t, r, "GET", "/relay/"+up.hp+"/v2/?account=hidden-account", http.Header{"Authorization": {"Bearer sup3r-s3cret-t0ken"}})
	do(t, r, "GET", "/relay/127.0.0.2/v2/", http.Header{"Authorization": {"Basic c3VwM3ItczNjcmV0"}})
	out := logs.String()
	for _, secret := range []string{"sup3r-s3cret-t0ken", "c3VwM3ItczNjcmV0", "hidden-account", "Bearer", "Basic"} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains %q:\n%s", secret, out)
		}
	}
	if !strings.Contains(out, "GET "+up.hp+" /v2/ 200") {
		t.Errorf("log lacks method, host, path and status:\n%s", out)
	}
}

// releaseOnce makes a stalled upstream handler return when the test ends.
func TestRelayPerClientLimit(t *testing.T) {
	entered := make(chan struct{}, 8)
	release := make(chan struct{})
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/v2/slow/blobs/x" {
			return false
		}
		entered <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
		}
		w.Write([]byte("ok"))
		return true
	})
	r := newRelay(t, Options{Insecure: []string{up.hp}, MaxPerClient: 2})
	var wg sync.WaitGroup
	codes := make(chan int, 2)
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes <- do(t, r, "GET", "/relay/"+up.hp+"/v2/slow/blobs/x", nil).status
		}()
	}
	<-entered
	<-entered
	got := do(t, r, "GET", "/relay/"+up.hp+"/v2/slow/blobs/x", nil)
	if got.status != http.StatusTooManyRequests || !strings.Contains(got.err, "limit 2") {
		t.Errorf("third concurrent request: %d %q; want 429", got.status, got.err)
	}
	close(release)
	wg.Wait()
	close(codes)
	for c := range codes {
		if c != 200 {
			t.Errorf("a request within the limit got %d", c)
		}
	}
	if got := do(t, r, "GET", "/relay/"+up.hp+"/v2/", nil); got.status != 200 {
		t.Errorf("after the slots were released: %d", got.status)
	}
}

// stallingUpstream sends part of a blob and then stalls until the request is cancelled.
func stallingUpstream(t *testing.T, sent chan<- struct{}) *upstream {
	return newUpstream(t, func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/v2/stall/blobs/x" {
			return false
		}
		w.Header().Set("Content-Length", "10000000")
		w.Write(bytes.Repeat([]byte("x"), 64<<10))
		w.(http.Flusher).Flush()
		if sent != nil {
			sent <- struct{}{}
		}
		<-r.Context().Done()
		return true
	})
}

func TestRelayIdleTimeoutCutsStalledUpstream(t *testing.T) {
	up := stallingUpstream(t, nil)
	r := newRelay(t, Options{Insecure: []string{up.hp}, IdleTimeout: 200 * time.Millisecond})
	srv := httptest.NewServer(r)
	defer srv.Close()
	start := time.Now()
	resp, err := http.Get(srv.URL + "/relay/" + up.hp + "/v2/stall/blobs/x")
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err == nil || n >= 10000000 {
		t.Fatalf("read %d bytes, err %v; want a cut-off body", n, err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("stalled upstream cut after %v", d)
	}
}

func TestRelayClientDisconnectLeavesNoGoroutines(t *testing.T) {
	sent := make(chan struct{}, 1)
	up := stallingUpstream(t, sent)
	r := newRelay(t, Options{Insecure: []string{up.hp}})
	srv := httptest.NewServer(r)
	defer srv.Close()
	tr := &http.Transport{}
	client := &http.Client{Transport: tr}

	// Warm up once so lazily started runtime goroutines are in the baseline.
	if resp, err := client.Get(srv.URL + "/relay/" + up.hp + "/v2/"); err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	tr.CloseIdleConnections()
	r.CloseIdleConnections()
	baseline := settle(runtime.NumGoroutine(), 0)

	for range 5 {
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/relay/"+up.hp+"/v2/stall/blobs/x", nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		<-sent
		buf := make([]byte, 1024)
		if _, err := io.ReadFull(resp.Body, buf); err != nil {
			t.Fatal(err)
		}
		cancel() // the client goes away mid-blob
		resp.Body.Close()
	}
	tr.CloseIdleConnections()
	r.CloseIdleConnections()
	if n := settle(runtime.NumGoroutine(), baseline); n > baseline {
		buf := make([]byte, 1<<20)
		t.Fatalf("%d goroutines after disconnects, baseline %d:\n%s", n, baseline, buf[:runtime.Stack(buf, true)])
	}
}

// settle polls runtime.NumGoroutine until it is at most want (or stops
// changing when want is 0), with a deadline, and returns the last count.
func settle(n, want int) int {
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		runtime.Gosched()
		time.Sleep(10 * time.Millisecond)
		m := runtime.NumGoroutine()
		if want > 0 && m <= want || want == 0 && m == n {
			return m
		}
		n = m
	}
	return n
}

// TestRelayHostileContentSandboxed: a registry that answers HTML with a
// script cannot run it on the relay's origin (the page's own): every relayed
// answer carries CSP sandbox and nosniff, and so do the relay's refusals.
func TestRelayHostileContentSandboxed(t *testing.T) {
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/v2/evil/blobs/page" {
			return false
		}
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<script>fetch('/api/info')</script>"))
		return true
	})
	r := newRelay(t, Options{Insecure: []string{up.hp}})
	for _, uri := range []string{
		"/relay/" + up.hp + "/v2/evil/blobs/page",
		"/relay/" + up.hp + "/v2/",
		"/relay/127.0.0.1/v2/", // a refusal
	} {
		got := do(t, r, "GET", uri, nil)
		if got.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s (%d): X-Content-Type-Options %q, want nosniff", uri, got.status, got.header.Get("X-Content-Type-Options"))
		}
		if got.status < 400 && got.header.Get("Content-Security-Policy") != "sandbox" {
			t.Errorf("GET %s (%d): Content-Security-Policy %q, want sandbox", uri, got.status, got.header.Get("Content-Security-Policy"))
		}
	}
}

// TestRelayUpstreamHangTimesOut: a registry that never answers is given up on
// after ResponseHeaderTimeout with a 504 naming it, and its slot is freed.
func TestRelayUpstreamHangTimesOut(t *testing.T) {
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/v2/hang/manifests/x" {
			return false
		}
		<-r.Context().Done()
		return true
	})
	r := newRelay(t, Options{Insecure: []string{up.hp}, ResponseHeaderTimeout: 200 * time.Millisecond, MaxPerClient: 1})
	start := time.Now()
	got := do(t, r, "GET", "/relay/"+up.hp+"/v2/hang/manifests/x", nil)
	if got.status != http.StatusGatewayTimeout || !strings.Contains(got.err, up.hp) || !strings.Contains(got.err, "timed out") {
		t.Fatalf("hanging upstream: %d %q; want 504 naming %s", got.status, got.err, up.hp)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("gave up after %v", d)
	}
	if got := do(t, r, "GET", "/relay/"+up.hp+"/v2/", nil); got.status != 200 {
		t.Errorf("next request from the same client: %d; the slot was not freed", got.status)
	}
}
