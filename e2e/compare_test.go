//go:build !js

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/regscope/regscope/internal/difftest"
	"github.com/regscope/regscope/internal/regtest"
)

// nativeDiff is `regscope diff --json` for case c, rendered as
// difftest.Case.Files lines: the CLI the page must agree with.
func nativeDiff(t *testing.T, c difftest.Case, host string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	args := []string{"diff", "--json"}
	if c.PlatformA != "" {
		args = append(args, "--platform", c.PlatformA, "--platform-b", c.PlatformB)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, env.bin, append(args, c.A, c.B)...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	var exit *exec.ExitError
	if err := cmd.Run(); err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		t.Fatalf("regscope diff %s %s: %v\n%s", c.A, c.B, err, stderr.String())
	}
	var out []string
	dec := json.NewDecoder(&stdout)
	for dec.More() {
		var j struct {
			Path, Change string
			Fields       []string
		}
		if err := dec.Decode(&j); err != nil {
			t.Fatal(err)
		}
		s := j.Change + " " + j.Path
		if j.Change == "modified" {
			s += " " + strings.Join(j.Fields, ",")
		}
		out = append(out, s)
	}
	return out
}

// expandAll opens every directory of the Compare view's tree (unchanged
// directories start collapsed).
func expandAll(tb *tab) {
	tb.t.Helper()
	if tb.attr("#compare-expand", "aria-pressed") != "true" {
		tb.click("#compare-expand")
	}
	tb.waitAttr(10*time.Second, "#compare-expand", "aria-pressed", "true")
}

// compareRows reads the Compare view's changed paths and config rows.
func compareRows(tb *tab) (files, config []string) {
	files = eval[[]string](tb, `[...document.querySelectorAll("#compare-tree .crow:not(.dir)")].map(r =>
	  r.dataset.change + " " + r.dataset.path + (r.dataset.change === "modified" ? " " + r.dataset.fields : ""))`)
	type cfg struct{ Field, Key, A, B string }
	for _, c := range eval[[]cfg](tb, `[...document.querySelectorAll("#compare-config tr.cfg")].map(r =>
	  ({Field: r.dataset.field, Key: r.dataset.key, A: r.cells[2].textContent, B: r.cells[3].textContent}))`) {
		name := c.Field
		if c.Key != "" {
			name += " " + c.Key
		}
		q := func(s string) string {
			if s == "(absent)" {
				return s
			}
			return fmt.Sprintf("%q", s)
		}
		config = append(config, name+": "+q(c.A)+" → "+q(c.B))
	}
	return files, config
}

// TestCompareView opens /?image=A&compare=B for every pair of difftest (the
// kinds of change, hardlinks, whiteouts, opaque directories, layer splits
// that must compare equal, two platforms of one index): the page's changed
// paths and config rows equal the expected lists and `regscope diff`.
func TestCompareView(t *testing.T) {
	t.Parallel()
	host := regtest.GGCR(t)
	cases := difftest.Push(t, host)
	srv := startServerT(t, "--insecure-registry", host)
	tb := newTab(t)
	for _, c := range cases {
		kv := []string{"image", c.A, "compare", c.B}
		if c.PlatformA != "" {
			kv = append(kv, "platform", c.PlatformA, "compare-platform", c.PlatformB)
		}
		tb.navigate(pageURL(srv, kv...))
		tb.waitStatus(pullWait, "verified")
		tb.waitAttr(20*time.Second, "#compare-summary", "data-state", "ready")
		folded := eval[[]string](tb, `[...document.querySelectorAll("#compare-tree .crow.dir")].map(r => r.dataset.path + " " + r.dataset.open)`)
		for _, f := range folded {
			if !strings.HasSuffix(f, " false") {
				t.Errorf("%s: directory row %q is open before anything asked", c.Name, f)
			}
		}
		expandAll(tb)
		files, config := compareRows(tb)
		if strings.Join(files, "\n") != strings.Join(c.Files, "\n") {
			t.Errorf("%s: the page lists\n%s\nwant\n%s", c.Name, strings.Join(files, "\n"), strings.Join(c.Files, "\n"))
		}
		if cli := nativeDiff(t, c, host); strings.Join(cli, "\n") != strings.Join(files, "\n") {
			t.Errorf("%s: regscope diff lists\n%s\nthe page\n%s", c.Name, strings.Join(cli, "\n"), strings.Join(files, "\n"))
		}
		if strings.Join(config, "\n") != strings.Join(c.Config, "\n") {
			t.Errorf("%s: config rows %q, want %q", c.Name, config, c.Config)
		}
		same := fmt.Sprint(len(c.Files) == 0 && len(c.Config) == 0)
		if got := tb.attr("#compare-summary", "data-same"); got != same {
			t.Errorf("%s: data-same %s, want %s", c.Name, got, same)
		}
	}
}

