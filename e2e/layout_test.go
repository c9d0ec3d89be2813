//go:build !js

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// viewport is a window size the page is tested at.
type viewport struct {
	name string
	w, h int64
}

// viewports are a phone, a tablet and a desktop window.
var viewports = []viewport{{"phone", 360, 740}, {"tablet", 768, 1024}, {"desktop", 1400, 900}}

// resize emulates a window of vp's size (a touch screen below desktop width).
func (tb *tab) resize(vp viewport) {
	tb.t.Helper()
	mobile := vp.w < 1000
	ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(vp.w, vp.h)); err != nil {
		tb.t.Fatalf("resizing to %dx%d: %v", vp.w, vp.h, err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetTouchEmulationEnabled, emulation.SetTouchEmulationEnabledParams{Enabled: mobile}); err != nil {
		tb.t.Fatalf("touch emulation: %v", err)
	}
}

// box is an element's bounding box.
type box struct {
	Sel        string
	X, Y, W, H float64
	Visible    bool
}

// boxes returns the bounding boxes of the elements matching each selector
// (the first match), with whether each is displayed at all.
func (tb *tab) boxes(sels ...string) []box {
	return eval[[]box](tb, fmt.Sprintf(`%s.map(sel => {
	  const e = document.querySelector(sel);
	  if (!e) return {Sel: sel};
	  const r = e.getBoundingClientRect();
	  return {Sel: sel, X: r.x, Y: r.y, W: r.width, H: r.height, Visible: r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== "hidden"};
	})`, mustJSON(sels)))
}

// overlap is the area two boxes share.
func overlap(a, b box) float64 {
	w := min(a.X+a.W, b.X+b.W) - max(a.X, b.X)
	h := min(a.Y+a.H, b.Y+b.H) - max(a.Y, b.Y)
	if w <= 0 || h <= 0 {
		return 0
	}
	return w * h
}

// TestResponsiveLayout opens a shared link to a file at phone, tablet and
// desktop sizes: the header's controls do not overlap, the document never
// scrolls sideways, the opened file's text box is at least 300 px wide, and
// on the phone the list and the viewer stack (the viewer replaces the list,
// with a back button) and every control is a touch target of 40 px or more.
func TestResponsiveLayout(t *testing.T) {
	t.Parallel()
	for _, vp := range viewports {
		t.Run(vp.name, func(t *testing.T) {
			tb := newTab(t)
			tb.resize(vp)
			tb.navigate(pageURL(env.srv, "image", showcase(env.srv), "path", "/app/README.md"))
			tb.waitStatus(pullWait, "verified")
			tb.viewerText("/app/README.md")
			checkLayout(t, tb, vp)
			checkOverlap(t, tb.boxes(headerControls...))
			if v := tb.boxes("#viewer")[0]; v.W < 300 {
				t.Errorf("the opened file's text box is %.0f px wide, want at least 300", v.W)
			}
			if vp.w >= 760 {
				if tr := tb.boxes("#tree")[0]; !tr.Visible {
					t.Errorf("the file list is hidden beside the open file at %d px", vp.w)
				}
				return
			}
			if tr := tb.boxes("#tree")[0]; tr.Visible {
				t.Errorf("on a phone the file list %+v is shown beside the open file", tr)
			}
			targets := tb.boxes("#ref-input", "#pull-button", "#compare-input", "#compare-button", "#local-label", "#copy-link", "#tab-files", "#tab-layers", "#search-input", "#files-back", "#download")
			for _, b := range targets {
				if !b.Visible || b.H < 40 || b.W < 40 {
					t.Errorf("touch target %s is %.0f×%.0f px (shown %v), want at least 40×40", b.Sel, b.W, b.H, b.Visible)
				}
			}
			tb.click("#files-back")
			tb.waitAttr(10*time.Second, "#tree", "data-dir", "/app")
			tb.waitSel(10*time.Second, `#tree .row[data-path="/app/README.md"]`)
			if v := tb.boxes("#viewer-pane")[0]; v.Visible {
				t.Errorf("back on the list, the viewer %+v is still shown", v)
			}
			if r := tb.boxes(`#tree .row[data-path="/app/README.md"] .name`)[0]; r.W < 200 || r.H < 14 {
				t.Errorf("a file name in the list gets %.0f×%.0f px, want at least 200 wide", r.W, r.H)
			}
			if r := tb.boxes(`#tree .row[data-path="/app/README.md"]`)[0]; r.H < 40 {
				t.Errorf("a row of the list is %.0f px high, want at least 40 (a touch target)", r.H)
			}
			checkLayout(t, tb, vp)
		})
	}
}

// checkLayout fails when the document scrolls sideways.
func checkLayout(t *testing.T, tb *tab, vp viewport) {
	t.Helper()
	sw := eval[float64](tb, `document.documentElement.scrollWidth`)
	if cw := eval[float64](tb, `document.documentElement.clientWidth`); sw > cw {
		wide := eval[[]string](tb, `[...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5).slice(0, 8).map(e => e.tagName + "#" + e.id + "." + e.className)`)
		t.Errorf("at %d px the document is %.0f px wide: it scrolls sideways (too wide: %q)", vp.w, sw, wide)
	}
}

// mustJSON is v as JSON (a JavaScript literal).
func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
