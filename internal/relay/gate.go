package relay

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"sort"
	"strings"
)

// Gate admits a request to the server's relay or registry only when it is
// addressed to the server by one of its own names and comes from the
// server's own page, a non-browser client, or an origin the operator named.
//
// Without it any web page the user visits could read through the relay
// (a cross-origin fetch), and a DNS-rebinding name pointed at the server
// would be same-origin with it: the Host rule refuses the second, the origin
// rule the first. The page is same-origin with the relay, so no CORS is
// needed; for origins named in GateOptions.AllowOrigins (a copy of the page
// hosted elsewhere) the gate answers with CORS headers and preflights.
type Gate struct {
	names   map[string]bool // host names and IP literals (bracketless, lower-case)
	origins map[string]bool // "scheme://host[:port]"
	list    string          // names, sorted, for refusals
	log     *log.Logger
}

// GateOptions configures a Gate.
type GateOptions struct {
	// Listen is the address the server listens on ("127.0.0.1:8080"). Its
	// host is one of the server's names; a loopback listener is also
	// localhost, 127.0.0.1 and ::1; an unspecified one (0.0.0.0, ::) every
	// interface address and those loopback names.
	Listen string
	// Hosts are further names the server is reached by (a DNS name, or the
	// name a proxy in front of it forwards), without a port.
	Hosts []string
	// AllowOrigins are the origins ("https://regscope.example") whose pages
	// may read the relay and the registry cross-origin.
	AllowOrigins []string
	// Logger receives one line per refusal: method, path (never the query)
	// and the reason. nil means no logging.
	Logger *log.Logger
}

// NewGate returns a Gate, or an error naming a Hosts or AllowOrigins entry
// that does not parse.
func NewGate(o GateOptions) (*Gate, error) {
	g := &Gate{names: map[string]bool{}, origins: map[string]bool{}, log: o.Logger}
	if g.log == nil {
		g.log = log.New(io.Discard, "", 0)
	}
	host, _, err := net.SplitHostPort(o.Listen)
	if err != nil {
		return nil, fmt.Errorf("listen address %q: %v", o.Listen, err)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !ip.IsUnspecified() {
		g.addName(host)
	}
	if err == nil && (ip.IsLoopback() || ip.IsUnspecified()) {
		for _, n := range []string{"localhost", "127.0.0.1", "::1"} {
			g.addName(n)
		}
		if ip.IsUnspecified() {
			addrs, _ := net.InterfaceAddrs()
			for _, a := range addrs {
				if p, err := netip.ParsePrefix(a.String()); err == nil {
					g.addName(p.Addr().String())
				}
			}
		}
	}
	for _, h := range o.Hosts {
		name, port, err := ParseHostPort(h)
		if err != nil {
			return nil, fmt.Errorf("--host %q: %w", h, err)
		}
		if port != 0 {
			return nil, fmt.Errorf("--host %q: give the name without a port (any port matches)", h)
		}
		g.addName(name)
	}
	for _, s := range o.AllowOrigins {
		origin, err := parseOrigin(s)
		if err != nil {
			return nil, fmt.Errorf("--allow-origin %q: %v", s, err)
		}
		g.origins[origin] = true
	}
	var names []string
	for n := range g.names {
		names = append(names, n)
	}
	sort.Strings(names)
	g.list = strings.Join(names, ", ")
	return g, nil
}

func (g *Gate) addName(h string) {
	h = strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(h, "["), "]"))
	if ip, err := netip.ParseAddr(h); err == nil {
		h = ip.WithZone("").Unmap().String()
	}
	g.names[h] = true
}

// parseOrigin canonicalises an origin as browsers serialise it in the Origin
// header: scheme "://" host [":" port], lower-case, no default port, no path.
func parseOrigin(s string) (string, error) {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return "", err
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("want http://HOST[:PORT] or https://HOST[:PORT]")
	case u.User != nil || u.RawQuery != "" || u.Fragment != "" || (u.Path != "" && u.Path != "/") || u.Opaque != "":
		return "", fmt.Errorf("an origin is a scheme, a host and a port only")
	}
	host, port, err := ParseHostPort(u.Host)
	if err != nil {
		return "", err
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != 0 && !(u.Scheme == "http" && port == 80) && !(u.Scheme == "https" && port == 443) {
		host = fmt.Sprintf("%s:%d", host, port)
	}
	return u.Scheme + "://" + host, nil
}

// hostName is the name part of a Host header, bracketless and lower-case,
// IP literals canonical.
func hostName(hostport string) string {
	h := hostport
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.HasSuffix(h, "]") {
		h = h[:i]
	}
	h = strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(h, "["), "]"))
	if ip, err := netip.ParseAddr(h); err == nil {
		h = ip.WithZone("").Unmap().String()
	}
	return h
}

// Check judges req. It returns the origin to answer with CORS headers ("" for
// a same-origin or non-browser request), or the refusal.
func (g *Gate) Check(req *http.Request) (corsOrigin string, refusal error) {
	if !g.names[hostName(req.Host)] {
		return "", fmt.Errorf("Host %q is not one of this server's names (%s); a server reached by another name needs --host NAME", truncate(req.Host, 100), g.list)
	}
	origin := req.Header.Get("Origin")
	if origin != "" {
		if g.origins[origin] {
			return origin, nil
		}
		if u, err := url.Parse(origin); err != nil || !strings.EqualFold(u.Host, req.Host) {
			return "", fmt.Errorf("cross-origin request from %q refused: only this server's own page, and origins named with --allow-origin, may use it", truncate(origin, 100))
		}
	}
	switch site := req.Header.Get("Sec-Fetch-Site"); site {
	case "", "same-origin", "none":
	default:
		return "", fmt.Errorf("%s request refused: only this server's own page, and origins named with --allow-origin, may use it", truncate(site, 20))
	}
	return "", nil
}

// Wrap returns next behind the gate: refusals are 403 JSON errors marked
// with RefusalHeader; requests from an allowed origin get CORS headers, and
// their preflights are answered here.
func (g *Gate) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		w.Header().Add("Vary", "Origin")
		origin, err := g.Check(req)
		if err != nil {
			g.log.Printf("refused %s %s: %v", req.Method, truncate(req.URL.Path, 200), err)
			writeError(w, refuse(http.StatusForbidden, "%v", err).by("gate"))
			return
		}
		if origin == "" {
			next.ServeHTTP(w, req)
			return
		}
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
		if req.Method == http.MethodOptions && req.Header.Get("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", "GET, HEAD")
			h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
			h.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, req)
	})
}
