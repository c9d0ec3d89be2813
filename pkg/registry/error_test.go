package registry

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestNewError(t *testing.T) {
	u, _ := url.Parse("https://registry-1.docker.io/v2/library/nope/manifests/latest?token=secret")
	for _, tc := range []struct {
		name    string
		status  int
		body    string
		header  http.Header
		text    string
		is, not []error
		after   time.Duration
	}{
		{name: "manifest unknown", status: 404, body: `{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{}}]}`,
			text: "GET https://registry-1.docker.io/v2/library/nope/manifests/latest: 404 Not Found: MANIFEST_UNKNOWN: manifest unknown",
			is:   []error{ErrNotFound, ErrManifestUnknown}, not: []error{ErrBlobUnknown, ErrUnauthorized}},
		{name: "name unknown", status: 404, body: `{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]}`,
			is: []error{ErrNotFound}, not: []error{ErrManifestUnknown}},
		{name: "bare 404", status: 404, body: `404 page not found`,
			text: "GET https://registry-1.docker.io/v2/library/nope/manifests/latest: 404 Not Found: 404 page not found",
			is:   []error{ErrNotFound, ErrManifestUnknown}},
		{name: "unauthorized", status: 401, body: `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`,
			is: []error{ErrUnauthorized}, not: []error{ErrDenied, ErrNotFound}},
		{name: "denied", status: 403, body: `{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}`,
			is: []error{ErrDenied}, not: []error{ErrUnauthorized}},
		{name: "429 seconds", status: 429, header: http.Header{"Retry-After": {"17"}}, body: `{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}`,
			is: []error{ErrTooManyRequests}, after: 17 * time.Second},
		{name: "html body dropped", status: 502, body: `<html>bad gateway</html>`,
			text: "GET https://registry-1.docker.io/v2/library/nope/manifests/latest: 502 Bad Gateway", not: []error{ErrNotFound}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.header
			if h == nil {
				h = http.Header{}
			}
			resp := &http.Response{StatusCode: tc.status, Header: h, Body: io.NopCloser(strings.NewReader(tc.body)),
				Request: &http.Request{Method: "GET", URL: u}}
			e := newError(resp)
			if tc.text != "" && e.Error() != tc.text {
				t.Errorf("Error() = %q\n want %q", e.Error(), tc.text)
			}
			if strings.Contains(e.Error(), "secret") {
				t.Errorf("Error() leaks the query: %q", e.Error())
			}
			for _, s := range tc.is {
				if !errors.Is(e, s) {
					t.Errorf("errors.Is(%v, %v) = false", e, s)
				}
			}
			for _, s := range tc.not {
				if errors.Is(e, s) {
					t.Errorf("errors.Is(%v, %v) = true", e, s)
				}
			}
			if e.RetryAfter != tc.after {
				t.Errorf("RetryAfter = %v, want %v", e.RetryAfter, tc.after)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{"", 0}, {"0", 0}, {"-3", 0}, {"5", 5 * time.Second}, {" 120 ", 2 * time.Minute},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0}, {"soon", 0},
		{"99999999", 24 * time.Hour},
	} {
		if got := parseRetryAfter(tc.in, now); got != tc.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestIsLoopback(t *testing.T) {
	for in, want := range map[string]bool{
		"localhost": true, "localhost:5000": true, "LOCALHOST:1": true, "127.0.0.1": true, "127.3.2.1:80": true,
		"[::1]:5000": true, "::1": true, "[::ffff:127.0.0.1]:1": true,
		"10.0.0.1:5000": false, "registry-1.docker.io": false, "localhost.example.com": false, "128.0.0.1": false,
	} {
		if got := isLoopback(in); got != want {
			t.Errorf("isLoopback(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestSchemes(t *testing.T) {
	secure, insecure := NewClient(Options{}), NewClient(Options{Insecure: true})
	for _, tc := range []struct {
		c    *Client
		host string
		want string
	}{
		{secure, "ghcr.io", "https"}, {secure, "127.0.0.1:5000", "http"}, {secure, "localhost", "http"},
		{insecure, "10.1.2.3:5000", "https,http"}, {insecure, "[::1]:1", "http"},
	} {
		if got := strings.Join(tc.c.schemes(tc.host), ","); got != tc.want {
			t.Errorf("schemes(%q) = %s, want %s", tc.host, got, tc.want)
		}
	}
}
