package registry

import (
	"context"
	"fmt"
	"hash"
	"net/http"
	"sync"
	"time"
)

// Options configures a Client. The zero value works: HTTPS (plain HTTP for
// loopback hosts), anonymous unless a registry asks and Credentials answers,
// 5 attempts per request.
type Options struct {
	// Transport is the base transport; nil means http.DefaultTransport.
	// The Client wraps it with authentication; it must be safe for
	// concurrent use.
	Transport http.RoundTripper

	// Insecure allows plain HTTP to every host: HTTPS is tried first and,
	// when it fails below HTTP, plain HTTP. Loopback hosts always use HTTP.
	Insecure bool

	// Credentials is asked for a username and password by registry domain
	// (Ref.Domain, e.g. "docker.io", "localhost:5000") when that registry
	// challenges. The credentials go only to that registry's host and to
	// the token realm it announced, never into URLs or logs.
	Credentials func(host string) (user, pass string, ok bool)

	// MaxAttempts bounds the attempts per request, including the first;
	// 0 means 5. For a blob it bounds all attempts of that blob, resumes
	// included.
	MaxAttempts int

	// ManifestPayload, when set, returns the bytes a manifest's digest is
	// computed over; nil means the body itself. Signed schema1 manifests
	// need it: their digest covers the JWS payload, not the signatures.
	ManifestPayload func(contentType string, body []byte) []byte

	// OnRateLimit, when set, is called with the registry's domain
	// (Ref.Domain) and the pull quota it announces on a manifest response
	// (Docker Hub's ratelimit-limit and ratelimit-remaining), so a program
	// can warn when it runs low.
	OnRateLimit func(host string, r RateLimit)

	// Resolver judges where a layer's foreign URLs (desc.URLs) lead: a
	// public registry's may not name private addresses. nil means the
	// system's resolver (none in a browser).
	Resolver Resolver

	// UserAgent is sent with every request when set.
	UserAgent string

	// OnRetry, when set, is called before each wait for a retry, for
	// progress messages ("retrying in 2s after 503").
	OnRetry func(url string, attempt int, wait time.Duration, err error)

	// Backoff is the wait before the first retry, doubled per attempt with
	// jitter; 0 means 500ms.
	Backoff time.Duration

	// MaxBackoff caps each wait; 0 means 30s. A Retry-After longer than
	// MaxBackoff ends the retries with the registry's error (which carries
	// RetryAfter) rather than waiting that long or retrying early.
	MaxBackoff time.Duration

	// Mirrors are pull-through caches asked first for the manifests and
	// blobs of their upstreams (see MirrorTransport).
	Mirrors []Mirror

	// StallTimeout abandons a request that receives nothing for this long:
	// no response headers, or no body bytes (a stalled connection). The
	// *StallError counts as a failed attempt and is retried; a blob resumes
	// with Range from the bytes already delivered. 0 means
	// DefaultStallTimeout (30s); negative means no limit. A live but very
	// slow body is not a stall: bound the whole pull with the context.
	StallTimeout time.Duration

	// SHA256 returns a new SHA-256 hash for verifying sha256 blob digests;
	// nil means crypto/sha256. A platform with a faster implementation
	// sets it (package pull passes its Codec's). Whatever it returns, the
	// sum is compared with the descriptor's digest, never trusted.
	// Manifests, small and hashed in one call, use crypto/sha256.
	SHA256 func() hash.Hash
}

// Client talks to registries. It remembers, per registry host, the scheme,
// the authentication challenge and cached tokens. It is safe for concurrent
// use.
type Client struct {
	opts     Options
	base     http.RoundTripper
	http     *http.Client // base wrapped by authTransport; follows redirects
	plain    *http.Client // base alone: pings and token requests
	resolver Resolver

	mu    sync.Mutex
	hosts map[string]*endpoint // by API host
}

// NewClient returns a Client configured by o.
func NewClient(o Options) *Client {
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 5
	}
	if o.Backoff <= 0 {
		o.Backoff = 500 * time.Millisecond
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 30 * time.Second
	}
	base := o.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	if len(o.Mirrors) > 0 {
		base = &MirrorTransport{Next: base, Mirrors: o.Mirrors}
	}
	if o.StallTimeout == 0 {
		o.StallTimeout = DefaultStallTimeout
	}
	if o.StallTimeout > 0 {
		base = &stallTransport{next: base, timeout: o.StallTimeout}
	}
	if o.UserAgent != "" {
		base = &userAgentTransport{next: base, ua: o.UserAgent}
	}
	c := &Client{opts: o, base: base, hosts: map[string]*endpoint{}, resolver: o.Resolver}
	if c.resolver == nil {
		c.resolver = systemResolver
	}
	c.http = &http.Client{Transport: &authTransport{next: base, c: c}, CheckRedirect: checkRedirect}
	c.plain = &http.Client{Transport: base, CheckRedirect: checkRedirect}
	return c
}

// maxRedirects is how many redirects one request may follow (net/http's
// own default).
const maxRedirects = 10

// checkRedirect stops after maxRedirects with a permanent error naming the
// URL first asked for (the blob or manifest), not the last hop: a
// redirect loop is not retried.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return permanent(fmt.Errorf("%s %s: stopped after %d redirects (last to %s): a redirect loop?",
			via[0].Method, redactURL(via[0].URL), len(via), redactURL(req.URL)))
	}
	return nil
}

// userAgentTransport sets User-Agent on every request.
type userAgentTransport struct {
	next http.RoundTripper
	ua   string
}

// RoundTrip sends a copy of req carrying the User-Agent.
func (t *userAgentTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("User-Agent", t.ua)
	return t.next.RoundTrip(req)
}

// endpoint is what the Client knows about one registry host.
type endpoint struct {
	host   string // API host[:port], "registry-1.docker.io"
	domain string // registry domain for credentials, "docker.io"

	// gate is held (a token in the channel) while pinging or fetching a
	// token, so concurrent requests wait for one round trip instead of
	// making their own; unlike a mutex, waiting honours the context.
	gate chan struct{}

	mu        sync.Mutex // guards the fields below
	pinged    bool
	scheme    string     // "https" or "http"
	challenge *Challenge // the one we answer; nil: none asked
	tokens    map[string]token
}

// lock takes the endpoint's gate, or fails when ctx ends first.
func (e *endpoint) lock(ctx context.Context) error {
	select {
	case e.gate <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (e *endpoint) unlock() { <-e.gate }

// endpointFor returns the endpoint of r's registry host, creating it.
func (c *Client) endpointFor(r Ref) *endpoint {
	host := r.Host()
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.hosts[host]
	if e == nil {
		e = &endpoint{host: host, domain: r.Domain, gate: make(chan struct{}, 1), tokens: map[string]token{}}
		c.hosts[host] = e
	}
	return e
}

// credentials looks up the user and password for the endpoint's domain.
func (c *Client) credentials(e *endpoint) (user, pass string, ok bool) {
	if c.opts.Credentials == nil {
		return "", "", false
	}
	return c.opts.Credentials(e.domain)
}
