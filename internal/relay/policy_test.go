package relay

import (
	"crypto/tls"
	"crypto/x509"
	"github.com/regscope/regscope/pkg/registry"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
)

// policyHosts are three registries for the destination policy: pub stands
// for a public registry (HTTPS on 127.0.0.2, which the relay under test
// treats as a public address), a and b are hosts the operator allowed
// (plain HTTP on 127.0.0.1).
type policyHosts struct {
	pub, a, b string
	mu        sync.Mutex
	seen      []string // "host path" of every request any of them received
}

func (p *policyHosts) saw(host, path string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.seen {
		if s == host+" "+path {
			return true
		}
	}
	return false
}

// policyServer answers the routes given (path → Location to redirect to,
// or "realm=URL" for a 401 announcing that realm); other paths answer
// "HOST PATH".
func (p *policyHosts) handler(self *string, routes map[string]string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.seen = append(p.seen, *self+" "+r.URL.EscapedPath())
		p.mu.Unlock()
		to := routes[r.URL.Path]
		switch {
		case strings.HasPrefix(to, "realm="):
			w.Header().Set("WWW-Authenticate", `Bearer realm="`+strings.TrimPrefix(to, "realm=")+`",service="s"`)
			w.WriteHeader(http.StatusUnauthorized)
		case to != "":
			w.Header().Set("Location", to)
			w.WriteHeader(http.StatusTemporaryRedirect)
		default:
			w.Write([]byte(*self + " " + r.URL.Path))
		}
	})
}

func newPolicyRelay(t *testing.T) (*Relay, *policyHosts) {
	t.Helper()
	p := &policyHosts{}
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Fatalf("listening on 127.0.0.2: %v", err)
	}
	pub := httptest.NewUnstartedServer(p.handler(&p.pub, map[string]string{
		"/v2/to-allowed":    "http://{a}/v2/secret",
		"/v2/realm-allowed": "realm=http://{a}/token",
		"/v2/realm-self":    "realm=https://{pub}/token",
	}))
	pub.Listener.Close()
	pub.Listener = ln
	pub.StartTLS()
	t.Cleanup(pub.Close)
	a := httptest.NewServer(p.handler(&p.a, map[string]string{
		"/v2/to-public": "https://{pub}/v2/ok",
		"/v2/to-b":      "http://{b}/v2/b-blob",
		"/v2/to-b-bad":  "http://{b}/bucket/%2e%2e/x",
		"/v2/realm-b":   "realm=http://{b}/token",
		"/v2/realm-pub": "realm=https://{pub}/token",
	}))
	t.Cleanup(a.Close)
	b := httptest.NewServer(p.handler(&p.b, nil))
	t.Cleanup(b.Close)
	p.pub = strings.TrimPrefix(pub.URL, "https://")
	p.a = strings.TrimPrefix(a.URL, "http://")
	p.b = strings.TrimPrefix(b.URL, "http://")
	// Fill the hosts into the routes (they were unknown until the servers started).
	expand := strings.NewReplacer("{pub}", p.pub, "{a}", p.a, "{b}", p.b)
	for _, s := range []*httptest.Server{pub, a} {
		h := s.Config.Handler
		s.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			for k, vv := range rec.Header() {
				for _, v := range vv {
					w.Header().Add(k, expand.Replace(v))
				}
			}
			w.WriteHeader(rec.Code)
			w.Write(rec.Body.Bytes())
		})
	}
	roots := x509.NewCertPool()
	roots.AddCert(pub.Certificate())
	r := newRelay(t, Options{Insecure: []string{p.a, p.b}, TLSConfig: &tls.Config{RootCAs: roots, ServerName: "example.com"}})
	public := netip.MustParseAddr("127.0.0.2")
	r.dial.blocked = func(ip netip.Addr) string {
		if ip == public {
			return ""
		}
		return registry.NonPublicReason(ip)
	}
	return r, p
}

