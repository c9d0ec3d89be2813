//go:build !js

package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestContentSecurityPolicy: the page and its worker carry a strict CSP
// (no inline script or style, requests only to this origin), the registry
// keeps its own sandbox policy, and the page works under it with no
// violation: a pull, a text file, an image preview from a blob: URL.
func TestContentSecurityPolicy(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"/", "/index.html", "/worker.js", "/boot.js", "/style.css"} {
		resp, err := http.Get(env.srv.url + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		csp := resp.Header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "connect-src 'self'",
			"img-src 'self' blob: data:", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("GET %s: Content-Security-Policy %q lacks %q", p, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "'unsafe-eval'") {
			t.Errorf("GET %s: Content-Security-Policy %q allows inline code or eval", p, csp)
		}
	}
	resp, err := http.Get(env.srv.url + "/v2/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Content-Security-Policy"); got != "sandbox" {
		t.Errorf("GET /v2/: Content-Security-Policy %q, want the registry's own \"sandbox\"", got)
	}

	tb := newTab(t)
	// Record violations the document reports (the worker's would stop the pull).
	if _, err := chromedp.Call(tb.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.__csp = []; document.addEventListener("securitypolicyviolation", e => window.__csp.push(e.violatedDirective + " " + e.blockedURI));`,
	}); err != nil {
		t.Fatal(err)
	}
	tb.navigate(pageURL(env.srv, "image", showcase(env.srv), "path", "/app/README.md"))
	tb.waitStatus(pullWait, "verified")
	tb.viewerText("/app/README.md")
	tb.click(`#tree .row[data-path="/app/logo.png"]`)
	tb.waitAttr(10*time.Second, "#viewer", "data-kind", "image")
	tb.waitFn(10*time.Second, "the PNG preview to load", `() => { const i = document.querySelector("#viewer img"); return i && i.complete && i.naturalWidth > 0 ? "ok" : ""; }`)
	tb.click("#tab-layers")
	tb.click(`#layers-table tr.layer[data-layer="1"]`)
	tb.waitSel(10*time.Second, `#layer-changes[data-layer="1"] .row`)
	if v := eval[[]string](tb, `window.__csp`); len(v) > 0 {
		t.Errorf("CSP violations: %q", v)
	}
	if c := tb.console.String(); strings.Contains(c, "Content Security Policy") || strings.Contains(c, "Content-Security-Policy") {
		t.Errorf("the console reports a CSP violation:\n%s", c)
	}
}
