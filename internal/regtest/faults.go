package regtest

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/opencontainers/go-digest"
)

// Kind is what a Fault does to a matching request.
type Kind int

const (
	// Status answers Code (default 503) with Header and a registry error
	// body instead of passing the request on.
	Status Kind = iota
	// Corrupt flips one byte of the response body, at Offset.
	Corrupt
	// Reset sends Offset bytes of the body, then resets the connection.
	Reset
	// Truncate sends Offset bytes of the body under the full
	// Content-Length, then ends the response (the server closes the
	// connection short).
	Truncate
	// IgnoreRange removes the request's Range header, so the registry
	// answers 200 with the whole body.
	IgnoreRange
	// Stall sends Offset bytes of the body, then nothing more until the
	// client goes away or Delay (when set) has passed, when the response
	// ends short: a stalled connection.
	Stall
	// Drip sends Offset bytes of the body, then the rest one byte every
	// Delay (default 10ms) until done or the client goes away: a very slow
	// but live connection.
	Drip
	// Hang answers nothing at all, not even headers, until the client goes
	// away or Delay (when set) has passed, then resets the connection.
	Hang
	// Length changes the Content-Length header by Offset bytes (negative:
	// shorter than the body, so the server stops early; positive: longer,
	// so the response ends short of what it announced).
	Length
	// SetHeader replaces the response headers named in Header (for
	// example Content-Type) on the registry's own answer.
	SetHeader
	// Redirect answers Code (default 307) with Location: Location, or the
	// request's own URL when Location is empty (a redirect loop).
	Redirect
)

// Fault is one misbehaviour of a Faults wrapper.
type Fault struct {
	Kind   Kind
	Path   string      // substring of the URL path selecting requests, e.g. BlobPath(d); "" = every request
	Method string      // "" = GET and HEAD
	Times  int         // matching requests affected; 0 = all
	After  int         // matching requests let through unharmed before the fault applies (e.g. a 401 after N requests)
	Offset int64       // body offset for Corrupt, Reset, Truncate, Stall, Drip; length change for Length
	Code   int         // status for Status (0 = 503) and Redirect (0 = 307)
	Header http.Header // extra response headers for Status (e.g. Retry-After); the headers SetHeader replaces
	Delay  time.Duration
	// Location is where Redirect points: an absolute URL, or a path on
	// this host; "" = the request's own path and query.
	Location string
}

// BlobPath is the path fragment that selects the blob d: "/blobs/sha256:…".
func BlobPath(d digest.Digest) string { return "/blobs/" + string(d) }

// Seen is one request a Faults wrapper received.
type Seen struct {
	Method, Path  string
	Query         string // the raw query, so tests can check what travels in URLs
	Range         string
	CacheControl  string // the Cache-Control header ("no-cache" when a client bypasses caches)
	Authorization bool   // whether an Authorization header was present
	AuthScheme    string // its scheme word as sent ("Basic", "Bearer"), "" when absent
	Fault         bool   // whether a fault was applied
}

// Faults is an http.Handler wrapper that injects faults into a real
// registry's responses and records every request. Add faults at any time;
// it is safe for concurrent use. The zero value is ready.
type Faults struct {
	mu     sync.Mutex
	faults []*armed
	seen   []Seen
}

type armed struct {
	Fault
	used    int // uses of the fault
	skipped int // matching requests let through because of After
}

// Add arms f. Faults are matched in the order added; the first matching
// one with uses left applies.
func (f *Faults) Add(fault Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, &armed{Fault: fault})
}

// Seen returns the requests received so far whose path contains path
// ("" = all).
func (f *Faults) Seen(path string) []Seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Seen
	for _, s := range f.seen {
		if strings.Contains(s.Path, path) {
			out = append(out, s)
		}
	}
	return out
}

// pick returns the fault for req, consuming one use, and records req.
func (f *Faults) pick(req *http.Request) *Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	authz := req.Header.Get("Authorization")
	scheme, _, _ := strings.Cut(authz, " ")
	s := Seen{Method: req.Method, Path: req.URL.Path, Query: req.URL.RawQuery, Range: req.Header.Get("Range"),
		CacheControl: req.Header.Get("Cache-Control"), Authorization: authz != "", AuthScheme: scheme}
	var hit *Fault
	for _, a := range f.faults {
		if a.Times > 0 && a.used >= a.Times {
			continue
		}
		if !strings.Contains(req.URL.Path, a.Path) {
			continue
		}
		if a.Method == "" && req.Method != http.MethodGet && req.Method != http.MethodHead {
			continue
		}
		if a.Method != "" && a.Method != req.Method {
			continue
		}
		if a.skipped < a.After {
			a.skipped++
			break // let this one through, and no later fault either
		}
		a.used++
		fault := a.Fault
		hit = &fault
		break
	}
	s.Fault = hit != nil
	f.seen = append(f.seen, s)
	return hit
}

// Wrap returns next with the faults applied; pass it to GGCRWith or Front.
func (f *Faults) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		fault := f.pick(req)
		if fault == nil {
			next.ServeHTTP(w, req)
			return
		}
		switch fault.Kind {
		case Status:
			writeStatus(w, fault)
		case IgnoreRange:
			req.Header.Del("Range")
			next.ServeHTTP(w, req)
		case Hang:
			hang(w, req, fault.Delay)
		case Redirect:
			loc := fault.Location
			if loc == "" {
				loc = req.URL.RequestURI()
			}
			code := fault.Code
			if code == 0 {
				code = http.StatusTemporaryRedirect
			}
			http.Redirect(w, req, loc, code)
		case SetHeader, Length:
			next.ServeHTTP(&headerWriter{ResponseWriter: w, fault: fault}, req)
		default:
			next.ServeHTTP(&faultyWriter{ResponseWriter: w, req: req, fault: fault}, req)
		}
	})
}
