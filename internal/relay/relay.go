package relay

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Options configures a Relay. The zero value is a safe public relay.
type Options struct {
	// Insecure lists host:port pairs reached over plain HTTP; they may also
	// resolve to blocked (e.g. loopback) addresses. A host without a port means port 80.
	Insecure []string
	// Allow lists host:port pairs reached over HTTPS that may resolve to
	// blocked addresses. A host without a port means port 443.
	Allow []string
	// Resolver looks up host names; nil means net.DefaultResolver.
	Resolver Resolver
	// TLSConfig is the upstream TLS configuration (tests set RootCAs); nil means the system's.
	TLSConfig *tls.Config
	// WrapTransport, when set, wraps the transport that reaches upstreams
	// (every dial still checked): the server's registry mirrors and
	// upstream metrics hook in here.
	WrapTransport func(http.RoundTripper) http.RoundTripper
	// Logger receives one line per request: method, host, path, status, bytes.
	// Never headers, never the query. nil means no logging.
	Logger *log.Logger

	MaxPerClient          int           // upstream requests in flight per client address; 0 = 16
	MaxRedirects          int           // redirect hops followed; 0 = 5
	MaxRealmLen           int           // longest announced realm URL remembered; 0 = 1024
	MaxRealms             int           // realms remembered; 0 = 4096
	RealmTTL              time.Duration // how long an announced realm stays allowed; 0 = 1h
	DialTimeout           time.Duration // 0 = 10s
	TLSHandshakeTimeout   time.Duration // 0 = 10s
	ResponseHeaderTimeout time.Duration // 0 = 30s
	IdleTimeout           time.Duration // longest pause while streaming either way; 0 = 60s
}

// Relay is an http.Handler for GET|HEAD|OPTIONS Prefix+"{host[:port]}/{path}".
type Relay struct {
	o         Options
	insecure  map[string]bool // host:port
	allow     map[string]bool // host:port
	dial      *dialer
	transport *http.Transport
	client    *http.Client
	realms    *realms
	clients   *clientLimit
}

// New returns a Relay, or an error naming an Insecure or Allow entry that is not a valid host[:port].
func New(o Options) (*Relay, error) {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	defInt := func(d *int, v int) {
		if *d <= 0 {
			*d = v
		}
	}
	defInt(&o.MaxPerClient, 16)
	defInt(&o.MaxRedirects, 5)
	defInt(&o.MaxRealmLen, 1024)
	defInt(&o.MaxRealms, 4096)
	def(&o.RealmTTL, time.Hour)
	def(&o.DialTimeout, 10*time.Second)
	def(&o.TLSHandshakeTimeout, 10*time.Second)
	def(&o.ResponseHeaderTimeout, 30*time.Second)
	def(&o.IdleTimeout, 60*time.Second)
	if o.Resolver == nil {
		o.Resolver = net.DefaultResolver
	}
	if o.Logger == nil {
		o.Logger = log.New(io.Discard, "", 0)
	}
	r := &Relay{o: o, insecure: map[string]bool{}, allow: map[string]bool{}}
	for _, list := range []struct {
		names []string
		set   map[string]bool
		port  int
		flag  string
	}{{o.Insecure, r.insecure, 80, "insecure registry"}, {o.Allow, r.allow, 443, "allowed host"}} {
		for _, s := range list.names {
			host, port, err := ParseHostPort(s)
			if err != nil {
				return nil, fmt.Errorf("%s %q: %w", list.flag, s, err)
			}
			if port == 0 {
				port = list.port
			}
			list.set[joinHostPort(host, port)] = true
		}
	}
	r.dial = newDialer(o.Resolver, func(hp string) bool { return r.insecure[hp] || r.allow[hp] }, o.DialTimeout)
	r.transport = &http.Transport{
		Proxy:                  nil, // never via an environment proxy: the dial check must see the destination
		DialContext:            r.dial.DialContext,
		TLSClientConfig:        o.TLSConfig,
		TLSHandshakeTimeout:    o.TLSHandshakeTimeout,
		ResponseHeaderTimeout:  o.ResponseHeaderTimeout,
		DisableCompression:     true, // bytes must reach the client exactly as the registry sent them
		MaxIdleConns:           64,
		MaxIdleConnsPerHost:    8,
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
		ForceAttemptHTTP2:      true,
	}
	var upstream http.RoundTripper = r.transport
	if o.WrapTransport != nil {
		upstream = o.WrapTransport(upstream)
	}
	r.client = &http.Client{
		Transport: upstream,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse // redirects are followed (and checked) by ServeHTTP
		},
	}
	r.realms = newRealms(o.MaxRealms, o.RealmTTL, time.Now)
	r.clients = newClientLimit(o.MaxPerClient)
	return r, nil
}

// CloseIdleConnections closes idle upstream connections (and their goroutines).
func (r *Relay) CloseIdleConnections() { r.transport.CloseIdleConnections() }

// scheme is the upstream scheme for a target: http only for insecure registries.
func (r *Relay) scheme(t Target) string {
	if r.insecure[t.HostPort("http")] {
		return "http"
	}
	return "https"
}

