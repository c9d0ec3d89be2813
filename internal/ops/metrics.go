// Package ops is what an operator running `regscope serve` for a team needs
// beside the page and the relay: Prometheus metrics, structured access logs
// that never carry a credential or a query, and health and readiness
// answers for a load balancer.
package ops

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/regscope/regscope/pkg/registry"
)

// Metrics are the server's Prometheus metrics, in a registry of their own
// (with the Go runtime's and the process's), served by Handler.
type Metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec   // relay requests by outcome
	refusals  *prometheus.CounterVec   // the server's own refusals by rule
	bytes     prometheus.Counter       // body bytes the relay streamed to clients
	streams   prometheus.Gauge         // relay requests in flight
	upstream  *prometheus.HistogramVec // time to response headers, by destination
	mirror    *prometheus.CounterVec   // mirror outcomes by upstream
	upstreamE *prometheus.CounterVec   // upstream round trips that failed below HTTP
}

// NewMetrics returns the metrics, registered.
func NewMetrics() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "regscope_relay_requests_total",
		Help: "Relay requests by outcome: ok (2xx/3xx/304 passed through), not_found, unauthorized, rate_limited, client_error and upstream_error (the registry's 404, 401, 429, other 4xx, 5xx), refused (the server's own refusal), failed (the upstream unreachable or timing out), incomplete (the body was cut mid-stream).",
	}, []string{"outcome"})
	m.refusals = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "regscope_relay_refusals_total",
		Help: "Requests the relay or its gate refused, by rule: gate (Host or origin), method, target (not a relay URL it can parse), destination (scheme, path or realm, allowed host), address (blocked at dial time), redirect, client_limit.",
	}, []string{"rule"})
	m.bytes = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "regscope_relay_bytes_total",
		Help: "Body bytes the relay streamed to clients.",
	})
	m.streams = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "regscope_relay_streams",
		Help: "Relay requests in flight (blobs being streamed, among others).",
	})
	m.upstream = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "regscope_relay_upstream_seconds",
		Help:    "Time from sending a request to a registry (to: upstream or mirror) to its response headers.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"to"})
	m.upstreamE = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "regscope_relay_upstream_errors_total",
		Help: "Requests to a registry (to: upstream or mirror) that failed without an HTTP answer.",
	}, []string{"to"})
	m.mirror = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "regscope_mirror_requests_total",
		Help: "Manifest and blob requests for a mirrored upstream, by result: hit (the mirror answered), miss (404 at the mirror), error (the mirror failed), bypass (the client asked past caches after a digest mismatch).",
	}, []string{"upstream", "result"})
	m.reg.MustRegister(m.requests, m.refusals, m.bytes, m.streams, m.upstream, m.upstreamE, m.mirror,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// ObserveMirror counts one mirror outcome (registry.MirrorTransport.Observe).
func (m *Metrics) ObserveMirror(mi registry.Mirror, o registry.MirrorOutcome) {
	m.mirror.WithLabelValues(mi.Upstream, string(o)).Inc()
}

// Upstream wraps the transport that reaches registries, timing each round
// trip to its response headers. isMirror tells a mirror's host:port from an
// upstream's; nil means there are no mirrors.
func (m *Metrics) Upstream(next http.RoundTripper, isMirror func(host string) bool) http.RoundTripper {
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		to := "upstream"
		if isMirror != nil && isMirror(req.URL.Host) {
			to = "mirror"
		}
		start := time.Now()
		resp, err := next.RoundTrip(req)
		if err != nil {
			if req.Context().Err() == nil {
				m.upstreamE.WithLabelValues(to).Inc()
			}
			return nil, err
		}
		m.upstream.WithLabelValues(to).Observe(time.Since(start).Seconds())
		return resp, nil
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
