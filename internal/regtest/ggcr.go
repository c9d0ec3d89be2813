package regtest

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"
)

// GGCR starts go-containerregistry's in-memory registry on 127.0.0.1 at a
// random port, with its request log silenced, and returns its host
// ("127.0.0.1:PORT"). It is closed at t.Cleanup.
func GGCR(t testing.TB) string {
	t.Helper()
	return GGCRWith(t, nil)
}

// GGCRWith is GGCR with the registry's handler wrapped by wrap (for
// example (*Faults).Wrap); a nil wrap adds nothing.
func GGCRWith(t testing.TB, wrap func(http.Handler) http.Handler) string {
	t.Helper()
	var h http.Handler = registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	if wrap != nil {
		h = wrap(h)
	}
	return serve(t, h)
}

// serve runs h on 127.0.0.1 and returns its host.
func serve(t testing.TB, h http.Handler) string {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatalf("regtest: parsing server URL %q: %v", s.URL, err)
	}
	return u.Host
}
