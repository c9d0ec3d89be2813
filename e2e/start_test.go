//go:build !js

package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestStartScreen: the start screen says what runs where, lists the demo
// and well-known images, and remembers the images opened in this browser
// (localStorage) until the person clears them.
func TestStartScreen(t *testing.T) {
	t.Parallel()
	srv := startServerT(t) // an origin of its own: no other test's pulls in its localStorage
	tb := newTab(t)
	tb.navigate(srv.url + "/")
	tb.waitStatus(pullWait, "idle")
	if where := tb.text("#start-where"); !strings.Contains(where, "runs in this tab") || !strings.Contains(where, "relay") {
		t.Errorf("#start-where reads %q; want it to say what runs in the tab and what goes through the relay", where)
	}
	examples := eval[[]string](tb, `[...document.querySelectorAll("#example-list a.example")].map(a => a.textContent)`)
	if !contains(examples, showcase(srv)) || !contains(examples, "docker.io/library/alpine:3.20") {
		t.Errorf("#example-list offers %q; want the demo images and well-known public ones", examples)
	}
	if hidden := eval[bool](tb, `document.querySelector("#recent-box").hidden`); !hidden {
		t.Error("#recent-box is shown with nothing opened yet")
	}

	tb.click(`#example-list a.example[href*="showcase"]`)
	tb.waitStatus(pullWait, "verified")
	tb.navigate(srv.url + "/")
	tb.waitStatus(pullWait, "idle")
	recent := eval[[]string](tb, `[...document.querySelectorAll("#recent-list a.example")].map(a => a.textContent)`)
	if len(recent) != 1 || recent[0] != showcase(srv) {
		t.Errorf("#recent-list lists %q after opening %s", recent, showcase(srv))
	}
	tb.click("#recent-clear")
	tb.waitFn(5*time.Second, "the recent list cleared", `() => document.querySelector("#recent-box").hidden ? "ok" : ""`)
	if v := eval[string](tb, `String(localStorage.getItem("regscope.recent"))`); v != "null" {
		t.Errorf("after Clear, localStorage regscope.recent = %s", v)
	}
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// TestProgressSummary: after a pull the progress area is one summary bar,
// "N of M layers", whose control shows every layer's row and hides them again.
func TestProgressSummary(t *testing.T) {
	t.Parallel()
	tb := newTab(t)
	tb.navigate(pageURL(env.srv, "image", showcase(env.srv)))
	tb.waitStatus(pullWait, "verified")
	if got := tb.text("#progress .sum-text"); !strings.HasPrefix(got, "3 of 3 layers · ") {
		t.Errorf("the progress summary reads %q, want \"3 of 3 layers · …\"", got)
	}
	rows := `document.querySelectorAll("#progress-bars .layer-bar").length`
	if n, hidden := eval[int](tb, rows), eval[bool](tb, `document.querySelector("#progress-bars").hidden`); n != 3 || !hidden {
		t.Errorf("collapsed: %d layer rows, hidden %v; want 3 rows, hidden", n, hidden)
	}
	tb.click("#progress-toggle")
	tb.waitAttr(5*time.Second, "#progress-toggle", "aria-expanded", "true")
	shown := eval[int](tb, `[...document.querySelectorAll("#progress-bars .layer-bar .st")].filter(e => e.getBoundingClientRect().height > 0 && (e.textContent === "✓ verified" || e.textContent === "✓ from cache")).length`)
	if shown != 3 {
		t.Errorf("expanded: %d rows shown as verified (or from the verified cache), want every one of 3", shown)
	}
	tb.click("#progress-toggle")
	tb.waitAttr(5*time.Second, "#progress-toggle", "aria-expanded", "false")
}

// TestErrorSentence: a missing image is explained in one sentence, the
// same one the CLI prints, with the registry's answer in a disclosure.
func TestErrorSentence(t *testing.T) {
	t.Parallel()
	tb := newTab(t)
	ref := env.srv.host + "/demo/nope"
	tb.navigate(pageURL(env.srv, "image", ref))
	tb.waitAttr(pullWait, "#error", "data-kind", "not-found")
	want := "No such image: " + env.srv.host + " has no repository demo/nope; check the name."
	if got := tb.text("#error .err-sentence"); got != want {
		t.Errorf("#error's sentence reads %q, want %q", got, want)
	}
	detail := tb.text("#error details.err-detail p")
	if !strings.Contains(detail, "404") || !strings.Contains(detail, "NAME_UNKNOWN") {
		t.Errorf("the technical detail reads %q; want the status and the registry's code", detail)
	}
	if open := eval[bool](tb, `document.querySelector("#error details").open`); open {
		t.Error("the technical detail is open; it should be a closed disclosure below the sentence")
	}
	if n := strings.Count(tb.text("#error"), "Not found"); n > 1 {
		t.Errorf("#error says \"Not found\" %d times: %q", n, tb.text("#error"))
	}
	if st := tb.text("#status"); st != "Not found" {
		t.Errorf("#status reads %q, want \"Not found\"", st)
	}
}

// TestDarkMode: with prefers-color-scheme: dark the page is dark, and with
// light it is light; the page declares both (color-scheme: light dark).
func TestDarkMode(t *testing.T) {
	t.Parallel()
	tb := newTab(t)
	for _, scheme := range []string{"dark", "light"} {
		tb.setScheme(scheme)
		tb.navigate(pageURL(env.srv, "image", showcase(env.srv), "path", "/app/README.md"))
		tb.waitStatus(pullWait, "verified")
		tb.viewerText("/app/README.md")
		got := eval[map[string]string](tb, `(() => {
		  const lum = c => { const [r, g, b] = c.match(/\d+/g).map(Number); return (0.2126*r + 0.7152*g + 0.0722*b) / 255; };
		  const bg = getComputedStyle(document.body).backgroundColor, fg = getComputedStyle(document.querySelector("#viewer .ln")).color;
		  return {scheme: getComputedStyle(document.documentElement).colorScheme, bg: lum(bg) < 0.5 ? "dark" : "light", text: lum(fg) < 0.5 ? "dark" : "light"};
		})()`)
		wantText := map[string]string{"dark": "light", "light": "dark"}[scheme]
		if got["scheme"] != "light dark" || got["bg"] != scheme || got["text"] != wantText {
			t.Errorf("prefers-color-scheme: %s: color-scheme %q, background %s, text %s; want \"light dark\", %s, %s",
				scheme, got["scheme"], got["bg"], got["text"], scheme, wantText)
		}
	}
}

// viewLate makes the page's main thread instantiate its WebAssembly (the
// view) 3 s late, and records when the engine's worker first sent the page
// a message: the engine is then ready before the view listens.
const viewLate = `(() => {
  const instantiate = WebAssembly.instantiate;
  WebAssembly.instantiate = (...args) => new Promise((r) => setTimeout(r, 3000)).then(() => {
    window.__viewAt = performance.now();
    return instantiate.apply(WebAssembly, args);
  });
  const W = window.Worker;
  window.Worker = function (...args) {
    const w = new W(...args);
    w.addEventListener("message", () => { if (window.__engineAt === undefined) window.__engineAt = performance.now(); });
    return w;
  };
  window.Worker.prototype = W.prototype;
})();`

// An engine ready before the view listens is not missed: boot.js keeps the
// worker's messages until the view takes them, and the pull a link asks
// for runs.
func TestEngineReadyBeforeView(t *testing.T) {
	t.Parallel()
	tb := newTab(t)
	if _, err := chromedp.Call(tb.ctx, page.AddScriptToEvaluateOnNewDocument,
		page.AddScriptToEvaluateOnNewDocumentParams{Source: viewLate}); err != nil {
		t.Fatal(err)
	}
	tb.navigate(pageURL(env.srv, "image", showcase(env.srv)))
	tb.waitStatus(pullWait, "verified")
	engine, view := eval[float64](tb, `window.__engineAt ?? -1`), eval[float64](tb, `window.__viewAt ?? -1`)
	if engine < 0 || view < 0 || engine > view {
		t.Errorf("the engine's first message at %.0f ms, the view's start at %.0f ms: the test wants the engine first", engine, view)
	}
}
