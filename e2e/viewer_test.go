//go:build !js

package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestViewerKinds opens a PNG, an SVG and a binary: previews as <img> from
// blob: URLs (an SVG never inline), a hex dump for the binary.
func TestViewerKinds(t *testing.T) {
	t.Parallel()
	tb := newTab(t)
	tb.navigate(pageURL(env.srv, "image", showcase(env.srv), "path", "/app/logo.png"))
	tb.waitStatus(pullWait, "verified")
	for _, tc := range []struct{ path, kind string }{
		{"/app/logo.png", "image"},
		{"/app/logo.svg", "image"},
		{"/bin/hello", "hex"},
	} {
		if tc.path != "/app/logo.png" {
			dir := tc.path[:strings.LastIndexByte(tc.path, '/')]
			tb.navigate(pageURL(env.srv, "image", showcase(env.srv), "path", dir))
			tb.waitStatus(pullWait, "verified")
			sel := fmt.Sprintf(`#tree .row[data-path=%q]`, tc.path)
			tb.waitSel(10*time.Second, sel)
			tb.click(sel)
		}
		tb.waitAttr(10*time.Second, "#viewer", "data-path", tc.path)
		tb.waitAttr(10*time.Second, "#viewer", "data-kind", tc.kind)
		switch tc.kind {
		case "image":
			tb.waitFn(10*time.Second, tc.path+" decoded as an image", `() => {
			  const img = document.querySelector("#viewer img");
			  return img && img.complete && img.naturalWidth > 0 ? "ok" : "";
			}`)
			if src := tb.attr("#viewer img", "src"); !strings.HasPrefix(src, "blob:") {
				t.Errorf("%s: <img src=%q>, want a blob: URL", tc.path, src)
			}
			if n := eval[int](tb, `document.querySelectorAll("#viewer svg, #viewer object, #viewer iframe, #viewer embed").length`); n != 0 {
				t.Errorf("%s: the viewer embeds %d svg/object/iframe/embed elements; images must be <img> only", tc.path, n)
			}
		case "hex":
			// The fake ELF binary starts 7f 45 4c 46 ("\x7fELF").
			if txt := strings.ToLower(tb.text("#viewer")); !strings.Contains(txt, "7f 45 4c 46") && !strings.Contains(txt, "7f454c46") {
				t.Errorf("%s: the hex dump does not start with the ELF magic 7f 45 4c 46: %.200q", tc.path, txt)
			}
		}
	}
}

// TestLargeDirectory opens /usr/share/many (2,000 files): the count is
// right, only the visible rows are in the DOM, and scrolling reaches the last.
func TestLargeDirectory(t *testing.T) {
	t.Parallel()
	tb := newTab(t)
	tb.navigate(pageURL(env.srv, "image", showcase(env.srv), "path", "/usr/share/many"))
	tb.waitStatus(pullWait, "verified")
	tb.waitAttr(10*time.Second, "#tree", "data-dir", "/usr/share/many")
	tb.waitSel(10*time.Second, `#tree .row[data-path="/usr/share/many/file-0000.txt"]`)
	if info := tb.text("#tree-info"); !strings.Contains(strings.ReplaceAll(info, ",", ""), "2000") {
		t.Errorf("#tree-info reads %q, want 2000 entries", info)
	}
	if n := eval[int](tb, `document.querySelectorAll("#tree .row").length`); n == 0 || n > 300 {
		t.Errorf("%d rows in the DOM for 2,000 entries; want only the visible ones", n)
	}
	eval[bool](tb, `(() => { const t = document.querySelector("#tree"); t.scrollTop = t.scrollHeight; t.dispatchEvent(new Event("scroll")); return true; })()`)
	tb.waitSel(10*time.Second, `#tree .row[data-path="/usr/share/many/file-1999.txt"]`)
	tb.click(`#tree .row[data-path="/usr/share/many/file-1999.txt"]`)
	if got, want := tb.viewerText("/usr/share/many/file-1999.txt"), "file 1999 of 2000\n"; got != want {
		t.Errorf("viewer shows %q, want %q", got, want)
	}
}

// TestShowDeleted ticks "deleted & overwritten": /tmp lists old.txt, which
// layer 2 deleted, struck through and attributed to both layers.
func TestShowDeleted(t *testing.T) {
	t.Parallel()
	tb := newTab(t)
	tb.navigate(pageURL(env.srv, "image", showcase(env.srv), "path", "/tmp"))
	tb.waitStatus(pullWait, "verified")
	tb.waitAttr(10*time.Second, "#tree", "data-dir", "/tmp")
	if n := eval[int](tb, `document.querySelectorAll('#tree .row[data-path="/tmp/old.txt"]').length`); n != 0 {
		t.Error("/tmp lists the deleted old.txt before \"deleted & overwritten\" is ticked")
	}
	tb.click("#show-deleted")
	sel := `#tree .row[data-path="/tmp/old.txt"][data-change="deleted"]`
	tb.waitSel(10*time.Second, sel)
	if lyr := strings.Join(strings.Fields(eval[string](tb, `document.querySelector('`+sel+` .lyr')?.textContent ?? ""`)), " "); lyr != "L0 ✗ L2" {
		t.Errorf("the deleted row's layer cell reads %q, want \"L0 ✗ L2\"", lyr)
	}
}
