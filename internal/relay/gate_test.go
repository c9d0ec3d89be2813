package relay

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

const wantCrossOrigin = `cross-origin request from "https://evil.example" refused: only this server's own page, and origins named with --allow-origin, may use it`

func TestGateCheck(t *testing.T) {
	g, err := NewGate(GateOptions{
		Listen:       "127.0.0.1:8080",
		Hosts:        []string{"regscope.example", "[2001:db8::1]"},
		AllowOrigins: []string{"https://static.example", "http://127.0.0.1:9000/"},
	})
	if err != nil {
		t.Fatal(err)
	}
	const names = "127.0.0.1, 2001:db8::1, ::1, localhost, regscope.example"
	for _, tc := range []struct {
		name   string
		host   string
		header map[string]string
		cors   string // the origin answered with CORS
		err    string // the whole refusal
	}{
		{"curl at the listen address", "127.0.0.1:8080", nil, "", ""},
		{"localhost on a loopback listener", "localhost:8080", nil, "", ""},
		{"LOCALHOST, any port", "LOCALHOST:1", nil, "", ""},
		{"[::1] on a loopback listener", "[::1]:8080", nil, "", ""},
		{"a --host name", "regscope.example", nil, "", ""},
		{"a --host IPv6 literal", "[2001:db8::1]:443", nil, "", ""},
		{"the page's own fetch", "127.0.0.1:8080", map[string]string{"Sec-Fetch-Site": "same-origin"}, "", ""},
		{"typed into the address bar", "127.0.0.1:8080", map[string]string{"Sec-Fetch-Site": "none"}, "", ""},
		{"same origin with an Origin header", "127.0.0.1:8080", map[string]string{"Origin": "http://127.0.0.1:8080", "Sec-Fetch-Site": "same-origin"}, "", ""},
		{"behind a TLS proxy, same origin", "regscope.example", map[string]string{"Origin": "https://regscope.example"}, "", ""},
		{"an allowed origin", "127.0.0.1:8080", map[string]string{"Origin": "https://static.example", "Sec-Fetch-Site": "cross-site"}, "https://static.example", ""},
		{"an allowed origin, another loopback port", "127.0.0.1:8080", map[string]string{"Origin": "http://127.0.0.1:9000", "Sec-Fetch-Site": "same-site"}, "http://127.0.0.1:9000", ""},

		{"DNS rebinding", "rebound.example:8080", map[string]string{"Sec-Fetch-Site": "same-origin"}, "",
			`Host "rebound.example:8080" is not one of this server's names (` + names + `); a server reached by another name needs --host NAME`},
		{"no Host", "", nil, "", `Host "" is not one of this server's names (` + names + `); a server reached by another name needs --host NAME`},
		{"localhost. with a trailing dot", "localhost.:8080", nil, "",
			`Host "localhost.:8080" is not one of this server's names (` + names + `); a server reached by another name needs --host NAME`},
		{"a foreign origin's fetch", "127.0.0.1:8080", map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}, "", wantCrossOrigin},
		{"a foreign origin without Sec-Fetch-Site", "127.0.0.1:8080", map[string]string{"Origin": "https://evil.example"}, "", wantCrossOrigin},
		{"another loopback port", "127.0.0.1:8080", map[string]string{"Origin": "http://127.0.0.1:9001", "Sec-Fetch-Site": "same-site"}, "",
			`cross-origin request from "http://127.0.0.1:9001" refused: only this server's own page, and origins named with --allow-origin, may use it`},
		{"a sandboxed document", "127.0.0.1:8080", map[string]string{"Origin": "null", "Sec-Fetch-Site": "cross-site"}, "",
			`cross-origin request from "null" refused: only this server's own page, and origins named with --allow-origin, may use it`},
		{"an <img> or <script> load from another site", "127.0.0.1:8080", map[string]string{"Sec-Fetch-Site": "cross-site"}, "",
			`cross-site request refused: only this server's own page, and origins named with --allow-origin, may use it`},
		{"an <img> load from another port", "127.0.0.1:8080", map[string]string{"Sec-Fetch-Site": "same-site"}, "",
			`same-site request refused: only this server's own page, and origins named with --allow-origin, may use it`},
		{"an allowed origin's origin in a different case is not it", "127.0.0.1:8080", map[string]string{"Origin": "https://STATIC.example"}, "",
			`cross-origin request from "https://STATIC.example" refused: only this server's own page, and origins named with --allow-origin, may use it`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/relay/registry.example/v2/", nil)
			req.Host = tc.host
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			cors, err := g.Check(req)
			var got string
			if err != nil {
				got = err.Error()
			}
			if got != tc.err || cors != tc.cors {
				t.Errorf("Check = %q, %q; want %q, %q", cors, got, tc.cors, tc.err)
			}
		})
	}
}

