package relay

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
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

// httpError is a refusal or failure reported to the client as JSON.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func refuse(status int, format string, args ...any) *httpError {
	return &httpError{status: status, msg: fmt.Sprintf(format, args...)}
}

func writeError(w http.ResponseWriter, e *httpError) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set(RefusalHeader, "1")
	w.WriteHeader(e.status)
	json.NewEncoder(w).Encode(map[string]string{"error": e.msg})
}

// ServeHTTP relays one request.
func (r *Relay) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	start := time.Now()
	host, path, status, n := "-", "-", 0, int64(0)
	defer func() {
		r.o.Logger.Printf("relay %s %s %s %d %dB %s", req.Method, host, path, status, n, time.Since(start).Round(time.Millisecond))
	}()
	fail := func(e *httpError) {
		status = e.status
		writeError(w, e)
	}

	switch req.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodOptions:
		w.Header().Set("Allow", "GET, HEAD, OPTIONS") // CORS preflights are the Gate's
		status = http.StatusNoContent
		w.WriteHeader(status)
		return
	default:
		w.Header().Set("Allow", "GET, HEAD, OPTIONS")
		fail(refuse(http.StatusMethodNotAllowed, "method %s not allowed: the relay only reads (GET, HEAD, OPTIONS)", req.Method))
		return
	}

	escaped := req.URL.EscapedPath()
	if escaped != req.URL.Path {
		fail(refuse(http.StatusForbidden, "percent-encoding is not allowed in relayed paths"))
		return
	}
	rest, ok := strings.CutPrefix(escaped, Prefix)
	if !ok {
		fail(refuse(http.StatusNotFound, "not a relay URL: want %s{host}/v2/…", Prefix))
		return
	}
	t, err := ParseTarget(rest, req.URL.RawQuery)
	if err != nil {
		fail(refuse(http.StatusForbidden, "%v", err))
		return
	}
	scheme := r.scheme(t)
	host, path = t.HostPort(scheme), t.Path
	if !t.IsRegistryAPI() {
		if !r.realms.has(scheme + "://" + host + t.Path) {
			fail(refuse(http.StatusForbidden, "path %s on %s is neither a registry API path (/v2/…) nor a token realm a registry announced", t.Path, host))
			return
		}
	}

	client := clientAddr(req)
	if !r.clients.acquire(client) {
		w.Header().Set("Retry-After", "1")
		fail(refuse(http.StatusTooManyRequests, "too many relayed requests in flight from %s (limit %d)", client, r.o.MaxPerClient))
		return
	}
	defer r.clients.release(client)

	// Early, friendly refusal; the dial-time check is the one that counts.
	if err := r.dial.check(req.Context(), host); err != nil {
		fail(r.upstreamError(host, err))
		return
	}

	ctx, cancel := context.WithCancel(req.Context())
	defer cancel()
	resp, err := r.fetch(ctx, req, t, scheme)
	if err != nil {
		var he *httpError
		if !errors.As(err, &he) {
			he = r.upstreamError(host, err)
		}
		fail(he)
		return
	}
	defer resp.Body.Close()

	if t.IsRegistryAPI() {
		r.learnRealms(r.trusted(hostPortOf(resp.Request.URL)), resp.Header.Values("Www-Authenticate"))
	}
	copyHeaders(w.Header(), resp.Header, responseHeaders)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "sandbox")
	status = resp.StatusCode
	w.WriteHeader(resp.StatusCode)
	if req.Method == http.MethodHead {
		return
	}
	n, _ = r.stream(w, resp.Body, cancel)
}

// fetch sends the request upstream and follows redirects itself, each hop
// checked like the first (scheme, host syntax, dial-time address check), with
// Authorization dropped once a hop leaves the original host.
func (r *Relay) fetch(ctx context.Context, in *http.Request, t Target, scheme string) (*http.Response, error) {
	u, err := url.Parse(t.URL(scheme))
	if err != nil {
		return nil, refuse(http.StatusForbidden, "upstream URL: %v", err)
	}
	origin := u.Host
	for hop := 0; ; hop++ {
		out, err := http.NewRequestWithContext(ctx, in.Method, u.String(), nil)
		if err != nil {
			return nil, refuse(http.StatusForbidden, "upstream URL: %v", err)
		}
		copyHeaders(out.Header, in.Header, requestHeaders)
		if u.Host != origin {
			out.Header.Del("Authorization")
		}
		if out.Header.Get("User-Agent") == "" {
			out.Header.Set("User-Agent", "regscope-relay")
		}
		resp, err := r.client.Do(out)
		if err != nil {
			return nil, err
		}
		loc := resp.Header.Get("Location")
		if !isRedirect(resp.StatusCode) || loc == "" {
			return resp, nil
		}
		resp.Body.Close()
		if hop+1 > r.o.MaxRedirects {
			return nil, refuse(http.StatusBadGateway, "too many redirects (more than %d) from %s", r.o.MaxRedirects, origin)
		}
		if u, err = r.redirectTarget(u, loc); err != nil {
			return nil, err
		}
	}
}

