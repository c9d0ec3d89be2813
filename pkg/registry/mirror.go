package registry

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// A Mirror is a pull-through cache of one upstream registry, as in Docker's
// registry-mirrors: CNCF Distribution run with proxy.remoteurl, for
// example. A mirror is never trusted: everything it serves is verified
// against the digests the pull asks for, and a pull that finds a digest
// mismatch asks again with caches bypassed (see WithoutCaches). What a tag
// names is the one thing taken from the mirror unverified, as Docker does;
// a reference pinned by digest trusts no mirror at all.
type Mirror struct {
	Upstream string   // API host[:port] of the upstream, "registry-1.docker.io"
	URL      *url.URL // the mirror's base URL, scheme://host[:port]
}

// String is the "UPSTREAM=URL" form ParseMirror reads.
func (m Mirror) String() string { return m.Upstream + "=" + m.URL.String() }

// ParseMirror parses "UPSTREAM=URL", e.g. "docker.io=https://cache.internal:5000".
// UPSTREAM is a registry domain as references name it ("docker.io" means
// registry-1.docker.io); URL is http or https, a host and optional port, and
// no path, query or credentials.
func ParseMirror(s string) (Mirror, error) {
	up, raw, ok := strings.Cut(s, "=")
	if !ok || up == "" || raw == "" {
		return Mirror{}, fmt.Errorf("mirror %q: want UPSTREAM=URL, e.g. docker.io=https://cache.internal:5000", s)
	}
	if strings.ContainsAny(up, "/@?# ") {
		return Mirror{}, fmt.Errorf("mirror %q: upstream %q is not a registry host[:port]", s, up)
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return Mirror{}, fmt.Errorf("mirror %q: %v", s, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return Mirror{}, fmt.Errorf("mirror %q: URL scheme must be http or https", s)
	case u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || (u.Path != "" && u.Path != "/"):
		return Mirror{}, fmt.Errorf("mirror %q: URL must be scheme://host[:port] with no path, query or credentials", s)
	}
	u.Path = ""
	up = strings.ToLower(up)
	if up == dockerHubDomain {
		up = dockerHubHost
	}
	return Mirror{Upstream: canonicalHost(up, "https"), URL: u}, nil
}

// canonicalHost lower-cases hostport and drops the scheme's default port.
func canonicalHost(hostport, scheme string) string {
	h := strings.ToLower(hostport)
	if scheme == "https" {
		return strings.TrimSuffix(h, ":443")
	}
	return strings.TrimSuffix(h, ":80")
}

// MirrorOutcome is what happened to one request for a mirrored upstream.
type MirrorOutcome string

const (
	MirrorHit    MirrorOutcome = "hit"    // the mirror answered (2xx, 3xx or 304)
	MirrorMiss   MirrorOutcome = "miss"   // the mirror answered 404; the upstream was asked
	MirrorError  MirrorOutcome = "error"  // the mirror failed or answered another error; the upstream was asked
	MirrorBypass MirrorOutcome = "bypass" // the request said Cache-Control: no-cache; the upstream was asked
)

// DefaultMirrorTimeout bounds how long a mirror may take to answer with
// headers before the upstream is asked instead.
const DefaultMirrorTimeout = 10 * time.Second

// MirrorTransport sends GET and HEAD requests for manifests and blobs
// (/v2/NAME/manifests/REF, /v2/NAME/blobs/DIGEST) of a mirrored upstream to
// its mirror first, without the request's Authorization (which belongs to
// the upstream), and to the upstream when the mirror fails, answers an
// error or is slower than Timeout to answer. Every other request, and one
// carrying Cache-Control: no-cache, goes to the upstream alone.
type MirrorTransport struct {
	Next    http.RoundTripper // nil means http.DefaultTransport
	Mirrors []Mirror
	Timeout time.Duration // 0 means DefaultMirrorTimeout
	// Observe, when set, is told the outcome of every manifest or blob
	// request for a mirrored upstream.
	Observe func(m Mirror, o MirrorOutcome)
}

// RoundTrip routes req as the type's doc says.
func (t *MirrorTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	next := t.Next
	if next == nil {
		next = http.DefaultTransport
	}
	m, ok := t.mirrorFor(req)
	if !ok {
		return next.RoundTrip(req)
	}
	if strings.Contains(strings.ToLower(req.Header.Get("Cache-Control")), "no-cache") {
		t.observe(m, MirrorBypass)
		return next.RoundTrip(req)
	}
	resp, err := t.tryMirror(next, req, m)
	switch {
	case err == nil && (resp.StatusCode < 400):
		t.observe(m, MirrorHit)
		return resp, nil
	case req.Context().Err() != nil:
		if resp != nil {
			resp.Body.Close()
		}
		return nil, context.Cause(req.Context())
	case err == nil && resp.StatusCode == http.StatusNotFound:
		t.observe(m, MirrorMiss)
	default:
		t.observe(m, MirrorError)
	}
	if resp != nil {
		io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
		resp.Body.Close()
	}
	return next.RoundTrip(req)
}

func (t *MirrorTransport) observe(m Mirror, o MirrorOutcome) {
	if t.Observe != nil {
		t.Observe(m, o)
	}
}

// mirrorFor returns the mirror for a manifest or blob GET/HEAD to a mirrored upstream.
func (t *MirrorTransport) mirrorFor(req *http.Request) (Mirror, bool) {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		return Mirror{}, false
	}
	if !isContentPath(req.URL.Path) {
		return Mirror{}, false
	}
	host := canonicalHost(req.URL.Host, req.URL.Scheme)
	for _, m := range t.Mirrors {
		if m.Upstream == host {
			return m, true
		}
	}
	return Mirror{}, false
}

// isContentPath reports whether p is /v2/NAME/manifests/REF or /v2/NAME/blobs/DIGEST.
func isContentPath(p string) bool {
	seg := strings.Split(strings.TrimPrefix(p, "/"), "/")
	if len(seg) < 4 || seg[0] != "v2" || seg[len(seg)-1] == "" {
		return false
	}
	kind := seg[len(seg)-2]
	return kind == "manifests" || (kind == "blobs" && seg[len(seg)-1] != "uploads")
}

// tryMirror sends req's method, path and headers, less Authorization and
// Cookie, to the mirror. A relative Location in its answer is made
// absolute against the mirror, so a redirect stays on the mirror's side.
func (t *MirrorTransport) tryMirror(next http.RoundTripper, req *http.Request, m Mirror) (*http.Response, error) {
	timeout := t.Timeout
	if timeout <= 0 {
		timeout = DefaultMirrorTimeout
	}
	ctx, cancel := context.WithCancel(req.Context())
	timer := time.AfterFunc(timeout, cancel)
	out := req.Clone(ctx)
	out.URL.Scheme, out.URL.Host = m.URL.Scheme, m.URL.Host
	out.Host = ""
	out.Header.Del("Authorization")
	out.Header.Del("Cookie")
	resp, err := next.RoundTrip(out)
	if !timer.Stop() || err != nil {
		cancel()
		if err == nil {
			resp.Body.Close()
			err = fmt.Errorf("mirror %s: no answer within %s", m.URL.Host, timeout)
		}
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	if loc := resp.Header.Get("Location"); loc != "" {
		if l, err := out.URL.Parse(loc); err == nil {
			resp.Header.Set("Location", l.String())
		}
	}
	return resp, nil
}

// cancelOnClose ends a request's context when its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}
