//go:build !js

package fetch

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/regscope/regscope/internal/relay"
	"github.com/regscope/regscope/pkg/registry"
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

// TestHeadersAreTheRelays: this package names the relay's headers itself
// (it is compiled for the browser); they must be the relay's.
func TestHeadersAreTheRelays(t *testing.T) {
	if RefusalHeader != relay.RefusalHeader || ForeignOfHeader != relay.ForeignOfHeader || ChallengeHeader != relay.ChallengeHeader {
		t.Errorf("headers %q, %q, %q; the relay's are %q, %q, %q", RefusalHeader, ForeignOfHeader, ChallengeHeader,
			relay.RefusalHeader, relay.ForeignOfHeader, relay.ChallengeHeader)
	}
}

// TestForeignURLsNameTheirRegistry: a request the registry client marks as
// a foreign layer URL reaches the relay with ForeignOfHeader naming the
// registry; other requests carry no such header.
func TestForeignURLsNameTheirRegistry(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.URL.Path+" "+r.Header.Get(ForeignOfHeader))
	}))
	defer srv.Close()
	tr := New(http.DefaultTransport, mustURL(t, srv.URL), mustURL(t, srv.URL))
	for _, ctx := range []context.Context{context.Background(), registry.WithForeignOf(context.Background(), "registry.example:443")} {
		req, _ := http.NewRequestWithContext(ctx, "GET", "https://cdn.example/v2/x/blobs/sha256:0", nil)
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	want := []string{"/relay/cdn.example/v2/x/blobs/sha256:0 ", "/relay/cdn.example/v2/x/blobs/sha256:0 registry.example:443"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("the relay saw %q, want %q", got, want)
	}
}

// TestChallengesThatPromptAreRenamed: through the real relay, a 401 whose
// challenges include one a browser would answer with its own login prompt
// (Basic, Negotiate) reaches the browser under ChallengeHeader, never as
// WWW-Authenticate; Bearer-only challenges keep their name; and Transport
// hands the registry client the standard header either way.
func TestChallengesThatPromptAreRenamed(t *testing.T) {
	cases := []struct {
		challenges []string
		renamed    bool
	}{
		{[]string{`Basic realm="regtest"`}, true},
		{[]string{`Bearer realm="https://auth.example/token",service="r"`}, false},
		{[]string{`Bearer realm="https://auth.example/token"`, `Basic realm="r"`}, true},
		{[]string{`Bearer realm="https://auth.example/token", Negotiate`}, true},
	}
	for _, tc := range cases {
		upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header()["Www-Authenticate"] = tc.challenges
			w.WriteHeader(http.StatusUnauthorized)
		}))
		up := strings.TrimPrefix(upstream.URL, "http://")
		rel, err := relay.New(relay.Options{Insecure: []string{up}})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(rel)

		resp, err := http.Get(srv.URL + "/relay/" + up + "/v2/")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		visible, hidden := resp.Header.Values("Www-Authenticate"), resp.Header.Values(relay.ChallengeHeader)
		if tc.renamed && (visible != nil || strings.Join(hidden, "|") != strings.Join(tc.challenges, "|")) {
			t.Errorf("%q through the relay: WWW-Authenticate %q, %s %q; want it only under the latter", tc.challenges, visible, relay.ChallengeHeader, hidden)
		}
		if !tc.renamed && (hidden != nil || strings.Join(visible, "|") != strings.Join(tc.challenges, "|")) {
			t.Errorf("%q through the relay: WWW-Authenticate %q, %s %q; want it unchanged", tc.challenges, visible, relay.ChallengeHeader, hidden)
		}

		tr := New(http.DefaultTransport, mustURL(t, srv.URL), mustURL(t, srv.URL))
		req, _ := http.NewRequest("GET", "https://"+up+"/v2/", nil)
		resp, err = tr.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Values("Www-Authenticate"); strings.Join(got, "|") != strings.Join(tc.challenges, "|") || resp.Header.Get(ChallengeHeader) != "" {
			t.Errorf("%q: Transport gives the registry client WWW-Authenticate %q; want the registry's own", tc.challenges, got)
		}
		srv.Close()
		rel.CloseIdleConnections()
		upstream.Close()
	}
}
