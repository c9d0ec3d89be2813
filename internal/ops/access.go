package ops

import (
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/regscope/regscope/internal/relay"
)

// Access logs one structured line per request and keeps the relay's
// metrics. A line names the method, the path (never the query, which
// carries account names and signatures, and never a header, which carries
// credentials), the status, the body bytes, the duration, the client's
// address and, for the relay, the outcome.
type Access struct {
	Log     *slog.Logger
	Metrics *Metrics // nil: log only
}

// Wrap returns next with access logging and relay metrics around it.
func (a *Access) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		rec := &recorder{ResponseWriter: w}
		isRelay := strings.HasPrefix(req.URL.Path, relay.Prefix)
		if isRelay && a.Metrics != nil {
			a.Metrics.streams.Inc()
			defer a.Metrics.streams.Dec()
		}
		start := time.Now()
		defer func() {
			// A handler that aborts (panic(http.ErrAbortHandler)) cut the
			// body: record it, then let net/http close the connection.
			p := recover()
			a.done(req, rec, isRelay, time.Since(start), p != nil)
			if p != nil {
				panic(p)
			}
		}()
		next.ServeHTTP(rec, req)
	})
}

func (a *Access) done(req *http.Request, rec *recorder, isRelay bool, d time.Duration, aborted bool) {
	status := rec.status
	if status == 0 {
		status = http.StatusOK
	}
	attrs := []slog.Attr{
		slog.String("method", req.Method),
		slog.String("path", req.URL.Path),
		slog.Int("status", status),
		slog.Int64("bytes", rec.n),
		slog.Float64("seconds", d.Seconds()),
		slog.String("client", clientIP(req.RemoteAddr)),
	}
	if isRelay {
		outcome, rule := classify(req, rec, status, aborted)
		attrs = append(attrs, slog.String("outcome", outcome))
		if a.Metrics != nil {
			a.Metrics.requests.WithLabelValues(outcome).Inc()
			a.Metrics.bytes.Add(float64(rec.n))
			if rule != "" {
				a.Metrics.refusals.WithLabelValues(rule).Inc()
			}
		}
	}
	a.Log.LogAttrs(req.Context(), slog.LevelInfo, "request", attrs...)
}

// classify names a relay request's outcome and, for the server's own
// refusals, the rule that refused it.
func classify(req *http.Request, rec *recorder, status int, aborted bool) (outcome, rule string) {
	if rec.Header().Get(relay.RefusalHeader) != "" {
		if rule := rec.Header().Get(relay.RuleHeader); rule != "" {
			return "refused", rule
		}
		if status < 500 && status != 499 {
			return "refused", "other" // a refusal no rule names yet
		}
		return "failed", "" // unreachable, timed out, too many redirects, client gone
	}
	if cl, err := strconv.ParseInt(rec.Header().Get("Content-Length"), 10, 64); aborted ||
		(err == nil && req.Method != http.MethodHead && status != http.StatusNotModified && rec.n < cl) {
		return "incomplete", ""
	}
	switch {
	case status < 400:
		return "ok", ""
	case status == http.StatusNotFound:
		return "not_found", ""
	case status == http.StatusUnauthorized:
		return "unauthorized", ""
	case status == http.StatusTooManyRequests:
		return "rate_limited", ""
	case status < 500:
		return "client_error", ""
	}
	return "upstream_error", ""
}

func clientIP(remote string) string {
	if h, _, err := net.SplitHostPort(remote); err == nil {
		return h
	}
	return remote
}

// recorder notes the status and counts the body bytes written. Unwrap lets
// http.ResponseController reach the connection (Flush, write deadlines).
type recorder struct {
	http.ResponseWriter
	status int
	n      int64
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(p)
	r.n += int64(n)
	return n, err
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