// TestRelayDestinationPolicy: one policy judges every hop. A host the
// operator allowed is reachable from a request that began at such a host,
// never from one that began at a public registry — by redirect or by realm.
func TestRelayDestinationPolicy(t *testing.T) {
	r, p := newPolicyRelay(t)
	get := func(host, path string) result { return do(t, r, "GET", "/relay/"+host+path, nil) }

	// Controls: each host answers when named first.
	for _, h := range []string{p.pub, p.a, p.b} {
		if got := get(h, "/v2/ok"); got.status != 200 || string(got.body) != h+" /v2/ok" {
			t.Fatalf("GET %s/v2/ok: %d %q", h, got.status, got.body)
		}
	}

	t.Run("redirect public to allowed", func(t *testing.T) {
		got := get(p.pub, "/v2/to-allowed")
		want := `redirect from ` + p.pub + ` to "http://` + p.a + `/v2/secret" refused: ` + p.a + `: an operator-allowed host is reachable only from a request that began at one`
		if got.status != 403 || got.err != want {
			t.Errorf("%d %q; want 403 %q", got.status, got.err, want)
		}
		if p.saw(p.a, "/v2/secret") {
			t.Error("the allowed host received the redirected request")
		}
	})
	t.Run("redirect allowed to public", func(t *testing.T) {
		if got := get(p.a, "/v2/to-public"); got.status != 200 || string(got.body) != p.pub+" /v2/ok" {
			t.Errorf("%d %q %q", got.status, got.body, got.err)
		}
	})
	t.Run("redirect allowed to other allowed", func(t *testing.T) {
		if got := get(p.a, "/v2/to-b"); got.status != 200 || string(got.body) != p.b+" /v2/b-blob" {
			t.Errorf("%d %q %q", got.status, got.body, got.err)
		}
	})
	t.Run("redirect allowed to other allowed, path rule", func(t *testing.T) {
		got := get(p.a, "/v2/to-b-bad")
		want := `redirect from ` + p.a + ` to "http://` + p.b + `/bucket/%2e%2e/x" refused: relay: path "/bucket/%2e%2e/x" refused: percent-encoding is not allowed`
		if got.status != 403 || got.err != want {
			t.Errorf("%d %q; want 403 %q", got.status, got.err, want)
		}
		if p.saw(p.b, "/bucket/%2e%2e/x") {
			t.Error("the other allowed host received the refused path")
		}
	})

	foreign := func(of, host, path string) result {
		return do(t, r, "GET", "/relay/"+host+path, http.Header{ForeignOfHeader: {of}})
	}
	t.Run("foreign URL public to allowed", func(t *testing.T) {
		got := foreign(p.pub, p.a, "/v2/secret")
		want := p.a + ": an operator-allowed host is reachable only from a request that began at one"
		if got.status != 403 || got.err != want {
			t.Errorf("%d %q; want 403 %q", got.status, got.err, want)
		}
		if p.saw(p.a, "/v2/secret") {
			t.Error("the allowed host received the request")
		}
	})
	t.Run("foreign URL allowed to other allowed, and to public", func(t *testing.T) {
		if got := foreign(p.a, p.b, "/v2/blob"); got.status != 200 || string(got.body) != p.b+" /v2/blob" {
			t.Errorf("to b: %d %q %q", got.status, got.body, got.err)
		}
		if got := foreign(p.a, p.pub, "/v2/ok"); got.status != 200 || string(got.body) != p.pub+" /v2/ok" {
			t.Errorf("to pub: %d %q %q", got.status, got.body, got.err)
		}
	})
	t.Run("foreign URL path rule", func(t *testing.T) {
		got := foreign(p.a, p.pub, "/bucket/blob")
		want := "foreign layer URL path /bucket/blob on " + p.pub + " is not a registry API path (/v2/…)"
		if got.status != 403 || got.err != want {
			t.Errorf("%d %q; want 403 %q", got.status, got.err, want)
		}
		got = foreign("evil@"+p.pub, p.pub, "/v2/ok")
		want = ForeignOfHeader + `: relay: host "evil@` + p.pub + `" refused: userinfo is not allowed`
		if got.status != 403 || got.err != want {
			t.Errorf("%d %q; want 403 %q", got.status, got.err, want)
		}
	})

	realm := func(announcer, path, realmHost string) result {
		t.Helper()
		if got := get(announcer, path); got.status != http.StatusUnauthorized {
			t.Fatalf("GET %s%s: %d %q; want the 401 challenge", announcer, path, got.status, got.err)
		}
		return get(realmHost, "/token")
	}
	t.Run("realm public to allowed", func(t *testing.T) {
		got := realm(p.pub, "/v2/realm-allowed", p.a)
		want := "path /token on " + p.a + " is neither a registry API path (/v2/…) nor a token realm a registry announced"
		if got.status != 403 || got.err != want {
			t.Errorf("%d %q; want 403 %q", got.status, got.err, want)
		}
		if p.saw(p.a, "/token") {
			t.Error("the allowed host received a request for the realm a public registry announced")
		}
	})
	t.Run("realm allowed to other allowed", func(t *testing.T) {
		if got := realm(p.a, "/v2/realm-b", p.b); got.status != 200 || string(got.body) != p.b+" /token" {
			t.Errorf("%d %q %q", got.status, got.body, got.err)
		}
	})
	t.Run("realm allowed to public", func(t *testing.T) {
		if got := realm(p.a, "/v2/realm-pub", p.pub); got.status != 200 || string(got.body) != p.pub+" /token" {
			t.Errorf("%d %q %q", got.status, got.body, got.err)
		}
	})
	t.Run("realm public to itself", func(t *testing.T) {
		r2, p2 := newPolicyRelay(t)
		if got := do(t, r2, "GET", "/relay/"+p2.pub+"/v2/realm-self", nil); got.status != http.StatusUnauthorized {
			t.Fatalf("challenge: %d", got.status)
		}
		if got := do(t, r2, "GET", "/relay/"+p2.pub+"/token", nil); got.status != 200 || string(got.body) != p2.pub+" /token" {
			t.Errorf("%d %q %q", got.status, got.body, got.err)
		}
	})
}
