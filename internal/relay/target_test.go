package relay

import (
	"net/url"
	"strings"
	"testing"
)

func TestParseTarget(t *testing.T) {
	for _, tc := range []struct {
		rest, query string
		want        string // upstream https URL, or "" when refused
		part        string // the part named by the refusal
	}{
		{"registry-1.docker.io/v2/", "", "https://registry-1.docker.io/v2/", ""},
		{"Registry.Example:5000/v2/library/alpine/manifests/3.20", "", "https://registry.example:5000/v2/library/alpine/manifests/3.20", ""},
		{"ghcr.io/v2/a/b/blobs/sha256:0123abcd", "", "https://ghcr.io/v2/a/b/blobs/sha256:0123abcd", ""},
		{"auth.docker.io/token", "scope=repository%3Alibrary%2Falpine%3Apull&service=registry.docker.io", "https://auth.docker.io/token?scope=repository%3Alibrary%2Falpine%3Apull&service=registry.docker.io", ""},
		{"[2606:4700::1111]:443/v2/", "", "https://[2606:4700::1111]:443/v2/", ""},
		{"8.8.8.8/v2/", "", "https://8.8.8.8/v2/", ""},
		{"8.8.8.8", "", "https://8.8.8.8/", ""},
		// hosts
		{"evil@127.0.0.1/v2/", "", "", "host"},
		{"user:pw@registry.example/v2/", "", "", "host"},
		{"2130706433/v2/", "", "", "host"},
		{"0177.0.0.1/v2/", "", "", "host"},
		{"0x7f.1/v2/", "", "", "host"},
		{"0x7f000001/v2/", "", "", "host"},
		{"127.1/v2/", "", "", "host"},
		{"127.000.000.001/v2/", "", "", "host"},
		{"::1/v2/", "", "", "host"},
		{"[::1%25eth0]/v2/", "", "", "host"},
		{"[fe80::1%eth0]/v2/", "", "", "host"},
		{"[127.0.0.1]/v2/", "", "", "host"},
		{"registry.example./v2/", "", "", "host"},
		{"-bad.example/v2/", "", "", "host"},
		{"bad_host.example/v2/", "", "", "host"},
		{"/v2/", "", "", "host"},
		{"[::1/v2/", "", "", "host"},
		{"[::1]x/v2/", "", "", "host"},
		// ports
		{"registry.example:0/v2/", "", "", "port"},
		{"registry.example:65536/v2/", "", "", "port"},
		{"registry.example:080/v2/", "", "", "port"},
		{"registry.example:+80/v2/", "", "", "port"},
		{"registry.example:/v2/", "", "", "host"},
		// paths
		{"registry.example/v2/%2e%2e/x", "", "", "path"},
		{"registry.example/v2/a%2fb", "", "", "path"},
		{"registry.example/v2/../admin", "", "", "path"},
		{"registry.example/v2/./x", "", "", "path"},
		{"registry.example/v2//x", "", "", "path"},
		{"registry.example/v2/a\r\nX-Injected: 1", "", "", "path"},
		{"registry.example/v2/a\\b", "", "", "path"},
		{"registry.example/v2/a?b", "", "", "path"},
		{"registry.example/v2/" + strings.Repeat("a", 3000), "", "", "path"},
		// queries
		{"registry.example/v2/", "a=%0d%0aX-Injected:%201", "", "query"},
		{"registry.example/v2/", "a=\r\n", "", "query"},
		{"registry.example/v2/", "a=%zz", "", "query"},
		{"registry.example/v2/", "a=%00", "", "query"},
		{"registry.example/v2/", "a=b#frag", "", "query"},
		{"registry.example/v2/", strings.Repeat("a", 5000), "", "query"},
	} {
		got, err := ParseTarget(tc.rest, tc.query)
		if tc.want == "" {
			te, ok := err.(*TargetError)
			if !ok {
				t.Errorf("ParseTarget(%q, %q) = %+v, %v; want a *TargetError", tc.rest, tc.query, got, err)
				continue
			}
			if te.Part != tc.part {
				t.Errorf("ParseTarget(%q, %q) refused the %s (%v); want the %s refused", tc.rest, tc.query, te.Part, err, tc.part)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseTarget(%q, %q): %v", tc.rest, tc.query, err)
			continue
		}
		if u := got.URL("https"); u != tc.want {
			t.Errorf("ParseTarget(%q, %q).URL = %q, want %q", tc.rest, tc.query, u, tc.want)
		}
	}
}

// FuzzParseTarget checks that whatever ParseTarget accepts yields an upstream
// URL that parses back to the same host, has no userinfo, no dot segments, no
// control characters, and a host that is a DNS name or canonical IP literal.
func FuzzParseTarget(f *testing.F) {
	for _, s := range []struct{ rest, q string }{
		{"registry-1.docker.io/v2/library/alpine/manifests/latest", ""},
		{"auth.docker.io/token", "scope=repository:library/alpine:pull&service=registry.docker.io"},
		{"127.0.0.1:5000/v2/", ""},
		{"[::ffff:127.0.0.1]/v2/", ""},
		{"evil@127.0.0.1/v2/", ""},
		{"2130706433/v2/", ""},
		{"0x7f.1/v2/", ""},
		{"registry.example/v2/%2e%2e/x", "a=%0d%0a"},
		{"registry.example:65535/v2/a/b/blobs/sha256:00", "n=1&last=x"},
	} {
		f.Add(s.rest, s.q)
	}
	f.Fuzz(func(t *testing.T, rest, query string) {
		tg, err := ParseTarget(rest, query)
		if err != nil {
			return
		}
		raw := tg.URL("https")
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatalf("accepted %q %q but its URL %q does not parse: %v", rest, query, raw, err)
		}
		if u.User != nil {
			t.Fatalf("accepted %q with userinfo", rest)
		}
		if u.Hostname() != tg.Host {
			t.Fatalf("accepted %q: URL host %q differs from target host %q", rest, u.Hostname(), tg.Host)
		}
		if u.Path != tg.Path || u.RawQuery != tg.RawQuery {
			t.Fatalf("accepted %q %q: URL path/query %q %q differ from %q %q", rest, query, u.Path, u.RawQuery, tg.Path, tg.RawQuery)
		}
		if strings.Contains(tg.Path, "..") && (strings.Contains(tg.Path, "/../") || strings.HasSuffix(tg.Path, "/..")) {
			t.Fatalf("accepted dot segment in %q", tg.Path)
		}
		if strings.ContainsAny(raw, "\r\n\x00 ") || strings.Contains(strings.ToLower(raw), "%0d") || strings.Contains(strings.ToLower(raw), "%0a") {
			t.Fatalf("accepted control characters: %q", raw)
		}
		if h, p, err := ParseHostPort(u.Host); err != nil || h != tg.Host || p != tg.Port {
			t.Fatalf("accepted %q but its host %q does not re-parse identically: %q %d %v", rest, u.Host, h, p, err)
		}
	})
}
