//go:build !js

package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/regscope/regscope/internal/regtest"
)

// chromiumPaths are where Debian's chromium package puts the browser; the
// first avoids the wrapper script's noise.
var chromiumPaths = []string{"/usr/lib/chromium/chromium", "/usr/bin/chromium"}

// Viewport is the size of every tab (and of docs/screenshot.png).
const viewportW, viewportH = 1400, 900

// browser is one headless Chromium shared by the package; each test opens
// its own tab in it.
type browser struct {
	ctx    context.Context // a chromedp context that has run once (the browser is up)
	cancel func()
	out    *regtest.SyncBuffer // the browser process's own output
}

// startBrowser starts headless Chromium with a fresh profile in dir.
func startBrowser(dir string) (*browser, error) {
	var exe string
	for _, p := range chromiumPaths {
		if _, err := os.Stat(p); err == nil {
			exe = p
			break
		}
	}
	if exe == "" {
		return nil, fmt.Errorf("chromium not found at %s: install it with `apt-get install -y chromium`", strings.Join(chromiumPaths, " or "))
	}
	b := &browser{out: &regtest.SyncBuffer{}}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox, // root in CI containers
		chromedp.DisableGPU,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-timer-throttling", true), // tabs poll with timers
		chromedp.Flag("disable-renderer-backgrounding", true),
		// A name for loopback that is not "localhost": pages served under it
		// over plain HTTP are not a secure context (no storage, as on a LAN).
		chromedp.Flag("host-resolver-rules", "MAP "+insecureHost+" 127.0.0.1"),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(dir),
		chromedp.WindowSize(viewportW, viewportH),
		chromedp.CombinedOutput(b.out),
	)
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, bcancel := chromedp.NewContext(actx)
	b.ctx = bctx
	b.cancel = func() { bcancel(); acancel() }
	if err := chromedp.Do(bctx); err != nil { // starts the browser, with no deadline on its context
		b.cancel()
		return nil, fmt.Errorf("starting %s: %w\n%s", exe, err, b.out)
	}
	return b, nil
}

func (b *browser) close() { b.cancel() }

// longtaskObserver is installed in every document before the page's own
// scripts: it records main-thread tasks over 50 ms as the browser reports them.
const longtaskObserver = `(() => {
  window.__longtasks = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longtasks.push({start: e.startTime, duration: e.duration, name: e.name});
    }).observe({type: "longtask", buffered: true});
  } catch (e) { window.__longtasks = null; }
})();`

// tab is one browser tab for one test.
type tab struct {
	t       testing.TB
	ctx     context.Context
	console *regtest.SyncBuffer
}

// newTab opens a tab (1400×900, longtask observer installed) that closes at
// the end of the test; when the test failed, a screenshot goes to the test's
// artifact directory and the console output to the log.
func newTab(t testing.TB) *tab {
	t.Helper()
	if env.browserErr != nil {
		t.Fatal(env.browserErr)
	}
	ctx, cancel := chromedp.NewContext(env.browser.ctx)
	tb := &tab{t: t, ctx: ctx, console: &regtest.SyncBuffer{}}
	var artifacts string
	if tt, ok := t.(*testing.T); ok {
		artifacts = tt.ArtifactDir()
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(viewportW, viewportH)); err != nil {
		cancel()
		t.Fatalf("opening a tab: %v\n%s", err, env.browser.out)
	}
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument,
		page.AddScriptToEvaluateOnNewDocumentParams{Source: longtaskObserver}); err != nil {
		cancel()
		t.Fatalf("installing the longtask observer: %v", err)
	}
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			fmt.Fprintf(tb.console, "%s %s\n", m.Time.Format("15:04:05.000"), m)
		}
	}()
	t.Cleanup(func() {
		if t.Failed() {
			tb.dumpState(artifacts)
		}
		cancel()
	})
	return tb
}