func isRedirect(code int) bool {
	switch code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// redirectTarget checks a Location against the relay's rules.
func (r *Relay) redirectTarget(from *url.URL, loc string) (*url.URL, error) {
	bad := func(reason string) (*url.URL, error) {
		return nil, refuse(http.StatusForbidden, "redirect from %s to %q refused: %s", from.Host, truncate(redactQuery(loc), 200), reason)
	}
	if strings.ContainsFunc(loc, func(c rune) bool { return c < 0x20 || c == 0x7f }) {
		return bad("control characters")
	}
	ref, err := url.Parse(loc)
	if err != nil {
		return bad(err.Error())
	}
	u := from.ResolveReference(ref)
	if u.User != nil {
		return bad("userinfo is not allowed")
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return bad("scheme " + u.Scheme + " is not allowed")
	}
	host, port, err := ParseHostPort(u.Host)
	if err != nil {
		return bad(err.Error())
	}
	switch u.Scheme {
	case "https":
	case "http":
		if port == 0 {
			port = 80
		}
		if !r.insecure[joinHostPort(host, port)] {
			return bad("plain http is only allowed to hosts named by --insecure-registry")
		}
	}
	u.Fragment, u.RawFragment = "", ""
	return u, nil
}

// upstreamError maps a failure to reach host to what the client is told.
func (r *Relay) upstreamError(host string, err error) *httpError {
	var be *BlockedError
	var he *httpError
	var ne net.Error
	switch {
	case errors.As(err, &he):
		return he
	case errors.As(err, &be):
		return refuse(http.StatusForbidden, "%v", be)
	case errors.Is(err, context.Canceled):
		return refuse(499, "client went away") // nginx's "client closed request"; nobody reads it
	case errors.As(err, &ne) && ne.Timeout():
		return refuse(http.StatusGatewayTimeout, "upstream %s timed out", host)
	default:
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) {
			return refuse(http.StatusBadGateway, "upstream %s: cannot resolve %s", host, dnsErr.Name)
		}
		var ue *url.Error // names the URL, query and all: keep the query out of the answer
		if errors.As(err, &ue) {
			return refuse(http.StatusBadGateway, "upstream %s unreachable: %s %s: %v", host, ue.Op, redactQuery(ue.URL), ue.Err)
		}
		return refuse(http.StatusBadGateway, "upstream %s unreachable: %v", host, err)
	}
}

// trusted reports whether the operator named host:port by flag.
func (r *Relay) trusted(hostport string) bool { return r.insecure[hostport] || r.allow[hostport] }

// hostPortOf is u's host:port with the scheme's default port, "" when u's
// host does not parse.
func hostPortOf(u *url.URL) string {
	host, port, err := ParseHostPort(u.Host)
	if err != nil {
		return ""
	}
	if port == 0 {
		port = 443
		if u.Scheme == "http" {
			port = 80
		}
	}
	return joinHostPort(host, port)
}

// learnRealms remembers the Bearer/Basic realms a registry announced. A
// realm on a host the operator allowed by flag (which may be private) is
// remembered only when the announcing registry is itself such a host: a
// public registry cannot open paths beyond /v2/ on the operator's hosts.
func (r *Relay) learnRealms(fromTrusted bool, headers []string) {
	for _, h := range headers {
		for _, realm := range challengeRealms(h) {
			if len(realm) > r.o.MaxRealmLen {
				continue
			}
			u, err := url.Parse(realm)
			if err != nil || u.User != nil || (u.Scheme != "https" && u.Scheme != "http") {
				continue
			}
			host, port, err := ParseHostPort(u.Host)
			if err != nil || checkPath(pathOrRoot(u.EscapedPath())) != nil {
				continue
			}
			if port == 0 {
				port = 443
				if u.Scheme == "http" {
					port = 80
				}
			}
			hp := joinHostPort(host, port)
			if u.Scheme == "http" && !r.insecure[hp] {
				continue // the relay would never reach it over http anyway
			}
			if r.trusted(hp) && !fromTrusted {
				continue
			}
			r.realms.add(u.Scheme + "://" + hp + pathOrRoot(u.EscapedPath()))
		}
	}
}

// redactQuery replaces the query of a URL with "…": token requests carry
// account names and scopes there, storage redirects carry signatures, and the
// relay's answers and logs name URLs without them.
func redactQuery(u string) string {
	if base, _, ok := strings.Cut(u, "?"); ok {
		return base + "?…"
	}
	return u
}

func pathOrRoot(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// stream copies the upstream body to the client, cutting both off when either
// side stalls longer than IdleTimeout.
func (r *Relay) stream(w http.ResponseWriter, body io.Reader, cancel context.CancelFunc) (int64, error) {
	rc := http.NewResponseController(w)
	idle := r.o.IdleTimeout
	timer := time.AfterFunc(idle, cancel)
	defer timer.Stop()
	defer rc.SetWriteDeadline(time.Time{}) // the connection may serve further requests
	buf := make([]byte, 32<<10)
	var n int64
	for {
		timer.Reset(idle) // the upstream read is bounded by the timer…
		k, rerr := body.Read(buf)
		timer.Stop() // …and the client write by the write deadline
		if k > 0 {
			_ = rc.SetWriteDeadline(time.Now().Add(idle))
			wk, werr := w.Write(buf[:k])
			n += int64(wk)
			if werr != nil {
				return n, werr
			}
			_ = rc.Flush()
		}
		if rerr == io.EOF {
			return n, nil
		}
		if rerr != nil {
			return n, rerr
		}
	}
}

// clientAddr is the client's IP (without port); proxy headers are not trusted.
func clientAddr(req *http.Request) string {
	host, _, err := net.SplitHostPort(req.RemoteAddr)
	if err != nil {
		return req.RemoteAddr
	}
	return host
}
