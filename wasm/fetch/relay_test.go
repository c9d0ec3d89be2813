//go:build !js

package fetch

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/regscope/regscope/internal/relay"
)

// TestRelayRefusalsByHeaderOnly puts the real relay between Transport and a
// registry that answers 403 with exactly the body the relay uses for its
// own refusals: that answer is the registry's and passes through; the
// relay's own refusal (a path it will not relay) is a *RelayError.
func TestRelayRefusalsByHeaderOnly(t *testing.T) {
	const body = `{"error":"destination 127.0.0.1:5000 is a loopback address (127.0.0.1); refused unless allowed with --allow-host or --insecure-registry 127.0.0.1:5000"}` + "\n"
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, body)
	}))
	defer upstream.Close()
	up := strings.TrimPrefix(upstream.URL, "http://")
	rel, err := relay.New(relay.Options{Insecure: []string{up}})
	if err != nil {
		t.Fatal(err)
	}
	defer rel.CloseIdleConnections()
	srv := httptest.NewServer(rel)
	defer srv.Close()
	tr := New(http.DefaultTransport, mustURL(t, srv.URL), mustURL(t, srv.URL))

	req, _ := http.NewRequest("GET", "https://"+up+"/v2/", nil)
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatalf("the registry's own 403: %v", err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || string(got) != body {
		t.Errorf("the registry's 403 reached the client as %d %q; want it unchanged", resp.StatusCode, got)
	}

	req, _ = http.NewRequest("GET", "https://"+up+"/admin", nil)
	_, err = tr.RoundTrip(req)
	var re *RelayError
	if !errors.As(err, &re) || re.Status != http.StatusForbidden ||
		re.Reason != "path /admin on "+up+" is neither a registry API path (/v2/…) nor a token realm a registry announced" {
		t.Errorf("the relay's refusal: %v", err)
	}
}