// dumpState logs what the page shows and saves a screenshot into dir.
func (tb *tab) dumpState(dir string) {
	ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Second)
	defer cancel()
	state, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify({
	  url: location.href,
	  status: document.querySelector("#status")?.dataset.state + ": " + document.querySelector("#status")?.textContent,
	  error: (document.querySelector("#error")?.dataset.kind || "") + ": " + (document.querySelector("#error")?.textContent || ""),
	  view: document.querySelector("#panels")?.dataset.view,
	  dir: document.querySelector("#tree")?.dataset.dir,
	  viewer: document.querySelector("#viewer")?.dataset.path,
	})`))
	tb.t.Logf("page state: %s", state)
	tb.t.Logf("console:\n%s", tb.console)
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		tb.t.Logf("screenshot: %v", err)
		return
	}
	p := filepath.Join(dir, "failure.png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		tb.t.Logf("screenshot: %v", err)
		return
	}
	tb.t.Logf("screenshot: %s (kept with go test -artifacts)", p)
}

// run runs one action on the tab with a deadline, failing the test on error.
func run[T any](tb *tab, d time.Duration, what string, a chromedp.Action[T]) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, d)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		tb.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// navigate loads url and waits for its load event.
func (tb *tab) navigate(url string) {
	tb.t.Helper()
	run(tb, 30*time.Second, "navigate to "+url, chromedp.Action[chromedp.Void](chromedp.Navigate(url)))
}

// signIn types the test registries' user and password into the page's
// credentials form and submits it.
func (tb *tab) signIn() {
	tb.t.Helper()
	run(tb, 10*time.Second, "type the credentials", chromedp.Steps(
		chromedp.SendKeys(chromedp.CSS("#cred-user"), regtest.User),
		chromedp.SendKeys(chromedp.CSS("#cred-pass"), regtest.Password),
		chromedp.Click(chromedp.CSS("#cred-submit")),
	))
}

// clearPageCache empties the page's verified cache (wasm/pcache) on s's
// origin, from the start screen, before a test that counts a pull's requests.
func (tb *tab) clearPageCache(s *server) {
	tb.t.Helper()
	tb.navigate(s.url + "/")
	eval[bool](tb, `caches.delete("regscope-verified")`)
}

// eval evaluates a JavaScript expression (awaiting a promise) and decodes its value.
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	return run(tb, 30*time.Second, "evaluate "+expr, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

// waitFn polls the JavaScript function fn(...args) every 50 ms until it
// returns a non-empty string, for at most d. "ok" means done; anything else
// is a failure the page reported, e.g. an error shown while waiting.
func (tb *tab) waitFn(d time.Duration, what, fn string, args ...any) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, d+5*time.Second)
	defer cancel()
	got, err := chromedp.Run(ctx, chromedp.PollFunction[string](fn,
		chromedp.WithPollingInterval(50*time.Millisecond),
		chromedp.WithPollingTimeout(d),
		chromedp.WithPollingArgs(args...)))
	switch {
	case errors.Is(err, chromedp.ErrPollingTimeout) || errors.Is(err, context.DeadlineExceeded):
		tb.t.Fatalf("waiting %v for %s: timed out", d, what)
	case err != nil:
		tb.t.Fatalf("waiting for %s: %v", what, err)
	case got != "ok":
		tb.t.Fatalf("waiting for %s: %s", what, got)
	}
}

// pageErrorJS returns the page's shown error as text, or "" — used to stop
// waiting early when the page failed instead.
const pageErrorJS = `function pageError() {
  const e = document.querySelector("#error");
  if (e && !e.hidden && e.dataset.kind) return "the page shows error [" + e.dataset.kind + "]: " + e.textContent.trim();
  const s = document.querySelector("#status");
  if (s && s.dataset.state === "error") return "the page's status is error: " + s.textContent.trim();
  return "";
}`

// waitAttr waits until the first element matching sel has attribute attr
// equal to want, failing early if the page shows an error (unless the
// attribute looked for is the error itself).
func (tb *tab) waitAttr(d time.Duration, sel, attr, want string) {
	tb.t.Helper()
	tb.waitFn(d, fmt.Sprintf("%s[%s=%q]", sel, attr, want), `(sel, attr, want, failOnError) => {
  `+pageErrorJS+`
  const el = document.querySelector(sel);
  if (el && el.getAttribute(attr) === want) return "ok";
  if (failOnError) return pageError();
  return "";
}`, sel, attr, want, !strings.Contains(sel, "#error") && want != "error")
}

// waitSel waits until an element matches sel (failing early on a page error).
func (tb *tab) waitSel(d time.Duration, sel string) {
	tb.t.Helper()
	tb.waitFn(d, sel, `(sel) => {
  `+pageErrorJS+`
  return document.querySelector(sel) ? "ok" : pageError();
}`, sel)
}

// waitStatus waits for #status[data-state=state].
func (tb *tab) waitStatus(d time.Duration, state string) {
	tb.t.Helper()
	tb.waitAttr(d, "#status", "data-state", state)
}

// click clicks the first element matching sel with the mouse, after
// scrolling it into view.
func (tb *tab) click(sel string) {
	tb.t.Helper()
	run(tb, 20*time.Second, "click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// text returns the textContent of the first element matching sel ("" if none).
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	return eval[string](tb, fmt.Sprintf(`document.querySelector(%q)?.textContent ?? ""`, sel))
}

// attr returns attribute name of the first element matching sel ("" if none).
func (tb *tab) attr(sel, name string) string {
	tb.t.Helper()
	return eval[string](tb, fmt.Sprintf(`document.querySelector(%q)?.getAttribute(%q) ?? ""`, sel, name))
}

// longtasks returns the main-thread tasks over 50 ms seen since the document loaded.
func (tb *tab) longtasks() []longtask {
	tb.t.Helper()
	return eval[[]longtask](tb, `window.__longtasks`)
}

// longtask is one PerformanceLongTaskTiming entry (milliseconds).
type longtask struct {
	Start    float64 `json:"start"`
	Duration float64 `json:"duration"`
	Name     string  `json:"name"`
}

// waitText waits until the textContent of the first element matching sel
// equals want (failing early on a page error).
func (tb *tab) waitText(d time.Duration, sel, want string) {
	tb.t.Helper()
	tb.waitFn(d, fmt.Sprintf("%s with text %q", sel, want), `(sel, want) => {
  `+pageErrorJS+`
  const el = document.querySelector(sel);
  if (el && el.textContent === want) return "ok";
  return pageError();
}`, sel, want)
}

// historyGo moves through the tab's session history by delta entries (-1 is
// the Back button) as the browser does, without waiting for a load: the
// page's entries are same-document (history.pushState).
func (tb *tab) historyGo(delta int) {
	tb.t.Helper()
	run(tb, 10*time.Second, fmt.Sprintf("history %+d", delta), chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		res, err := cdp.Call(ctx, t, page.GetNavigationHistory, cdp.Empty{})
		if err != nil {
			return err
		}
		i := int(res.CurrentIndex) + delta
		if i < 0 || i >= len(res.Entries) {
			return fmt.Errorf("no history entry %d (current %d of %d)", i, res.CurrentIndex, len(res.Entries))
		}
		_, err = cdp.Call(ctx, t, page.NavigateToHistoryEntry, page.NavigateToHistoryEntryParams{EntryID: res.Entries[i].ID})
		return err
	}))
}

// query returns the query of the tab's URL.
func (tb *tab) query() url.Values {
	tb.t.Helper()
	q, err := url.ParseQuery(eval[string](tb, `location.search.slice(1)`))
	if err != nil {
		tb.t.Fatalf("the tab's location: %v", err)
	}
	return q
}