func TestGateListenAddresses(t *testing.T) {
	for _, tc := range []struct {
		listen   string
		accepted []string
		refused  []string
	}{
		{"127.0.0.1:8080", []string{"127.0.0.1:8080", "localhost:8080", "[::1]:8080"}, []string{"0.0.0.0:8080", "10.0.0.1:8080", "example.com"}},
		{"[::1]:8080", []string{"[::1]:8080", "localhost", "127.0.0.1:8080"}, []string{"[::]:8080"}},
		{"192.0.2.10:8080", []string{"192.0.2.10:8080", "192.0.2.10"}, []string{"localhost:8080", "127.0.0.1:8080"}},
		{"0.0.0.0:8080", []string{"127.0.0.1:8080", "localhost:8080"}, []string{"0.0.0.0:8080", "rebound.example:8080"}},
	} {
		g, err := NewGate(GateOptions{Listen: tc.listen})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range tc.accepted {
			req := httptest.NewRequest("GET", "/v2/", nil)
			req.Host = h
			if _, err := g.Check(req); err != nil {
				t.Errorf("listening on %s, Host %s: %v", tc.listen, h, err)
			}
		}
		for _, h := range tc.refused {
			req := httptest.NewRequest("GET", "/v2/", nil)
			req.Host = h
			if _, err := g.Check(req); err == nil {
				t.Errorf("listening on %s, Host %s: accepted", tc.listen, h)
			}
		}
	}
}

func TestNewGateErrors(t *testing.T) {
	for _, tc := range []struct {
		o   GateOptions
		err string
	}{
		{GateOptions{Listen: "nowhere"}, `listen address "nowhere": address nowhere: missing port in address`},
		{GateOptions{Listen: "127.0.0.1:1", Hosts: []string{"regscope.example:443"}}, `--host "regscope.example:443": give the name without a port (any port matches)`},
		{GateOptions{Listen: "127.0.0.1:1", Hosts: []string{"a b"}}, `--host "a b": relay: host "a b" refused: character ' ' not allowed in a host name`},
		{GateOptions{Listen: "127.0.0.1:1", AllowOrigins: []string{"static.example"}}, `--allow-origin "static.example": want http://HOST[:PORT] or https://HOST[:PORT]`},
		{GateOptions{Listen: "127.0.0.1:1", AllowOrigins: []string{"https://static.example/app/"}}, `--allow-origin "https://static.example/app/": an origin is a scheme, a host and a port only`},
		{GateOptions{Listen: "127.0.0.1:1", AllowOrigins: []string{"*"}}, `--allow-origin "*": want http://HOST[:PORT] or https://HOST[:PORT]`},
	} {
		_, err := NewGate(tc.o)
		if err == nil || err.Error() != tc.err {
			t.Errorf("NewGate(%+v) = %v; want %s", tc.o, err, tc.err)
		}
	}
}

