//go:build !js

package e2e

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/regscope/regscope/internal/regtest"
)

// elsewhere serves a blank page from another origin: the web site a person
// visits in another tab while regscope serve runs.
func elsewhere(t *testing.T, addr string) string {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listening on %s: %v", addr, err)
	}
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<!doctype html><title>another site</title><p>another site")
	}))
	s.Listener.Close()
	s.Listener = ln
	s.Start()
	t.Cleanup(s.Close)
	return s.URL
}

// probeJS tries, from the page it runs in, every way a page has to load url:
// fetch (CORS mode, with an Authorization header when auth is set, so a
// preflight is needed), fetch in no-cors mode, <img> and <script>. It
// returns what each got, as JSON.
const probeJS = `async (url, auth) => {
  const out = {};
  const headers = {Accept: "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json"};
  if (auth) headers.Authorization = "Bearer e2e";
  try {
    const r = await fetch(url, {headers});
    out.fetch = r.status + " " + (r.headers.get("Docker-Content-Digest") || "-") + " " + (r.headers.get("X-Regscope-Relay-Error") || "-") + " " + await r.text();
  } catch (e) { out.fetch = "error: " + e.name; }
  try {
    const r = await fetch(url, {mode: "no-cors"});
    out.noCORS = r.type + " " + r.status + " " + JSON.stringify(await r.text());
  } catch (e) { out.noCORS = "error: " + e.name; }
  out.img = await new Promise(res => { const i = new Image(); i.onload = () => res("load"); i.onerror = () => res("error"); i.src = url; });
  out.script = await new Promise(res => {
    const s = document.createElement("script");
    s.onload = () => res("load"); s.onerror = () => res("error"); s.src = url; document.head.appendChild(s);
  });
  return JSON.stringify(out);
}`

type probe struct{ Fetch, NoCORS, Img, Script string }

func runProbe(t *testing.T, tb *tab, url string, auth bool) probe {
	t.Helper()
	js, _ := json.Marshal(url)
	raw := eval[string](tb, fmt.Sprintf("(%s)(%s, %v)", probeJS, js, auth))
	var p probe
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		t.Fatalf("probe of %s: %v (%s)", url, err, raw)
	}
	return p
}

// TestCrossOriginPages opens pages on other origins next to a server whose
// relay may reach a private registry: pages from other origins (another
// loopback address, another port) can read nothing from the relay or the
// embedded registry, and the private registry never sees their requests; a
// page from the origin named with --allow-origin reads both; a request
// naming a foreign Host (DNS rebinding) is refused.
func TestCrossOriginPages(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var seen []string
	counting := false
	private := regtest.GGCRWith(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			if counting {
				seen = append(seen, r.Method+" "+r.URL.Path)
			}
			mu.Unlock()
			next.ServeHTTP(w, r)
		})
	})
	ref := private + "/e2e/private:v1"
	mdig := regtest.Push(t, ref, smallImage(t, "srv/secret.txt", "a private file\n")).String()
	mu.Lock()
	counting = true
	mu.Unlock()

	allowed := elsewhere(t, "127.0.0.1:0")
	s := startServerT(t, "--insecure-registry", private, "--allow-origin", allowed)
	relayed := s.url + "/relay/" + private + "/v2/e2e/private/manifests/v1"
	registry := s.url + "/v2/demo/showcase/manifests/latest"

	refused := probe{Fetch: "error: TypeError", NoCORS: `opaque 0 ""`, Img: "error", Script: "error"}
	for _, origin := range []string{elsewhere(t, "127.0.0.2:0"), elsewhere(t, "127.0.0.1:0")} {
		tb := newTab(t)
		tb.navigate(origin + "/")
		for _, u := range []string{relayed, registry} {
			if got := runProbe(t, tb, u, false); got != refused {
				t.Errorf("a page from %s loading %s got %+v; want %+v", origin, u, got, refused)
			}
		}
	}
	mu.Lock()
	if len(seen) != 0 {
		t.Errorf("the private registry saw requests made by other origins' pages: %q", seen)
	}
	mu.Unlock()
	for _, want := range []string{
		`refused GET /relay/` + private + `/v2/e2e/private/manifests/v1: cross-origin request from "http://127.0.0.2:`,
		`refused GET /relay/` + private + `/v2/e2e/private/manifests/v1: cross-site request refused`,
		`refused GET /v2/demo/showcase/manifests/latest: same-site request refused`,
	} {
		if !strings.Contains(s.log.String(), want) {
			t.Errorf("the server's log lacks %q", want)
		}
	}

	// The origin the operator named reads both, preflight and all.
	tb := newTab(t)
	tb.navigate(allowed + "/")
	got := runProbe(t, tb, relayed, true)
	status, rest, _ := strings.Cut(got.Fetch, " ")
	dig, rest, _ := strings.Cut(rest, " ")
	marker, body, _ := strings.Cut(rest, " ")
	if status != "200" || dig != mdig || marker != "-" || fmt.Sprintf("sha256:%x", sha256.Sum256([]byte(body))) != mdig {
		t.Errorf("the allowed origin's fetch of the relayed manifest: %.200s; want 200, %s, a body with that digest", got.Fetch, mdig)
	}
	if got := runProbe(t, tb, registry, false); !strings.HasPrefix(got.Fetch, "200 sha256:") {
		t.Errorf("the allowed origin's fetch of the embedded registry: %.200s", got.Fetch)
	}
	// …and recognises the relay's own refusals by their header.
	got = runProbe(t, tb, s.url+"/relay/127.0.0.1:1/v2/", false)
	const wantRefusal = `403 - 1 {"error":"destination 127.0.0.1:1 is a loopback address (127.0.0.1); refused unless allowed with --allow-host or --insecure-registry 127.0.0.1:1"}` + "\n"
	if got.Fetch != wantRefusal {
		t.Errorf("the allowed origin's fetch of a refused destination: %q; want %q", got.Fetch, wantRefusal)
	}

	// DNS rebinding: a name that resolves to the server is not the server's name.
	for _, path := range []string{"/relay/" + private + "/v2/e2e/private/manifests/v1", "/v2/demo/showcase/manifests/latest"} {
		req, _ := http.NewRequest("GET", s.url+path, nil)
		req.Host = "rebound.example:" + port(s.host)
		c := &http.Client{Timeout: 30 * time.Second}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var b struct{ Error string }
		json.NewDecoder(resp.Body).Decode(&b)
		resp.Body.Close()
		want := `Host "rebound.example:` + port(s.host) + `" is not one of this server's names (127.0.0.1, ::1, localhost); a server reached by another name needs --host NAME`
		if resp.StatusCode != http.StatusForbidden || b.Error != want || resp.Header.Get("X-Regscope-Relay-Error") != "1" {
			t.Errorf("GET %s with Host rebound.example: %d %q; want 403 %q", path, resp.StatusCode, b.Error, want)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for _, p := range seen {
		if p != "GET /v2/e2e/private/manifests/v1" {
			t.Errorf("the private registry saw %s; want only the allowed origin's manifest request", p)
		}
	}
}
