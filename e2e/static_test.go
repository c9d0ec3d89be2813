//go:build !js

package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/tartest"
)

// writeSite runs `regscope site args... dir`.
func writeSite(t *testing.T, dir string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, env.bin, append(append([]string{"site"}, args...), dir)...)
	cmd.Dir = env.root
	cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+filepath.Join(env.tmp, "cache-site"), "GOCACHE="+env.gocache)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("regscope site %s: %v\n%s", dir, err, out)
	}
}

// staticServer serves dir with Go's plain file server, as any static host
// would: no relay, no /api/info, no headers of regscope's.
func staticServer(t *testing.T, dir string) string {
	s := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(s.Close)
	return s.URL
}

// The page written by `regscope site` and served by a plain static file
// server pulls, verifies and shows an image from a registry that sends
// CORS headers (Distribution with http.headers), with no regscope server;
// a registry without CORS headers is named plainly, with what to do; with
// a relay named by ?relay= or by the config file `site --relay` writes
// (a server started with --allow-origin for the site's origin), that
// registry works too.
func TestStaticSite(t *testing.T) {
	dir, dir2 := filepath.Join(t.TempDir(), "site"), filepath.Join(t.TempDir(), "site2")
	writeSite(t, dir)
	for _, f := range []string{"index.html", "style.css", "boot.js", "worker.js", "wasm_exec.js",
		"view.wasm", "view.wasm.gz", "view.wasm.br", "engine.wasm", "engine.wasm.gz", "engine.wasm.br"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("the site lacks %s: %v", f, err)
		}
	}
	origin, origin2 := staticServer(t, dir), staticServer(t, dir2)
	img := imagetest.Image(t, imagetest.OCI,
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "etc/os-release", Body: "ID=static\n"}),
		imagetest.Layer(t, imagetest.Zstd, tartest.Entry{Name: "srv/index.txt", Body: strings.Repeat("static ", 5000)}))
	cors := regtest.StartDistributionCORS(t, origin)
	corsRef := cors.Host + "/static/app:1"
	regtest.Push(t, corsRef, img)
	plain := regtest.GGCR(t)
	plainRef := plain + "/static/app:1"
	regtest.Push(t, plainRef, img)
	page := func(base, ref string, extra ...string) string {
		q := url.Values{"image": {ref}, "path": {"/etc/os-release"}}
		for i := 0; i+1 < len(extra); i += 2 {
			q.Set(extra[i], extra[i+1])
		}
		return base + "/?" + q.Encode()
	}

	t.Run("registry with CORS headers", func(t *testing.T) {
		tb := newTab(t)
		tb.navigate(page(origin, corsRef))
		tb.waitStatus(pullWait, "verified")
		if got := tb.viewerText("/etc/os-release"); got != "ID=static\n" {
			t.Errorf("viewer shows %q", got)
		}
	})
	t.Run("registry without CORS headers, no relay", func(t *testing.T) {
		tb := newTab(t)
		tb.navigate(page(origin, plainRef))
		waitError(t, tb, "relay")
		want := plain + " does not allow browsers (it sends no CORS headers), or is unreachable; use a relay: open this page with ?relay=URL of a regscope server started with --allow-origin " + origin + "."
		if got := tb.text("#error .err-sentence"); got != want {
			t.Errorf("#error says\n%q\nwant\n%q", got, want)
		}
	})
	srv := startServerT(t, "--allow-origin", origin, "--allow-origin", origin2, "--insecure-registry", plain)
	t.Run("registry without CORS headers, ?relay=", func(t *testing.T) {
		tb := newTab(t)
		tb.navigate(page(origin, plainRef, "relay", srv.url))
		tb.waitStatus(pullWait, "verified")
		if got := tb.viewerText("/etc/os-release"); got != "ID=static\n" {
			t.Errorf("viewer shows %q", got)
		}
		// The page's own links keep the relay, so a reload (or a colleague) uses it too.
		tb.click("#tab-layers")
		tb.waitAttr(10*time.Second, "#panels", "data-view", "layers")
		if q := tb.query(); q.Get("relay") != srv.url || q.Get("view") != "layers" {
			t.Errorf("after moving to the layers view the URL query is %v; want relay=%s kept", q, srv.url)
		}
	})
	t.Run("registry without CORS headers, relay in the config file", func(t *testing.T) {
		writeSite(t, dir2, "--relay", srv.url)
		tb := newTab(t)
		tb.navigate(page(origin2, plainRef))
		tb.waitStatus(pullWait, "verified")
		if got := tb.viewerText("/etc/os-release"); got != "ID=static\n" {
			t.Errorf("viewer shows %q", got)
		}
	})
}
