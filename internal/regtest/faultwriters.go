package regtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"
)

// How a fault misbehaves: statuses, hangs and the writers that lie about,
// cut, drip or corrupt a response.

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

// hang waits for the client to go away (or d), then resets the connection
// without having answered.
func hang(w http.ResponseWriter, req *http.Request, d time.Duration) {
	wait(req, d)
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(fmt.Sprintf("regtest: hijacking for Hang: %v", err))
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}

// wait blocks until req's client goes away or, when d > 0, d has passed.
// It reports whether the client is still there.
func wait(req *http.Request, d time.Duration) bool {
	var timeout <-chan time.Time
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-req.Context().Done():
		return false
	case <-timeout:
		return true
	}
}

// headerWriter applies SetHeader and Length when the registry writes its
// response header.
type headerWriter struct {
	http.ResponseWriter
	fault       *Fault
	wroteHeader bool
	written     int64
}

func (w *headerWriter) WriteHeader(code int) {
	if !w.wroteHeader {
		w.wroteHeader = true
		h := w.Header()
		switch w.fault.Kind {
		case SetHeader:
			for k, v := range w.fault.Header {
				h[http.CanonicalHeaderKey(k)] = v
			}
		case Length:
			if n, err := strconv.ParseInt(h.Get("Content-Length"), 10, 64); err == nil && (code == http.StatusOK || code == http.StatusPartialContent) {
				h.Set("Content-Length", strconv.FormatInt(max(n+w.fault.Offset, 0), 10))
			}
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *headerWriter) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if w.fault.Kind == Length && w.fault.Offset < 0 {
		// net/http refuses a Write that would pass Content-Length, sending
		// none of it; send what fits, as a server that stops early would.
		n, err := strconv.ParseInt(w.Header().Get("Content-Length"), 10, 64)
		if err == nil && w.written+int64(len(p)) > n {
			k, _ := w.ResponseWriter.Write(p[:max(n-w.written, 0)])
			w.written += int64(k)
			return k, errCut
		}
	}
	k, err := w.ResponseWriter.Write(p)
	w.written += int64(k)
	return k, err
}

// Unwrap lets http.ResponseController reach the real writer.
func (w *headerWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// errCut stops the wrapped handler once a Reset or Truncate has happened.
var errCut = errors.New("regtest: response cut by fault")

// faultyWriter applies Corrupt, Reset, Truncate, Stall and Drip to the
// body written through it.
type faultyWriter struct {
	http.ResponseWriter
	req   *http.Request
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
	case Drip:
		if start+int64(len(p)) > w.fault.Offset {
			return w.drip(p)
		}
	case Reset, Truncate, Stall:
		if start+int64(len(p)) > w.fault.Offset {
			keep := max(w.fault.Offset-start, 0)
			n, err := w.ResponseWriter.Write(p[:keep])
			w.off += int64(n)
			if err != nil {
				return n, err
			}
			w.cut = true
			switch w.fault.Kind {
			case Reset:
				w.reset()
			case Stall:
				_ = http.NewResponseController(w.ResponseWriter).Flush()
				wait(w.req, w.fault.Delay)
			}
			return n, errCut
		}
	}
	n, err := w.ResponseWriter.Write(p)
	w.off += int64(n)
	return n, err
}

// drip writes p up to Offset at once, then a byte every Delay.
func (w *faultyWriter) drip(p []byte) (int, error) {
	delay := w.fault.Delay
	if delay <= 0 {
		delay = 10 * time.Millisecond
	}
	rc := http.NewResponseController(w.ResponseWriter)
	written := 0
	for written < len(p) {
		chunk := 1
		if w.off < w.fault.Offset {
			chunk = int(min(w.fault.Offset-w.off, int64(len(p)-written)))
		} else if !wait(w.req, delay) {
			w.cut = true
			return written, errCut
		}
		n, err := w.ResponseWriter.Write(p[written : written+chunk])
		written += n
		w.off += int64(n)
		if err != nil {
			return written, err
		}
		if err := rc.Flush(); err != nil {
			return written, err
		}
	}
	return written, nil
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
