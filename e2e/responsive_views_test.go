//go:build !js

package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/regscope/regscope/internal/regtest"
)

// headerControls are the header's controls, which must never overlap.
var headerControls = []string{".logo", "#ref-input", "#platform-select", "#pull-button", "#compare-input", "#compare-button", "#local-label", "#copy-link", "#status"}

// TestResponsiveViews opens every view of an image (files with a file open,
// layers with a layer selected, config, manifest, compare, supply chain,
// packages, and the packages and signatures of a signed Debian image) at
// phone and tablet sizes: the document does not scroll
// sideways, no box scrolls sideways except code (pre, code, the viewer's
// text), the header's controls do not overlap, and every button, link and
// field of the view is a touch target of at least 40×40 px.
func TestResponsiveViews(t *testing.T) {
	t.Parallel()
	var views []pageView
	for _, v := range append(append([]pageView{}, pageViews...), otherViews...) {
		if v.name != "start" && v.name != "error" {
			views = append(views, v)
		}
	}
	// The showcase has no package database and no signature: the signed
	// Debian image fills the packages and signatures tables.
	host := regtest.GGCRReferrers(t, nil)
	ref, _, _, _, _ := signedDebian(t, host)
	debian := startServerT(t, "--insecure-registry", host)
	views = append(views, pageView{"packages (Debian)", func(tb *tab, _ *server) {
		tb.navigate(pageURL(debian, "image", ref, "view", "packages"))
		tb.waitStatus(pullWait, "verified")
		tb.waitAttr(pullWait, "#packages", "data-state", "done")
		tb.waitSel(10*time.Second, "#packages-table tr.pkg")
	}}, pageView{"supply (signed)", func(tb *tab, _ *server) {
		tb.navigate(pageURL(debian, "image", ref, "view", "supply"))
		tb.waitStatus(pullWait, "verified")
		tb.waitAttr(pullWait, "#supply", "data-state", "done")
		tb.waitSel(10*time.Second, "#signatures td")
	}})
	for _, vp := range viewports[:2] {
		t.Run(vp.name, func(t *testing.T) {
			tb := newTab(t)
			tb.resize(vp)
			for _, v := range views {
				v.open(tb, env.srv)
				tb.settle()
				checkLayout(t, tb, vp)
				checkOverlap(t, tb.boxes(headerControls...))
				for _, s := range eval[[]string](tb, sidewaysJS) {
					t.Errorf("%s at %d px: %s scrolls sideways", v.name, vp.w, s)
				}
				for _, s := range eval[[]string](tb, smallTargetsJS) {
					t.Errorf("%s at %d px: touch target %s, want at least 40×40 px", v.name, vp.w, s)
				}
				if v.name == "layers" {
					checkLayerLabels(t, tb)
				}
			}
		})
	}
}

// checkLayerLabels fails unless a layer's folded row names each detail by
// its column, in the table's order, and the heading row is not shown.
func checkLayerLabels(t *testing.T, tb *tab) {
	t.Helper()
	got := eval[[]string](tb, `[...document.querySelectorAll('#layers-table tr.layer[data-layer="2"] td')].map(td => (td.dataset.label || "") + "|" + !["none", "normal"].includes(getComputedStyle(td, "::before").content))`)
	want := []string{"|false", "|false"}
	for _, c := range []string{"compressed", "uncompressed", "media type", "+added", "~modified", "−deleted", "added bytes", "wasted", "created by"} {
		want = append(want, c+"|true")
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("layer 2's cells (label|label shown before the value) are %q, want %q", got, want)
	}
	if h := tb.boxes("#layers-table thead")[0]; h.W > 1 || h.H > 1 {
		t.Errorf("the layers table's heading row is shown (%+v) beside the labelled details", h)
	}
}

// checkOverlap fails when two shown boxes overlap (a hidden platform
// chooser is fine; any other control must be shown).
func checkOverlap(t *testing.T, boxes []box) {
	t.Helper()
	for i, a := range boxes {
		if !a.Visible {
			if a.Sel != "#platform-select" {
				t.Errorf("%s is not shown", a.Sel)
			}
			continue
		}
		for _, b := range boxes[i+1:] {
			if b.Visible && overlap(a, b) > 0 {
				t.Errorf("%s %+v overlaps %s %+v", a.Sel, a, b.Sel, b)
			}
		}
	}
}

// describeJS names an element for a failure message.
const describeJS = `const describe = e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (typeof e.className === "string" && e.className ? "." + e.className.trim().split(/\s+/).join(".") : "");`

// sidewaysJS lists the shown elements that scroll sideways (overflow-x auto
// or scroll and wider content than box), other than code: pre, code and
// the viewer.
const sidewaysJS = `(() => {` + describeJS + `
  const out = [];
  for (const e of document.querySelectorAll("body *")) {
    if (e.closest("pre, code, #viewer")) continue;
    const cs = getComputedStyle(e);
    if (cs.display === "none" || !/auto|scroll/.test(cs.overflowX)) continue;
    if (e.scrollWidth <= e.clientWidth + 1) continue;
    const edge = e.getBoundingClientRect().left + e.clientWidth + 1;
    const wide = [...e.querySelectorAll("*")].find(k => k.getBoundingClientRect().right > edge && !k.closest("pre, code"));
    out.push(describe(e) + " (" + e.scrollWidth + " px of content in " + e.clientWidth + (wide ? "; too wide: " + describe(wide) : "") + ")");
  }
  return out;
})()`

// smallTargetsJS lists the shown buttons, links and fields of the header,
// the tabs and the open view smaller than 40×40 px (a checkbox counts as its
// label; links inside code are text, not targets).
const smallTargetsJS = `(() => {` + describeJS + `
  const panel = document.querySelector("#panels > section:not([hidden])");
  const scopes = [document.querySelector("#top"), document.querySelector("#tabs"), panel].filter(Boolean);
  const out = [];
  for (const s of scopes) for (const e of s.querySelectorAll("a[href], button, input, select, textarea, summary")) {
    if (e.closest("pre, code")) continue;
    const t = e.closest("label") || e;
    const r = t.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || getComputedStyle(t).visibility === "hidden") continue;
    if (r.width < 40 || r.height < 40) out.push(describe(t) + " " + JSON.stringify((t.textContent || "").trim().slice(0, 30)) + " is " + Math.round(r.width) + "×" + Math.round(r.height));
  }
  return out;
})()`
