package regtest

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Hosted is a Profile served in a World: go-containerregistry's registry
// (in process, plain HTTP on loopback, the "backend") behind the profile's
// API host, token service, blob storage host and front host, each doing
// what the real one does (see Profile). Tokens and signed URLs are HMACs
// under a key of the Hosted's own.
type Hosted struct {
	Profile
	World   *World
	backend string // the ggcr registry's host
	key     []byte

	// URLLifetime is how long a signed storage URL stays valid, in
	// seconds; 0 means 600. Negative makes every URL already expired.
	URLLifetime atomic.Int64

	remaining atomic.Int64 // pulls left in the rate-limit window

	mu      sync.Mutex
	private map[string]bool // repositories (as named on Registry) that need credentials
	tokens  []TokenRequest
}

// StartProfile serves p in w, with an empty registry behind it.
func StartProfile(t testing.TB, w *World, p Profile) *Hosted {
	t.Helper()
	h := &Hosted{Profile: p, World: w, backend: GGCR(t), key: make([]byte, 32), private: map[string]bool{}}
	rand.Read(h.key)
	h.remaining.Store(int64(p.RateLimit))
	for _, host := range append([]string{p.Registry}, p.Aliases...) {
		w.Handle(host, "/v2/", http.HandlerFunc(h.registry))
	}
	if p.Realm != "" {
		u, err := url.Parse(p.Realm)
		if err != nil {
			t.Fatalf("regtest: %s realm %q: %v", p.Name, p.Realm, err)
		}
		w.Handle(u.Host, u.Path, http.HandlerFunc(h.token))
	}
	if p.Storage != "" {
		w.Handle(p.Storage, "/"+h.bucket()+"/", http.HandlerFunc(h.storage))
	}
	if p.Front != "" {
		w.Handle(p.Front, "/v2/", http.HandlerFunc(h.front))
	}
	return h
}

// Push writes img as tag of the profile's repository and returns the
// reference a person types for it.
func (h *Hosted) Push(t testing.TB, tag string, img v1.Image) string {
	t.Helper()
	return h.PushTo(t, h.Repo, tag, img)
}

// PushTo writes img as repo:tag (repo as a person names it) and returns
// the reference a person types for it.
func (h *Hosted) PushTo(t testing.TB, repo, tag string, img v1.Image) string {
	t.Helper()
	Push(t, h.backend+"/"+h.Prefix+repo+":"+tag, img)
	return h.Domain + "/" + repo + ":" + tag
}

// MakePrivate makes repo (as a person names it) answer only callers with
// User's credentials, as a private repository does.
func (h *Hosted) MakePrivate(repo string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.private[h.Prefix+repo] = true
}

// SetRemaining sets the pulls left in the rate-limit window.
func (h *Hosted) SetRemaining(n int) { h.remaining.Store(int64(n)) }

// TokenRequests returns the requests the token service answered.
func (h *Hosted) TokenRequests() []TokenRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]TokenRequest(nil), h.tokens...)
}

// v2Path matches /v2/<name>/<kind>/<reference>.
var v2Path = regexp.MustCompile(`^/v2/(.+)/(manifests|blobs|tags|referrers)/(.*)$`)

// registry answers the profile's API host.
func (h *Hosted) registry(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/v2/" {
		if h.Realm != "" && h.bearer(r) == nil {
			h.challenge(w, "", false)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Docker-Distribution-Api-Version", "registry/2.0")
		io.WriteString(w, "{}")
		return
	}
	m := v2Path.FindStringSubmatch(r.URL.Path)
	if m == nil {
		writeRegistryError(w, http.StatusNotFound, "NAME_UNKNOWN", "repository name not known to registry")
		return
	}
	name, kind, ref := m[1], m[2], m[3]
	if h.Realm != "" {
		tok := h.bearer(r)
		if !tok.grants(name) {
			h.challenge(w, name, tok != nil)
			return
		}
	}
	if kind == "manifests" && h.RateLimit > 0 && !h.countPull(w, r) {
		return
	}
	if kind == "blobs" && r.Method == http.MethodGet && h.Storage != "" {
		http.Redirect(w, r, h.signedURL(name, ref), h.StorageCode)
		return
	}
	h.proxy(w, r, r.URL.Path)
}

// front answers the Front host: /v2/ itself, and a redirect to Registry
// for everything else, as registry.k8s.io does.
func (h *Hosted) front(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/v2/" {
		io.WriteString(w, "{}")
		return
	}
	rest := strings.TrimPrefix(r.URL.Path, "/v2/")
	http.Redirect(w, r, "https://"+h.Registry+"/v2/"+h.Prefix+rest, http.StatusTemporaryRedirect)
}

// challenge answers 401 with the Bearer challenge for repository name ("" for /v2/).
func (h *Hosted) challenge(w http.ResponseWriter, name string, insufficient bool) {
	c := fmt.Sprintf(`Bearer realm=%q,service=%q`, h.Realm, h.Service)
	switch {
	case name != "":
		c += fmt.Sprintf(`,scope="repository:%s:pull"`, name)
	case h.PingScope != "":
		c += fmt.Sprintf(`,scope=%q`, h.PingScope)
	}
	if insufficient {
		c += `,error="insufficient_scope"`
	}
	w.Header().Set("WWW-Authenticate", c)
	writeRegistryError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
}

// countPull applies the rate limit to a manifest request: a GET counts,
// and is refused with 429 TOOMANYREQUESTS once none are left; both GET and
// HEAD carry the ratelimit headers. It reports whether to go on.
func (h *Hosted) countPull(w http.ResponseWriter, r *http.Request) bool {
	left := h.remaining.Load()
	if r.Method == http.MethodGet {
		left = h.remaining.Add(-1)
	}
	header := func(n int64) {
		w.Header().Set("Ratelimit-Limit", fmt.Sprintf("%d;w=%d", h.RateLimit, h.RateWindow))
		w.Header().Set("Ratelimit-Remaining", fmt.Sprintf("%d;w=%d", n, h.RateWindow))
		w.Header().Set("Docker-Ratelimit-Source", "127.0.0.1")
	}
	if left < 0 {
		h.remaining.Store(0)
		header(0)
		writeRegistryError(w, http.StatusTooManyRequests, "TOOMANYREQUESTS",
			"You have reached your unauthenticated pull rate limit. https://www.docker.com/increase-rate-limit")
		return false
	}
	header(left)
	return true
}

// proxy passes r to the backend registry as path, without Authorization.
func (h *Hosted) proxy(w http.ResponseWriter, r *http.Request, path string) {
	p := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(&url.URL{Scheme: "http", Host: h.backend})
			pr.Out.URL.Path, pr.Out.URL.RawPath, pr.Out.URL.RawQuery = path, "", ""
			pr.Out.Header.Del("Authorization")
		},
		ErrorLog: log.New(io.Discard, "", 0),
	}
	p.ServeHTTP(w, r)
}

// writeRegistryError writes a distribution-spec error body.
func writeRegistryError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]string{{"code": code, "message": message}}})
}
