//go:build !js

package e2e

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/tartest"
)

// Strings an image controls, made to become markup, script or a link if the
// page ever parsed them as HTML: every one must show as the same text.
const (
	xssImg    = `<img src=x onerror="window.__pwned=1">`
	xssScript = `</script><script>window.__pwned=1</script>`
	xssLink   = `javascript:window.__pwned=1//<a href="javascript:window.__pwned=1">x</a>`
	xssBidi   = "evil\u202egpj.exe"      // right-to-left override: reads "evil.exe.jpg"
	xssCtrl   = "bell\x07esc\x1b[31mred" // BEL and an ANSI colour escape
)

// hostileImage is an image whose file names, symlink target, owner names,
// labels, env, history and annotations all carry the strings above.
func hostileImage(t *testing.T) v1.Image {
	t.Helper()
	img := imagetest.Image(t, imagetest.OCI, imagetest.Layer(t, imagetest.Gzip,
		tartest.Entry{Name: "h/"},
		tartest.Entry{Name: "h/" + xssImg, Body: xssScript + "\n" + xssImg + "\n", Uname: "<b>root</b>", Gname: xssImg},
		tartest.Entry{Name: "h/" + xssBidi, Body: "bidi\n"},
		tartest.Entry{Name: "h/" + xssCtrl, Body: "control\n"},
		tartest.Entry{Name: "h/link", Type: tar.TypeSymlink, Link: xssLink},
	))
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.Config.Labels = map[string]string{"org.example.img": xssImg, "org.example.script": xssScript, "org.example.url": xssLink, "org.example.bidi": xssBidi}
	cf.Config.Env = append(cf.Config.Env, "XSS="+xssScript, "CTRL="+xssCtrl)
	cf.Config.User = xssImg
	cf.Config.WorkingDir = "/" + xssBidi
	cf.History[0].CreatedBy = "/bin/sh -c echo " + xssImg
	cf.History[0].Comment = xssLink
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	return mutate.Annotations(img, map[string]string{"org.opencontainers.image.description": xssScript + xssImg, "org.example.url": xssLink}).(v1.Image)
}

