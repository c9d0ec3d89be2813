package fetch

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestRelayURL(t *testing.T) {
	tests := []struct {
		origin, in, want string
	}{
		{"http://127.0.0.1:8080", "https://registry-1.docker.io/v2/library/alpine/manifests/3.20",
			"http://127.0.0.1:8080/relay/registry-1.docker.io/v2/library/alpine/manifests/3.20"},
		{"https://regscope.example", "https://auth.docker.io/token?scope=repository%3Alibrary%2Falpine%3Apull&service=registry.docker.io",
			"https://regscope.example/relay/auth.docker.io/token?scope=repository%3Alibrary%2Falpine%3Apull&service=registry.docker.io"},
		{"http://127.0.0.1:8080/sub/", "http://localhost:5000/v2/", "http://127.0.0.1:8080/sub/relay/localhost:5000/v2/"},
		{"http://[::1]:8080", "https://[2001:db8::1]:443/v2/a%2Fb/blobs/sha256:x", "http://[::1]:8080/relay/[2001:db8::1]:443/v2/a%2Fb/blobs/sha256:x"},
		{"http://o", "https://h/v2/x#frag", "http://o/relay/h/v2/x"},
	}
	for _, tt := range tests {
		got := RelayURL(mustURL(t, tt.origin), mustURL(t, tt.in)).String()
		if got != tt.want {
			t.Errorf("RelayURL(%s, %s) = %s, want %s", tt.origin, tt.in, got, tt.want)
		}
	}
}

// failing stands in for the browser's fetch refusing a cross-origin request.
type failing struct{ next http.RoundTripper }

func (f failing) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Host == "cors-less.example" || r.URL.Host == "down.example" {
		return nil, errors.New("net/http: fetch() failed: TypeError: Failed to fetch")
	}
	return f.next.RoundTrip(r)
}

func TestTransport(t *testing.T) {
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.URL.RequestURI())
		switch {
		case strings.HasPrefix(r.URL.Path, "/relay/refused.example/"):
			w.Header().Set(RefusalHeader, "1")
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, "not JSON")
		case strings.HasPrefix(r.URL.Path, "/relay/loopback.example/"):
			w.Header().Set(RefusalHeader, "1")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `{"error":"destination 127.0.0.1 is loopback"}`)
		case strings.HasPrefix(r.URL.Path, "/relay/lookalike.example/"):
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `{"error":"destination 127.0.0.1 is loopback"}`)
		case strings.HasPrefix(r.URL.Path, "/relay/token.example/"):
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `{"error":"access_denied","error_description":"no"}`)
		case strings.HasPrefix(r.URL.Path, "/relay/denied.example/"):
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Docker-Distribution-Api-Version", "registry/2.0")
			http.Error(w, `{"errors":[{"code":"DENIED"}]}`, http.StatusForbidden)
		default:
			io.WriteString(w, "ok")
		}
	}))
	defer srv.Close()
	origin := mustURL(t, srv.URL)
	base := failing{http.DefaultTransport}

	get := func(tr *Transport, u string) (*http.Response, error) {
		req, _ := http.NewRequest("GET", u, nil)
		return tr.RoundTrip(req)
	}

	tr := New(base, origin, origin)
	tr.Direct("cors-less.example")

	// Same origin goes direct, with the origin's scheme.
	seen = nil
	resp, err := get(tr, "https://"+origin.Host+"/v2/demo/showcase/manifests/latest")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("same origin: %v %v", resp, err)
	}
	if len(seen) != 1 || seen[0] != "/v2/demo/showcase/manifests/latest" {
		t.Fatalf("same origin requests: %q", seen)
	}

	// Unknown host: relay.
	seen = nil
	if _, err := get(tr, "https://ghcr.io/v2/?x=1"); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1 || seen[0] != "/relay/ghcr.io/v2/?x=1" {
		t.Fatalf("relayed requests: %q", seen)
	}

	// A host tried directly that fails like a CORS refusal: retried via the relay, remembered.
	seen = nil
	if _, err := get(tr, "https://cors-less.example/v2/"); err != nil {
		t.Fatal(err)
	}
	if tr.tryDirect("cors-less.example") {
		t.Fatal("host still tried directly after a CORS failure")
	}
	if len(seen) != 1 || seen[0] != "/relay/cors-less.example/v2/" {
		t.Fatalf("fallback requests: %q", seen)
	}

	// The relay's own refusal is a *RelayError; a registry's 403 passes through.
	_, err = get(tr, "https://refused.example/v2/")
	var re *RelayError
	if !errors.As(err, &re) || re.Status != 403 || re.Host != "refused.example" || re.Reason != "Forbidden" {
		t.Fatalf("refusal: %v", err)
	}
	_, err = get(tr, "https://loopback.example/v2/")
	if !errors.As(err, &re) || re.Status != 403 || re.Reason != "destination 127.0.0.1 is loopback" {
		t.Fatalf("JSON refusal: %v", err)
	}
	for _, h := range []string{"denied.example", "token.example", "lookalike.example"} {
		resp, err = get(tr, "https://"+h+"/v2/")
		if err != nil || resp.StatusCode != 403 {
			t.Fatalf("%s 403: %v %v", h, resp, err)
		}
		body, _ := io.ReadAll(resp.Body)
		if !strings.Contains(string(body), "error") {
			t.Fatalf("%s: body not passed through intact: %q", h, body)
		}
	}

	// Relay unreachable.
	dead := New(base, mustURL(t, "http://down.example"), mustURL(t, "http://down.example"))
	_, err = get(dead, "https://ghcr.io/v2/")
	if !errors.As(err, &re) || re.Status != 0 || !IsRelayError(err) {
		t.Fatalf("unreachable relay: %v", err)
	}

	// No relay: direct, and a CORS failure says so.
	static := New(base, mustURL(t, "http://static.example"), nil)
	_, err = get(static, "https://cors-less.example/v2/")
	var ce *CORSError
	if !errors.As(err, &ce) || ce.Host != "cors-less.example" {
		t.Fatalf("static page: %v", err)
	}
}
