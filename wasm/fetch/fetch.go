// Package fetch routes the engine's registry traffic in the browser.
//
// A page may fetch another origin only when that origin sends CORS headers,
// and most registries (Docker Hub among them) send none: the browser then
// fails the request with an opaque "TypeError: Failed to fetch". Transport
// therefore sends requests to the page's own origin directly (the embedded
// demo registry), requests to hosts known to send CORS headers directly, and
// everything else — registry API calls and token realms alike — through the
// relay of the server that served the page:
//
//	https://registry-1.docker.io/v2/library/alpine/manifests/3.20
//	→ {origin}/relay/registry-1.docker.io/v2/library/alpine/manifests/3.20
//
// When a direct request fails the way a CORS refusal does, the host is
// remembered and the request is retried through the relay. When the page was
// served without a relay (a static copy of the page, `regscope site`),
// everything goes direct unless ChooseRelay names a relay elsewhere.
package fetch

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/regscope/regscope/pkg/registry"
)

// RelayPath is the path prefix of the relay on the page's origin.
const RelayPath = "/relay/"

// RelayURL rewrites u to go through the relay at origin:
// {origin}/relay/{host[:port]}/{path}?{query}. The scheme of u is dropped;
// the relay decides it (https, or http for hosts its operator allowed).
func RelayURL(origin *url.URL, u *url.URL) *url.URL {
	r := *origin
	p := u.EscapedPath()
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	ru, err := url.Parse(strings.TrimSuffix(origin.Path, "/") + RelayPath + u.Host + p)
	if err != nil { // cannot happen for a parsed URL's host and escaped path
		ru = &url.URL{Path: strings.TrimSuffix(origin.Path, "/") + RelayPath + u.Host + u.Path}
	}
	r.Path, r.RawPath = ru.Path, ru.RawPath
	r.RawQuery = u.RawQuery
	r.Fragment, r.RawFragment = "", ""
	return &r
}

// SameOrigin reports whether u is on origin (same host and port; the scheme
// is not compared because registry clients may try https first).
func SameOrigin(origin, u *url.URL) bool {
	return strings.EqualFold(u.Host, origin.Host)
}

// RelayError reports that a request could not be relayed: the relay was
// unreachable, or refused the destination.
type RelayError struct {
	Host   string // the registry host the request was for
	Status int    // the relay's HTTP status, 0 when it could not be reached
	Reason string
}

func (e *RelayError) Error() string {
	if e.Status == 0 {
		return fmt.Sprintf("relay for %s unreachable: %s", e.Host, e.Reason)
	}
	return fmt.Sprintf("relay refused %s (HTTP %d): %s", e.Host, e.Status, e.Reason)
}

// Permanent reports whether another attempt cannot help: a refusal (a
// status) is final; an unreachable relay may come back.
func (e *RelayError) Permanent() bool { return e.Status != 0 }

// CORSError reports that a registry could not be fetched directly (no CORS
// headers, or unreachable) and there is no relay to fall back on.
type CORSError struct {
	Host   string
	Origin string // the page's origin, which a relay must allow (serve --allow-origin)
	Err    error
}

func (e *CORSError) Error() string {
	return fmt.Sprintf("%s does not allow browsers (no CORS headers) or is unreachable, and this page has no relay: %v", e.Host, e.Err)
}
func (e *CORSError) Unwrap() error { return e.Err }

// IsFetchFailure reports whether err is how the browser's fetch reports a
// network or CORS failure (an opaque TypeError, surfaced by net/http as
// "fetch() failed: TypeError: …").
func IsFetchFailure(err error) bool {
	return err != nil && strings.Contains(err.Error(), "TypeError")
}

// Transport is an http.RoundTripper routing requests as the package doc says.
type Transport struct {
	Base   http.RoundTripper // the browser's fetch; nil = http.DefaultTransport
	Origin *url.URL          // the page's origin, e.g. http://127.0.0.1:8080
	// Relay is the base URL of the regscope server whose relay is used
	// (the page's own origin when that server served the page; another
	// origin for a static copy, see ChooseRelay); nil = no relay.
	Relay *url.URL

	mu     sync.Mutex
	direct map[string]bool // host → try direct (true) or relay (false)
}

// New returns a Transport for a page served from origin, relaying through
// the server at relay (nil: none).
func New(base http.RoundTripper, origin, relay *url.URL) *Transport {
	return &Transport{Base: base, Origin: origin, Relay: relay}
}