// TestGateOrigins: canonical origins are matched as browsers send them.
func TestGateOrigins(t *testing.T) {
	for in, want := range map[string]string{
		"https://Static.Example":     "https://static.example",
		"https://static.example:443": "https://static.example",
		"http://127.0.0.1:80/":       "http://127.0.0.1",
		"http://[::1]:9000":          "http://[::1]:9000",
		"https://static.example:444": "https://static.example:444",
	} {
		got, err := parseOrigin(in)
		if err != nil || got != want {
			t.Errorf("parseOrigin(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestGateWrap(t *testing.T) {
	g, err := NewGate(GateOptions{Listen: "127.0.0.1:8080", AllowOrigins: []string{"https://static.example"}})
	if err != nil {
		t.Fatal(err)
	}
	var reached int
	h := g.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached++
		w.Header().Set("Docker-Content-Digest", "sha256:x")
		w.Write([]byte("registry answer"))
	}))
	serve := func(method string, header map[string]string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, "/relay/registry.example/v2/", nil)
		req.Host = "127.0.0.1:8080"
		for k, v := range header {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}

	// The page's own request: no CORS headers at all.
	rec := serve("GET", map[string]string{"Sec-Fetch-Site": "same-origin"})
	if rec.Code != 200 || rec.Body.String() != "registry answer" || rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("same origin: %d %q, Allow-Origin %q", rec.Code, rec.Body, rec.Header().Get("Access-Control-Allow-Origin"))
	}

	// An allowed origin: its preflight is answered here, its request gets CORS headers.
	rec = serve("OPTIONS", map[string]string{"Origin": "https://static.example", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization,range"})
	want := map[string]string{
		"Access-Control-Allow-Origin":   "https://static.example",
		"Access-Control-Allow-Methods":  "GET, HEAD",
		"Access-Control-Allow-Headers":  "Authorization, Accept, Range, If-None-Match, Cache-Control, X-Regscope-Foreign-Of",
		"Access-Control-Expose-Headers": "Docker-Content-Digest, WWW-Authenticate, Content-Range, Link, Content-Length, Retry-After, RateLimit-Limit, RateLimit-Remaining, X-Regscope-Relay-Error, X-Regscope-Www-Authenticate",
		"Access-Control-Max-Age":        "600",
		"Vary":                          "Origin",
	}
	if rec.Code != http.StatusNoContent {
		t.Errorf("preflight: %d", rec.Code)
	}
	for k, v := range want {
		if got := rec.Header().Get(k); got != v {
			t.Errorf("preflight: %s = %q, want %q", k, got, v)
		}
	}
	rec = serve("GET", map[string]string{"Origin": "https://static.example", "Sec-Fetch-Site": "cross-site"})
	if rec.Code != 200 || rec.Body.String() != "registry answer" {
		t.Errorf("allowed origin: %d %q", rec.Code, rec.Body)
	}
	for _, k := range []string{"Access-Control-Allow-Origin", "Access-Control-Expose-Headers", "Vary"} {
		if got := rec.Header().Get(k); got != want[k] {
			t.Errorf("allowed origin: %s = %q, want %q", k, got, want[k])
		}
	}
	if reached != 2 {
		t.Errorf("the handler was reached %d times; want 2 (the preflight is the gate's)", reached)
	}

	// Any other origin: a marked 403 JSON refusal, no CORS, the handler never reached.
	for _, method := range []string{"GET", "OPTIONS"} {
		rec = serve(method, map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
		var body map[string]string
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || len(body) != 1 || body["error"] != wantCrossOrigin {
			t.Errorf("%s from evil.example: body %q, want {\"error\": %q}", method, rec.Body, wantCrossOrigin)
		}
		if rec.Code != http.StatusForbidden || rec.Header().Get(RefusalHeader) != "1" || rec.Header().Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("%s from evil.example: %d, %s %q, Allow-Origin %q", method, rec.Code, RefusalHeader, rec.Header().Get(RefusalHeader), rec.Header().Get("Access-Control-Allow-Origin"))
		}
	}
	if reached != 2 {
		t.Errorf("the handler was reached %d times; want 2", reached)
	}
}
