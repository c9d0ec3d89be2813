package regtest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"
)

// World serves registries under their real host names (registry-1.docker.io,
// ghcr.io, …) over HTTPS on this machine, without touching system files:
// each host listens on port 443 of a loopback address of its own
// (127.X.Y.Z) with a certificate from a CA made for the test. Clients reach
// them through the World's resolver (the relay's Options.Resolver) or
// transport (pkg/registry's Options.Transport), which know only these
// names; every other name fails to resolve. Listening on port 443 needs
// root or CAP_NET_BIND_SERVICE, as CI has.
type World struct {
	t      testing.TB
	caCert *x509.Certificate
	caKey  *ecdsa.PrivateKey
	pool   *x509.CertPool

	mu    sync.Mutex
	addrs map[string]netip.Addr // host → its loopback address
	muxes map[string]*http.ServeMux
	log   []Request
	busy  int        // requests being answered
	idle  *sync.Cond // signalled when busy drops to 0
}

// Request is one request a World host answered.
type Request struct {
	Host, Method, Path, Query string
	Authorization             string // the header as received ("" when absent)
	Range                     string
	Status                    int
	Bytes                     int64 // response body bytes written
}

// NewWorld returns an empty World whose servers stop at t.Cleanup.
func NewWorld(t testing.TB) *World {
	t.Helper()
	key, der := selfSigned(t, "regtest world CA")
	ca, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	w := &World{t: t, caCert: ca, caKey: key, pool: pool, addrs: map[string]netip.Addr{}, muxes: map[string]*http.ServeMux{}}
	w.idle = sync.NewCond(&w.mu)
	return w
}

// RootCAs is the pool holding the World's CA, for a client's tls.Config.
func (w *World) RootCAs() *x509.CertPool { return w.pool }

// TLSConfig trusts the World's CA only.
func (w *World) TLSConfig() *tls.Config { return &tls.Config{RootCAs: w.pool} }

// Handle answers requests for host (a DNS name) matching pattern (as
// http.ServeMux reads it) with h. The first Handle for a host starts its
// HTTPS server on port 443 of a fresh loopback address. Every request is
// logged (see Requests).
func (w *World) Handle(host, pattern string, h http.Handler) {
	w.t.Helper()
	w.mu.Lock()
	mux, ok := w.muxes[host]
	w.mu.Unlock()
	if !ok {
		mux = http.NewServeMux()
		w.serve(host, mux)
	}
	mux.Handle(pattern, h)
}

// serve starts host's server.
func (w *World) serve(host string, mux *http.ServeMux) {
	w.t.Helper()
	cert := w.certificate(host)
	var ln net.Listener
	var addr netip.Addr
	var err error
	for range 20 {
		addr = netip.AddrFrom4([4]byte{127, byte(1 + mrand.IntN(250)), byte(mrand.IntN(256)), byte(1 + mrand.IntN(250))})
		if ln, err = net.Listen("tcp", netip.AddrPortFrom(addr, 443).String()); err == nil {
			break
		}
	}
	if err != nil {
		w.t.Fatalf("regtest: %s needs port 443 on a loopback address (run as root or with CAP_NET_BIND_SERVICE): %v", host, err)
	}
	srv := &http.Server{
		Handler:   w.logged(host, mux),
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}},
		ErrorLog:  log.New(io.Discard, "", 0),
	}
	go srv.ServeTLS(ln, "", "")
	w.t.Cleanup(func() { srv.Close() })
	w.mu.Lock()
	w.addrs[host] = addr
	w.muxes[host] = mux
	w.mu.Unlock()
}

// certificate issues a leaf certificate for host from the World's CA.
func (w *World) certificate(host string) tls.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		w.t.Fatalf("regtest: key for %s: %v", host, err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: host},
		DNSNames:     []string{host},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, w.caCert, &key.PublicKey, w.caKey)
	if err != nil {
		w.t.Fatalf("regtest: certificate for %s: %v", host, err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// LookupNetIP resolves the World's host names to their loopback addresses;
// any other name is "no such host". It is a relay.Resolver.
func (w *World) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if a, ok := w.addrs[strings.ToLower(strings.TrimSuffix(host, "."))]; ok {
		return []netip.Addr{a}, nil
	}
	return nil, &net.DNSError{Err: "no such host (not in this test's world)", Name: host, IsNotFound: true}
}

// DialContext connects to host:port through LookupNetIP.
func (w *World) DialContext(ctx context.Context, network, hostport string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return nil, err
	}
	ips, err := w.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, err
	}
	var d net.Dialer
	return d.DialContext(ctx, network, net.JoinHostPort(ips[0].String(), port))
}

// Transport is an HTTP transport that reaches the World's hosts (and
// nothing else) and trusts its CA, for pkg/registry's Options.Transport.
func (w *World) Transport() *http.Transport {
	return &http.Transport{
		DialContext:       w.DialContext,
		TLSClientConfig:   w.TLSConfig(),
		ForceAttemptHTTP2: true,
	}
}

// Requests returns the requests answered so far, in the order they ended.
// It first waits for requests being answered to end, since a client may
// have read a whole response before its handler returned.
func (w *World) Requests() []Request {
	w.mu.Lock()
	defer w.mu.Unlock()
	for w.busy > 0 {
		w.idle.Wait()
	}
	return append([]Request(nil), w.log...)
}

// logged wraps h to record each request it answers.
func (w *World) logged(host string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.mu.Lock()
		w.busy++
		w.mu.Unlock()
		cw := &countingWriter{ResponseWriter: rw, status: http.StatusOK}
		defer func() {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.log = append(w.log, Request{Host: host, Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
				Authorization: r.Header.Get("Authorization"), Range: r.Header.Get("Range"), Status: cw.status, Bytes: cw.n})
			if w.busy--; w.busy == 0 {
				w.idle.Broadcast()
			}
		}()
		h.ServeHTTP(cw, r)
	})
}

// countingWriter records the status and counts body bytes.
type countingWriter struct {
	http.ResponseWriter
	status int
	n      int64
	wrote  bool
}

func (c *countingWriter) WriteHeader(code int) {
	if !c.wrote {
		c.status, c.wrote = code, true
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *countingWriter) Write(b []byte) (int, error) {
	c.wrote = true
	n, err := c.ResponseWriter.Write(b)
	c.n += int64(n)
	return n, err
}

// Flush passes flushes through, so streamed bodies stream.
func (c *countingWriter) Flush() {
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// String formats r as "GET registry-1.docker.io/v2/… 200 (1234 bytes)".
func (r Request) String() string {
	return fmt.Sprintf("%s %s%s %d (%d bytes)", r.Method, r.Host, r.Path, r.Status, r.Bytes)
}

// Hosts lists the host names the World serves.
func (w *World) Hosts() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]string, 0, len(w.addrs))
	for h := range w.addrs {
		out = append(out, h)
	}
	return out
}

// Addr is the loopback address host listens on (port 443).
func (w *World) Addr(host string) netip.Addr {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.addrs[host]
}

// CAPEM is the World's CA certificate in PEM, for a process that must
// trust it (the server's --registry-ca).
func (w *World) CAPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: w.caCert.Raw})
}