// Direct marks host as one to try directly before the relay. A host belongs
// here only when its API, its token realm and the blob storage it redirects
// to all send CORS headers; a host wrongly marked costs one failed request
// before the relay takes over. None of the large public registries is known
// to qualify for all three, so with a relay every host starts relayed.
func (t *Transport) Direct(host string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.direct == nil {
		t.direct = map[string]bool{}
	}
	t.direct[strings.ToLower(host)] = true
}

func (t *Transport) tryDirect(host string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.direct[strings.ToLower(host)]
}

func (t *Transport) noDirect(host string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.direct[strings.ToLower(host)] = false
}

func (t *Transport) base() http.RoundTripper {
	if t.Base != nil {
		return t.Base
	}
	return http.DefaultTransport
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if SameOrigin(t.Origin, req.URL) {
		r := req.Clone(req.Context())
		r.URL.Scheme = t.Origin.Scheme
		return t.base().RoundTrip(r)
	}
	host := req.URL.Host
	if t.Relay == nil {
		resp, err := t.base().RoundTrip(req)
		if IsFetchFailure(err) {
			return nil, &CORSError{Host: host, Origin: t.Origin.Scheme + "://" + t.Origin.Host, Err: err}
		}
		return resp, err
	}
	if t.tryDirect(host) && (req.Body == nil || req.Body == http.NoBody) {
		resp, err := t.base().RoundTrip(req)
		if !IsFetchFailure(err) || req.Context().Err() != nil {
			return resp, err
		}
		t.noDirect(host) // remember: this host needs the relay
	}
	r := req.Clone(req.Context())
	r.URL = RelayURL(t.Relay, req.URL)
	r.Host = ""
	if reg, ok := registry.ForeignOf(req.Context()); ok {
		r.Header.Set(ForeignOfHeader, reg) // the relay judges the URL as a hop from that registry
	}
	resp, err := t.base().RoundTrip(r)
	if err != nil {
		if req.Context().Err() != nil {
			return nil, err
		}
		return nil, &RelayError{Host: host, Reason: err.Error()}
	}
	if reason := relayRefusal(resp); reason != "" {
		resp.Body.Close()
		return nil, &RelayError{Host: host, Status: resp.StatusCode, Reason: reason}
	}
	if vv := resp.Header.Values(ChallengeHeader); len(vv) > 0 {
		resp.Header.Del(ChallengeHeader)
		resp.Header["Www-Authenticate"] = vv
	}
	return resp, nil
}

// ForeignOfHeader tells the relay that a request is for a layer's foreign
// URL, named by the manifest of the registry at this host[:port]
// (internal/relay's ForeignOfHeader).
const ForeignOfHeader = "X-Regscope-Foreign-Of"

// RefusalHeader marks an answer the regscope server made itself (a refusal
// by its relay or its gate) rather than one it passed through from a
// registry. It is internal/relay's RefusalHeader; this package is compiled
// for the browser and does not import the server's.
const RefusalHeader = "X-Regscope-Relay-Error"

// ChallengeHeader is internal/relay's ChallengeHeader: the relay passes a
// registry's WWW-Authenticate under this name when it offers a scheme a
// browser would answer with its own login prompt, and RoundTrip restores it.
const ChallengeHeader = "X-Regscope-Www-Authenticate"

// relayRefusal recognises an answer the relay itself made, by RefusalHeader
// alone: a registry's or token service's answer can carry any status and any
// body, the relay's own {"error": "…"} included, and passes through. It
// returns the reason the relay's JSON body gives (the status text when the
// body has none), or "" for a relayed answer, whose body is left untouched.
func relayRefusal(resp *http.Response) string {
	if resp.Header.Get(RefusalHeader) == "" {
		return ""
	}
	head, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var body struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(head, &body) != nil || body.Error == "" {
		return http.StatusText(resp.StatusCode)
	}
	return body.Error
}

// errIsRelay reports whether err came from the relay (for classification).
func errIsRelay(err error) bool {
	var re *RelayError
	var ce *CORSError
	return errors.As(err, &re) || errors.As(err, &ce)
}

// IsRelayError reports whether err (anywhere in its chain) is a *RelayError or *CORSError.
func IsRelayError(err error) bool { return errIsRelay(err) }
