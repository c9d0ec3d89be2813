package ops

import (
	"fmt"
	"net/http"
	"sync/atomic"
)

// Health answers a load balancer's probes. /healthz says the process
// serves; /readyz says it should get traffic: not while Ready reports an
// error (the WebAssembly still building, say) nor once Drain was called at
// the start of a graceful shutdown.
type Health struct {
	Ready    func() error // nil: always ready
	draining atomic.Bool
}

// Drain makes /readyz answer 503 from now on.
func (h *Health) Drain() { h.draining.Store(true) }

// Healthz answers 200 "ok".
func (h *Health) Healthz(w http.ResponseWriter, r *http.Request) {
	plain(w, http.StatusOK, "ok")
}

// Readyz answers 200 "ready", or 503 with the reason.
func (h *Health) Readyz(w http.ResponseWriter, r *http.Request) {
	if h.draining.Load() {
		plain(w, http.StatusServiceUnavailable, "draining: shutting down")
		return
	}
	if h.Ready != nil {
		if err := h.Ready(); err != nil {
			plain(w, http.StatusServiceUnavailable, "not ready: "+err.Error())
			return
		}
	}
	plain(w, http.StatusOK, "ready")
}

func plain(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	fmt.Fprintln(w, msg)
}

// Routes answers GET /healthz, /readyz and /metrics (when m is not nil)
// and hands every other request to next unchanged (no path cleaning: the
// relay judges raw paths itself).
func Routes(next http.Handler, h *Health, m *Metrics) http.Handler {
	var metrics http.Handler
	if m != nil {
		metrics = m.Handler()
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			switch r.URL.Path {
			case "/healthz":
				h.Healthz(w, r)
				return
			case "/readyz":
				h.Readyz(w, r)
				return
			case "/metrics":
				if metrics != nil {
					metrics.ServeHTTP(w, r)
					return
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}
