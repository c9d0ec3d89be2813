//go:build !js

package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// press sends keys to the element that has the focus, as a keyboard would.
func (tb *tab) press(keys string) {
	tb.t.Helper()
	run(tb, 10*time.Second, fmt.Sprintf("press %q", keys), chromedp.KeyEvent(keys))
}

// TestKeyboardNavigation walks the file list with the keyboard: ↑/↓ move
// the cursor (.cur), Enter opens a file or a directory, Backspace goes to
// the parent with the cursor on the directory left, and End/Home keep the
// cursor's row in view in a 2,000-entry directory.
func TestKeyboardNavigation(t *testing.T) {
	t.Parallel()
	tb := newTab(t)
	tb.navigate(pageURL(env.srv, "image", showcase(env.srv), "path", "/app/README.md"))
	tb.waitStatus(pullWait, "verified")
	tb.viewerText("/app/README.md")
	tb.waitSel(10*time.Second, `#tree .row.cur[data-path="/app/README.md"]`)
	eval[bool](tb, `(document.querySelector("#tree").focus(), document.activeElement.id === "tree")`)

	tb.press(kb.ArrowDown)
	tb.waitSel(5*time.Second, `#tree .row.cur[data-path="/app/current"]`)
	tb.press(kb.ArrowUp + kb.ArrowUp)
	tb.waitSel(5*time.Second, `#tree .row.cur[data-path="/app/README.hardlink"]`)
	if n := eval[int](tb, `document.querySelectorAll("#tree .row.cur").length`); n != 1 {
		t.Errorf("%d rows marked .cur, want 1", n)
	}
	tb.press(kb.Enter)
	tb.waitAttr(10*time.Second, "#viewer", "data-path", "/app/README.hardlink")
	if q := tb.query(); q.Get("path") != "/app/README.hardlink" {
		t.Errorf("Enter on a file: the URL's path is %q", q.Get("path"))
	}

	tb.press(kb.Backspace)
	tb.waitAttr(10*time.Second, "#tree", "data-dir", "/")
	tb.waitSel(5*time.Second, `#tree .row.cur[data-path="/app"]`)
	tb.press(kb.Enter)
	tb.waitAttr(10*time.Second, "#tree", "data-dir", "/app")
	tb.waitSel(5*time.Second, `#tree .row.cur[data-path="/app/README.hardlink"]`)
	tb.press(kb.ArrowLeft)
	tb.waitAttr(10*time.Second, "#tree", "data-dir", "/")

	// A long directory: the cursor's row is drawn and inside the list's box.
	tb.navigate(pageURL(env.srv, "image", showcase(env.srv), "path", "/usr/share/many"))
	tb.waitStatus(pullWait, "verified")
	tb.waitSel(10*time.Second, `#tree .row[data-path="/usr/share/many/file-0000.txt"]`)
	eval[bool](tb, `(document.querySelector("#tree").focus(), true)`)
	visible := `(p) => {
  const r = document.querySelector('#tree .row.cur[data-path="' + p + '"]');
  if (!r) return "";
  const a = r.getBoundingClientRect(), b = document.querySelector("#tree").getBoundingClientRect();
  return a.top >= b.top - 0.5 && a.bottom <= b.bottom + 0.5 ? "ok" : "";
}`
	tb.press(kb.End)
	tb.waitFn(10*time.Second, "file-1999 under the cursor and in view", visible, "/usr/share/many/file-1999.txt")
	tb.press(kb.ArrowUp)
	tb.waitFn(10*time.Second, "file-1998 under the cursor and in view", visible, "/usr/share/many/file-1998.txt")
	tb.press(kb.Home)
	tb.waitFn(10*time.Second, "file-0000 under the cursor and in view", visible, "/usr/share/many/file-0000.txt")
	for i := 0; i < 60; i++ {
		tb.press(kb.ArrowDown)
	}
	tb.waitFn(10*time.Second, "file-0060 under the cursor and in view", visible, "/usr/share/many/file-0060.txt")
	tb.press(kb.Enter)
	if got, want := tb.viewerText("/usr/share/many/file-0060.txt"), "file 60 of 2000\n"; got != want {
		t.Errorf("viewer shows %q, want %q", got, want)
	}
}