// ServeHTTP relays one request: it admits the method, parses the target,
// judges it as a first hop (destination), takes a per-client slot, and
// forwards. One log line reports it.
func (r *Relay) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	x := &exchange{method: req.Method, host: "-", path: "-", start: time.Now()}
	defer func() { r.o.Logger.Print(x) }()
	fail := func(e *httpError) {
		x.status = e.status
		writeError(w, e)
	}
	switch req.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodOptions:
		w.Header().Set("Allow", "GET, HEAD, OPTIONS") // CORS preflights are the Gate's
		x.status = http.StatusNoContent
		w.WriteHeader(x.status)
		return
	default:
		w.Header().Set("Allow", "GET, HEAD, OPTIONS")
		fail(refuse(http.StatusMethodNotAllowed, "method %s not allowed: the relay only reads (GET, HEAD, OPTIONS)", req.Method).by("method"))
		return
	}
	u, host, e := r.firstHop(req, x)
	if e != nil {
		fail(e)
		return
	}
	client := clientAddr(req)
	if !r.clients.acquire(client) {
		w.Header().Set("Retry-After", "1")
		fail(refuse(http.StatusTooManyRequests, "too many relayed requests in flight from %s (limit %d)", client, r.o.MaxPerClient).by("client_limit"))
		return
	}
	defer r.clients.release(client)
	if e := r.forward(w, req, u, host, x); e != nil {
		fail(e)
	}
}

// exchange is one relayed request as its log line reports it: never a
// header, never the query.
type exchange struct {
	method, host, path string
	status             int
	bytes              int64
	start              time.Time
}

func (x *exchange) String() string {
	return fmt.Sprintf("relay %s %s %s %d %dB %s", x.method, x.host, x.path, x.status, x.bytes, time.Since(x.start).Round(time.Millisecond))
}

// firstHop parses the relay URL of req into the upstream URL and judges it
// by destination; it returns the URL and its host:port.
func (r *Relay) firstHop(req *http.Request, x *exchange) (*url.URL, string, *httpError) {
	escaped := req.URL.EscapedPath()
	if escaped != req.URL.Path {
		return nil, "", refuse(http.StatusForbidden, "percent-encoding is not allowed in relayed paths").by("target")
	}
	rest, ok := strings.CutPrefix(escaped, Prefix)
	if !ok {
		return nil, "", refuse(http.StatusNotFound, "not a relay URL: want %s{host}/v2/…", Prefix).by("target")
	}
	t, err := ParseTarget(rest, req.URL.RawQuery)
	if err != nil {
		return nil, "", refuse(http.StatusForbidden, "%v", err).by("target")
	}
	scheme := r.scheme(t)
	x.host, x.path = t.HostPort(scheme), t.Path
	u, err := url.Parse(t.URL(scheme))
	if err != nil {
		return nil, "", refuse(http.StatusForbidden, "upstream URL: %v", err).by("target")
	}
	hop, from := firstHop, ""
	if v := req.Header.Get(ForeignOfHeader); v != "" {
		h, port, err := ParseHostPort(v)
		if err != nil {
			return nil, "", refuse(http.StatusForbidden, "%s: %v", ForeignOfHeader, err).by("target")
		}
		if port == 0 {
			port = 443
		}
		hop, from = foreignHop, joinHostPort(h, port)
	}
	host, err := r.destination(hop, from, u)
	if err != nil {
		return nil, "", refuse(http.StatusForbidden, "%v", err).by("destination")
	}
	return u, host, nil
}

// forward requests u (on host) upstream and streams the answer to w, or
// returns the refusal or failure to report when nothing was written yet.
func (r *Relay) forward(w http.ResponseWriter, req *http.Request, u *url.URL, host string, x *exchange) *httpError {
	// Early, friendly refusal; the dial-time check is the one that counts.
	if err := r.dial.check(req.Context(), host); err != nil {
		return r.upstreamError(host, err)
	}
	ctx, cancel := context.WithCancel(req.Context())
	defer cancel()
	resp, err := r.fetch(ctx, req, u, host)
	if err != nil {
		return r.upstreamError(host, err)
	}
	defer resp.Body.Close()
	if hp, _ := hostPortOf(resp.Request.URL); hp == host && isRegistryAPI(u.Path) {
		r.learnRealms(host, resp.Header.Values("Www-Authenticate"))
	}
	copyHeaders(w.Header(), resp.Header, responseHeaders)
	hidePromptingChallenges(w.Header())
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "sandbox")
	x.status = resp.StatusCode
	w.WriteHeader(resp.StatusCode)
	if req.Method != http.MethodHead {
		x.bytes, _ = r.stream(w, resp.Body, cancel)
	}
	return nil
}

// clientAddr is the client's IP (without port); proxy headers are not trusted.
func clientAddr(req *http.Request) string {
	host, _, err := net.SplitHostPort(req.RemoteAddr)
	if err != nil {
		return req.RemoteAddr
	}
	return host
}
