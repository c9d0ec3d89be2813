//go:build !js

package e2e

import (
	"context"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// pageView is one view of the page a test can open: how to get there from
// a fresh tab on server s, and what marks it as shown.
type pageView struct {
	name string
	open func(tb *tab, s *server)
}

// pageViews are the views the accessibility checks and the screenshots
// cover (the credentials form needs a registry that asks for them: see
// TestAccessibility).
var pageViews = []pageView{
	{"start", func(tb *tab, s *server) {
		tb.navigate(s.url + "/")
		tb.waitStatus(pullWait, "idle")
		tb.waitSel(10*time.Second, "#example-list li a.example")
	}},
	{"files", func(tb *tab, s *server) {
		tb.navigate(pageURL(s, "image", showcase(s), "path", "/app/README.md"))
		tb.waitStatus(pullWait, "verified")
		tb.viewerText("/app/README.md")
		tb.waitSel(10*time.Second, `#tree .row.sel[data-path="/app/README.md"]`)
	}},
	{"layers", func(tb *tab, s *server) {
		tb.navigate(pageURL(s, "image", showcase(s), "view", "layers", "layer", "2"))
		tb.waitStatus(pullWait, "verified")
		tb.waitSel(10*time.Second, `#layer-changes[data-layer="2"] .row`)
	}},
	{"config", func(tb *tab, s *server) {
		tb.navigate(pageURL(s, "image", showcase(s), "view", "config"))
		tb.waitStatus(pullWait, "verified")
		tb.waitSel(10*time.Second, "#panel-config table.kv")
	}},
	{"manifest", func(tb *tab, s *server) {
		tb.navigate(pageURL(s, "image", showcase(s), "view", "manifest"))
		tb.waitStatus(pullWait, "verified")
		tb.waitSel(10*time.Second, "#panel-manifest pre.json a.digest")
	}},
	{"error", func(tb *tab, s *server) {
		tb.navigate(pageURL(s, "image", s.host+"/demo/nope"))
		tb.waitAttr(pullWait, "#error", "data-kind", "not-found")
	}},
}

// otherViews are the views the screenshots also show: supply chain,
// packages and a comparison of two demo images.
var otherViews = []pageView{
	{"supply", func(tb *tab, s *server) {
		tb.navigate(pageURL(s, "image", showcase(s), "view", "supply"))
		tb.waitStatus(pullWait, "verified")
		tb.waitAttr(pullWait, "#supply", "data-state", "done")
	}},
	{"packages", func(tb *tab, s *server) {
		tb.navigate(pageURL(s, "image", showcase(s), "view", "packages"))
		tb.waitStatus(pullWait, "verified")
		tb.waitAttr(pullWait, "#packages", "data-state", "done")
	}},
	{"compare", func(tb *tab, s *server) {
		tb.navigate(pageURL(s, "image", s.host+"/demo/docker:latest", "compare", s.host+"/demo/zstd:latest"))
		tb.waitStatus(pullWait, "verified")
		tb.waitAttr(pullWait, "#compare-summary", "data-state", "ready")
	}},
}

// setScheme emulates prefers-color-scheme (light or dark).
func (tb *tab) setScheme(scheme string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Second)
	defer cancel()
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
	}); err != nil {
		tb.t.Fatalf("emulating prefers-color-scheme: %s: %v", scheme, err)
	}
}

// settle waits for two animation frames and the fonts, so a picture or a
// layout check sees the page at rest.
func (tb *tab) settle() {
	eval[chromedp.Void](tb, `new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))`)
	eval[chromedp.Void](tb, `document.fonts ? document.fonts.ready.then(() => true) : true`)
}