// TestCompareInteractions: the content diff of a selected path, the
// filters, Copy link pinning both sides, back and forward, and "compare
// with…".
func TestCompareInteractions(t *testing.T) {
	t.Parallel()
	host := regtest.GGCR(t)
	cases := difftest.Push(t, host)
	byName := map[string]difftest.Case{}
	for _, c := range cases {
		byName[c.Name] = c
	}
	srv := startServerT(t, "--insecure-registry", host)
	tb := newTab(t)
	c := byName["platforms"]
	tb.navigate(pageURL(srv, "image", c.A, "platform", c.PlatformA, "compare", c.B, "compare-platform", c.PlatformB))
	tb.waitStatus(pullWait, "verified")
	tb.waitAttr(20*time.Second, "#compare-summary", "data-state", "ready")
	if got, want := tb.text("#compare-line"), "1 added · 0 removed · 1 modified · +10 B −6 B"; got != want {
		t.Errorf("summary line %q, want %q", got, want)
	}

	// Select the changed file: its unified diff, and path= in the URL.
	expandAll(tb)
	tb.click(`#compare-tree .crow[data-path="/etc/arch"]`)
	tb.waitText(10*time.Second, "#compare-unified", "--- a/etc/arch\n+++ b/etc/arch\n@@ -1 +1 @@\n-amd64\n+arm64\n")
	if q := tb.query(); q.Get("path") != "/etc/arch" || q.Get("compare") != c.B || q.Get("compare-platform") != c.PlatformB {
		t.Errorf("URL after selecting /etc/arch: %v", q)
	}
	// Copy link pins both sides to their digests.
	link := tb.attr("#copy-link", "data-link")
	if !strings.Contains(link, "image="+host+"/diff/platforms:multi@sha256:") || !strings.Contains(link, "compare="+host+"/diff/platforms:multi@sha256:") ||
		!strings.Contains(link, "compare-platform=linux/arm64") || !strings.Contains(link, "path=/etc/arch") {
		t.Errorf("Copy link %q does not pin both sides", link)
	}
	// Filter by kind: only the added path.
	expandAll(tb)
	tb.click(`#compare-controls .compare-kind[data-kind="added"]`)
	tb.waitAttr(10*time.Second, `#compare-controls .compare-kind[data-kind="added"]`, "aria-pressed", "true")
	if files, _ := compareRows(tb); strings.Join(files, ";") != "added /etc/arm" {
		t.Errorf("filter added: %q", files)
	}
	tb.click(`#compare-controls .compare-kind[data-kind=""]`)
	// Back: no path selected; forward: the diff again.
	tb.historyGo(-1)
	tb.waitFn(10*time.Second, "path cleared", `() => new URLSearchParams(location.search).get("path") === null ? "ok" : ""`)
	tb.historyGo(1)
	tb.waitText(10*time.Second, "#compare-unified", "--- a/etc/arch\n+++ b/etc/arch\n@@ -1 +1 @@\n-amd64\n+arm64\n")

	// B's platform chooser compares with another platform of the index.
	if got := eval[string](tb, `document.querySelector("#compare-platform-select").value`); got != "linux/arm64" {
		t.Errorf("B's platform chooser shows %q", got)
	}
	eval[bool](tb, `(() => { const s = document.querySelector("#compare-platform-select"); s.value = "linux/amd64";
	  return s.dispatchEvent(new Event("change")); })()`)
	tb.waitFn(pullWait, "the same platform on both sides", `() => {
	  const s = document.querySelector("#compare-summary");
	  return new URLSearchParams(location.search).get("compare-platform") === "linux/amd64" &&
	    s && s.dataset.state === "ready" && s.dataset.same === "true" ? "ok" : "";
	}`)

	// The pinned link opens the same comparison.
	tb.navigate(link)
	tb.waitStatus(pullWait, "verified")
	tb.waitText(20*time.Second, "#compare-unified", "--- a/etc/arch\n+++ b/etc/arch\n@@ -1 +1 @@\n-amd64\n+arm64\n")

	// "compare with…" from a single image.
	o := byName["owner"]
	tb.navigate(pageURL(srv, "image", o.A))
	tb.waitStatus(pullWait, "verified")
	run(tb, 10*time.Second, "type B and compare", chromedp.Steps(
		chromedp.Evaluate[chromedp.Void](`document.querySelector("#compare-input").focus()`),
		chromedp.SendKeys(chromedp.CSS("#compare-input"), o.B),
		chromedp.Click(chromedp.CSS("#compare-button")),
	))
	tb.waitFn(10*time.Second, "the location naming "+o.B, `(ref) =>
	  new URLSearchParams(location.search).get("compare") === ref ? "ok" : ""`, o.B)
	tb.waitAttr(pullWait, "#compare-summary", "data-state", "ready")
	if got := tb.text(`#compare-tree .crow.dir[data-path="/home"]`); got != "▸ home/ 1" {
		t.Errorf("the folded /home row reads %q", got)
	}
	tb.click(`#compare-tree .crow.dir[data-path="/home"]`)
	tb.waitAttr(10*time.Second, `#compare-tree .crow.dir[data-path="/home"]`, "data-open", "true")
	if files, _ := compareRows(tb); strings.Join(files, ";") != "modified /home/app gid,uid" {
		t.Errorf("compare with… lists %q", files)
	}
	if q := tb.query(); q.Get("image") != o.A || q.Get("compare") != o.B {
		t.Errorf("URL after compare with…: %v", q)
	}

	// Hardlinks as names of one file, in the files view: the link whose
	// target B's last layer deleted is a plain file now, with its bytes.
	h := byName["hardlinks"]
	tb.navigate(pageURL(srv, "image", h.B, "path", "/usr/local"))
	tb.waitStatus(pullWait, "verified")
	tb.waitAttr(10*time.Second, "#tree", "data-dir", "/usr/local")
	row := `#tree .row[data-path="/usr/local/curl"]`
	tb.waitSel(10*time.Second, row)
	if got := tb.attr(row, "data-type"); got != "file" {
		t.Errorf("/usr/local/curl is listed as %q, want file", got)
	}
	tb.click(row)
	if got := tb.viewerText("/usr/local/curl"); got != "curl binary" {
		t.Errorf("/usr/local/curl shows %q", got)
	}
}