// TestHostileImageIsText pulls hostileImage in the page and visits every
// view: each hostile string shows as exactly that text, no element gains
// an event handler, a script, an image or a javascript: link, and the page
// reports no Content-Security-Policy violation.
func TestHostileImageIsText(t *testing.T) {
	t.Parallel()
	host := regtest.GGCR(t)
	ref := host + "/e2e/hostile:v1"
	img := hostileImage(t)
	regtest.Push(t, ref, img)
	srv := startServerT(t, "--insecure-registry", host)

	tb := newTab(t)
	if _, err := chromedp.Call(tb.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.__csp = []; document.addEventListener("securitypolicyviolation", e => window.__csp.push(e.violatedDirective + " " + e.blockedURI));`,
	}); err != nil {
		t.Fatal(err)
	}
	inert := func(where string) {
		t.Helper()
		bad := eval[[]string](tb, `(() => {
		  const bad = [];
		  for (const e of document.querySelectorAll("*")) {
		    for (const a of e.attributes) {
		      if (a.name.startsWith("on")) bad.push(e.tagName + "[" + a.name + "]");
		      if (/^\s*javascript:/i.test(a.value)) bad.push(e.tagName + "[" + a.name + "=" + a.value + "]");
		    }
		  }
		  for (const e of document.querySelectorAll("body script, img, iframe, object, embed")) bad.push(e.outerHTML);
		  for (const e of document.querySelectorAll("b")) if (e.textContent === "root") bad.push(e.outerHTML);
		  if (window.__pwned !== undefined) bad.push("window.__pwned = " + window.__pwned);
		  return bad.concat(window.__csp.map(v => "CSP violation: " + v));
		})()`)
		if len(bad) > 0 {
			t.Errorf("%s: the page turned image data into markup or code: %q", where, bad)
		}
	}

	tb.navigate(pageURL(srv, "image", ref, "path", "/h"))
	tb.waitStatus(pullWait, "verified")
	tb.waitAttr(10*time.Second, "#tree", "data-dir", "/h")
	names := map[string]string{}
	for _, n := range []string{xssImg, xssBidi, xssCtrl} {
		names["/h/"+n] = n
	}
	names["/h/link"] = "link → " + xssLink
	tb.waitSel(10*time.Second, `#tree .row[data-path="/h/link"]`)
	for p, want := range names {
		if got := rowPart(tb, "#tree", p, ".name"); got != want {
			t.Errorf("the row of %q reads %q, want %q", p, got, want)
		}
	}
	if own := rowPart(tb, "#tree", "/h/"+xssImg, ".own"); own != "<b>root</b>:"+xssImg {
		t.Errorf("the owner column reads %q, want %q", own, "<b>root</b>:"+xssImg)
	}
	inert("the file list")

	rowPart(tb, "#tree", "/h/"+xssImg, ".name", "click")
	if got, want := tb.viewerText("/h/"+xssImg), xssScript+"\n"+xssImg+"\n"; got != want {
		t.Errorf("the viewer shows %q, want %q", got, want)
	}
	if got := tb.text("#viewer-bar .vb-path"); got != "/h/"+xssImg {
		t.Errorf("the viewer's path reads %q, want %q", got, "/h/"+xssImg)
	}
	inert("the viewer")

	tb.navigate(pageURL(srv, "image", ref, "path", "/h/link"))
	tb.waitStatus(pullWait, "verified")
	tb.waitAttr(10*time.Second, "#viewer", "data-path", "/h/link")
	if bar := tb.text("#viewer-bar"); !strings.Contains(bar, "→ "+xssLink) {
		t.Errorf("the viewer bar reads %q; want the symlink target %q as text", bar, xssLink)
	}
	inert("a symlink's viewer bar")

	tb.click("#tab-config")
	tb.waitAttr(10*time.Second, "#panels", "data-view", "config")
	cfg := tb.text("#panel-config")
	for _, want := range []string{"org.example.img=" + xssImg, "org.example.script=" + xssScript, "org.example.url=" + xssLink,
		"org.example.bidi=" + xssBidi, "XSS=" + xssScript, "CTRL=" + xssCtrl, "/bin/sh -c echo " + xssImg, "/" + xssBidi} {
		if !strings.Contains(cfg, want) {
			t.Errorf("the config view lacks the text %q", want)
		}
	}
	raw, err := img.RawConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if got := eval[string](tb, `document.querySelector("#panel-config pre.json").textContent`); got != indent(t, raw) {
		t.Errorf("the raw config reads\n%s\nwant\n%s", got, indent(t, raw))
	}
	inert("the config view")

	tb.click("#tab-manifest")
	tb.waitAttr(10*time.Second, "#panels", "data-view", "manifest")
	rawM, err := img.RawManifest()
	if err != nil {
		t.Fatal(err)
	}
	if got := eval[string](tb, `document.querySelector("#panel-manifest pre.json").textContent`); got != indent(t, rawM) {
		t.Errorf("the manifest reads\n%s\nwant\n%s", got, indent(t, rawM))
	}
	inert("the manifest view")

	tb.click("#tab-layers")
	tb.click(`#layers-table tr.layer[data-layer="0"]`)
	tb.waitSel(10*time.Second, `#layer-changes[data-layer="0"] .row`)
	if got := rowPart(tb, "#layer-changes", "/h/"+xssImg, ".name"); got != "/h/"+xssImg {
		t.Errorf("the layer's change of %q reads %q", "/h/"+xssImg, got)
	}
	if cmd := tb.attr(`#layers-table tr.layer[data-layer="0"] td.cmd`, "title"); cmd != "/bin/sh -c echo "+xssImg {
		t.Errorf("the layer's created-by reads %q, want %q", cmd, "/bin/sh -c echo "+xssImg)
	}
	inert("the layers view")

	bad := xssImg + "@sha256:x"
	tb.navigate(pageURL(srv, "image", bad))
	tb.waitStatus(pullWait, "error")
	if msg := tb.text("#error"); !strings.Contains(msg, strconv.Quote(bad)) {
		t.Errorf("#error reads %q; want it to quote the reference as text: %s", msg, strconv.Quote(bad))
	}
	inert("an error about a hostile reference")
}

// rowPart returns the text of part (a selector) in the row of list whose
// data-path is path ("" if there is none), after calling its method call
// ("click") if one is given. Paths are compared in JavaScript, so that
// no hostile name has to be written as a CSS selector.
func rowPart(tb *tab, list, path, part string, call ...string) string {
	p, _ := json.Marshal(path)
	do := ""
	if len(call) > 0 {
		do = "r." + call[0] + "();"
	}
	return eval[string](tb, fmt.Sprintf(`(() => {
	  const r = [...document.querySelectorAll(%q + " .row")].find(r => r.dataset.path === %s);
	  if (!r) return "";
	  %s
	  return r.querySelector(%q)?.textContent ?? "";
	})()`, list, p, do, part))
}

// indent is a JSON document as the page pretty-prints it.
func indent(t *testing.T, raw []byte) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
