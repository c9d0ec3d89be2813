package regtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"

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
)

// Fault is one misbehaviour of a Faults wrapper.
type Fault struct {
	Kind   Kind
	Path   string      // substring of the URL path selecting requests, e.g. BlobPath(d); "" = every request
	Method string      // "" = GET and HEAD
	Times  int         // matching requests affected; 0 = all
	Offset int64       // body offset for Corrupt, Reset, Truncate
	Code   int         // status for Status; 0 = 503
	Header http.Header // extra response headers for Status, e.g. Retry-After
}

// BlobPath is the path fragment that selects the blob d: "/blobs/sha256:…".
func BlobPath(d digest.Digest) string { return "/blobs/" + string(d) }

// Seen is one request a Faults wrapper received.
type Seen struct {
	Method, Path  string
	Range         string
	Authorization bool // whether an Authorization header was present
	Fault         bool // whether a fault was applied
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
	used int
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
	s := Seen{Method: req.Method, Path: req.URL.Path, Range: req.Header.Get("Range"), Authorization: req.Header.Get("Authorization") != ""}
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
		default:
			next.ServeHTTP(&faultyWriter{ResponseWriter: w, fault: fault}, req)
		}
	})
}

// writeStatus answers with the fault's status and a registry error body.
func writeStatus(w http.ResponseWriter, fault *Fault) {
	code := fault.Code
	if code == 0 {
		code = http.StatusServiceUnavailable
	}
	for k, v := range fault.Header {
		w.Header()[k] = v
	}
	errCode := "UNAVAILABLE"
	switch code {
	case http.StatusTooManyRequests:
		errCode = "TOOMANYREQUESTS"
	case http.StatusUnauthorized:
		errCode = "UNAUTHORIZED"
	case http.StatusForbidden:
		errCode = "DENIED"
	case http.StatusNotFound:
		errCode = "NAME_UNKNOWN"
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]string{{"code": errCode, "message": "injected by regtest"}}})
}

// errCut stops the wrapped handler once a Reset or Truncate has happened.
var errCut = errors.New("regtest: response cut by fault")

// faultyWriter applies Corrupt, Reset and Truncate to the body written
// through it.
type faultyWriter struct {
	http.ResponseWriter
	fault *Fault
	off   int64
	cut   bool
}

func (w *faultyWriter) Write(p []byte) (int, error) {
	if w.cut {
		return 0, errCut
	}
	start := w.off
	switch w.fault.Kind {
	case Corrupt:
		if i := w.fault.Offset - start; i >= 0 && i < int64(len(p)) {
			q := append([]byte{}, p...)
			q[i] ^= 0xff
			p = q
		}
	case Reset, Truncate:
		if start+int64(len(p)) > w.fault.Offset {
			keep := max(w.fault.Offset-start, 0)
			n, err := w.ResponseWriter.Write(p[:keep])
			w.off += int64(n)
			if err != nil {
				return n, err
			}
			w.cut = true
			if w.fault.Kind == Reset {
				w.reset()
			}
			return n, errCut
		}
	}
	n, err := w.ResponseWriter.Write(p)
	w.off += int64(n)
	return n, err
}

// reset flushes what was written and resets the TCP connection.
func (w *faultyWriter) reset() {
	rc := http.NewResponseController(w.ResponseWriter)
	_ = rc.Flush()
	conn, _, err := rc.Hijack()
	if err != nil {
		panic(fmt.Sprintf("regtest: hijacking for Reset: %v", err))
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0) // RST instead of FIN
	}
	conn.Close()
}

// Unwrap lets http.ResponseController reach the real writer.
func (w *faultyWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
