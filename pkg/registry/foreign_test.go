package registry

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"

	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"

	"github.com/regscope/regscope/internal/regtest"
)

// A non-distributable layer: the registry lacks it, desc.URLs has it.
func TestBlobForeignURLs(t *testing.T) {
	var cdn regtest.Faults
	cdnHost := regtest.GGCRWith(t, cdn.Wrap)
	src := pushRandom(t, cdnHost, "cdn/layers", 5000, 1)
	l := src.layers[0]

	host := regtest.GGCR(t)
	p := pushRandom(t, host, "test/img", 100, 1)
	before := len(cdn.Seen(""))
	desc := l
	desc.URLs = []string{"ftp://nope/x", "http://" + cdnHost + "/v2/cdn/layers/blobs/" + string(l.Digest) + "?sig=secret"}
	got, err := readBlob(t, NewClient(Options{}), p.ref, desc)
	if err != nil || !bytes.Equal(got, src.blobs[l.Digest]) {
		t.Fatalf("foreign blob: %d bytes, %v", len(got), err)
	}
	if s := cdn.Seen("")[before:]; len(s) != 1 || s[0].Authorization || s[0].Method != "GET" {
		t.Errorf("CDN saw %+v, want one request without Authorization", s)
	}

	// Without URLs, the registry's 404 stands.
	desc.URLs = nil
	if _, err := readBlob(t, NewClient(Options{}), p.ref, desc); !errors.Is(err, ErrBlobUnknown) {
		t.Errorf("err = %v, want ErrBlobUnknown", err)
	}
}

func TestManifestContentType(t *testing.T) {
	for in, want := range map[string]string{
		"application/vnd.oci.image.manifest.v1+json":                     "application/vnd.oci.image.manifest.v1+json",
		"application/vnd.docker.distribution.manifest.v1+prettyjws; x=1": "application/vnd.docker.distribution.manifest.v1+prettyjws",
		"Application/JSON ; charset=utf-8":                               "application/json",
		"text/plain;;bad":                                                "text/plain",
		"":                                                               "",
	} {
		if got := mediaType(in); got != want {
			t.Errorf("mediaType(%q) = %q, want %q", in, got, want)
		}
	}
}

// publicWorld serves go-containerregistry's registry handlers over HTTPS on
// loopback under names the client believes public: its Resolver answers a
// public address for them (and a private one for internal.test), while its
// transport dials 127.0.0.1. Each handler is also served over plain HTTP for
// pushing.
type publicWorld struct {
	mu   sync.Mutex
	seen []string // "host path" of every request over HTTPS
	tr   *http.Transport
}

func (w *publicWorld) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	switch host {
	case "registry.test", "cdn.test":
		return []netip.Addr{netip.MustParseAddr("93.184.216.34")}, nil
	case "internal.test":
		return []netip.Addr{netip.MustParseAddr("93.184.216.35"), netip.MustParseAddr("10.0.0.7")}, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// serve runs a registry as name.test; it returns "name.test:PORT" (HTTPS)
// and the plain-HTTP host to push to.
func (w *publicWorld) serve(t *testing.T, name string) (tlsHost, pushHost string) {
	h := ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0)))
	plain := httptest.NewServer(h)
	t.Cleanup(plain.Close)
	s := httptest.NewTLSServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.mu.Lock()
		w.seen = append(w.seen, name+" "+r.URL.Path)
		w.mu.Unlock()
		h.ServeHTTP(rw, r)
	}))
	t.Cleanup(s.Close)
	if w.tr == nil {
		pool := x509.NewCertPool()
		pool.AddCert(s.Certificate())
		w.tr = &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "example.com"},
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				_, port, _ := net.SplitHostPort(addr)
				return (&net.Dialer{}).DialContext(ctx, network, "127.0.0.1:"+port)
			},
		}
	} else {
		w.tr.TLSClientConfig.RootCAs.AddCert(s.Certificate())
	}
	return name + ":" + s.URL[strings.LastIndexByte(s.URL, ':')+1:], strings.TrimPrefix(plain.URL, "http://")
}

// TestForeignURLPolicy: a public registry's foreign layer URLs are held to
// its own destination policy — HTTPS, public hosts only — so an image cannot
// make the client request the user's own network; the refused hosts see
// nothing, and the error says why each was refused.
func TestForeignURLPolicy(t *testing.T) {
	w := &publicWorld{}
	regHost, regPush := w.serve(t, "registry.test")
	cdnHost, cdnPush := w.serve(t, "cdn.test")
	_, internalPush := w.serve(t, "internal.test")
	src := pushRandom(t, cdnPush, "cdn/layers", 5000, 1)
	pushRandom(t, internalPush, "cdn/layers", 10, 1)
	pushRandom(t, regPush, "test/img", 100, 1)
	ref, err := ParseRef(regHost + "/test/img:tag")
	if err != nil {
		t.Fatal(err)
	}
	l := src.layers[0]
	blob := "/v2/cdn/layers/blobs/" + string(l.Digest)
	internalPort := internalPush[strings.LastIndexByte(internalPush, ':')+1:]
	client := func() *Client { return NewClient(Options{Transport: w.tr, Resolver: w}) }

	desc := l
	desc.URLs = []string{
		"http://" + cdnHost + blob,
		"https://10.0.0.7" + blob,
		"https://internal.test:" + internalPort + blob + "?sig=secret",
		"https://localhost:1" + blob,
		"https://user@" + cdnHost + blob,
	}
	_, err = readBlob(t, client(), ref, desc)
	want := "GET https://" + regHost + "/v2/test/img/blobs/" + string(l.Digest) + ": 404 Not Found: BLOB_UNKNOWN: Unknown blob; its foreign URLs were refused: " +
		"http://" + cdnHost + blob + ": plain http, while registry " + regHost + " is spoken to over https; " +
		"https://10.0.0.7" + blob + ": 10.0.0.7 is a private (RFC 1918) address, and registry " + regHost + " is public; " +
		"https://internal.test:" + internalPort + blob + ": internal.test:" + internalPort + " is a private (RFC 1918) address (10.0.0.7), and registry " + regHost + " is public; " +
		"https://localhost:1" + blob + ": localhost:1 is a localhost name, and registry " + regHost + " is public; " +
		"https://" + cdnHost + blob + ": userinfo is not allowed" // the URL named without its userinfo
	if err == nil || err.Error() != want {
		t.Errorf("err:\n%v\nwant:\n%s", err, want)
	}
	w.mu.Lock()
	for _, s := range w.seen {
		if !strings.HasPrefix(s, "registry.test ") {
			t.Errorf("a refused foreign host was asked: %s", s)
		}
	}
	w.mu.Unlock()

	// The control: a public HTTPS URL is fetched, without credentials.
	desc.URLs = []string{"https://" + cdnHost + blob}
	got, err := readBlob(t, client(), ref, desc)
	if err != nil || !bytes.Equal(got, src.blobs[l.Digest]) {
		t.Errorf("public foreign URL: %d bytes, %v", len(got), err)
	}
}
