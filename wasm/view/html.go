// Package view is the page's main-thread half: it draws the DOM (with
// honnef.co/go/js/dom/v2) and asks the engine, in a Web Worker, for
// everything it shows. Files without a build tag hold the pure pieces (HTML
// fragments, tested natively); the *_js.go files talk to the browser.
package view

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"path"
	"regexp"
	"strings"

	"github.com/regscope/regscope/internal/format"
	"github.com/regscope/regscope/wasm/msg"
)

var esc = html.EscapeString

// rowHTML is one row of a file list (directory, layer changes or search
// results), index i of a virtual list (which places the rows: no inline
// style, the page's CSP forbids it). Rows carry data-path, data-type and
// data-change for tests and styling.
func rowHTML(i int, e msg.Entry, fullPath bool) string {
	name := path.Base(e.Path)
	if fullPath || e.Path == "/" {
		name = e.Path
	}
	cls := "row t-" + e.Type
	if e.Change != "" {
		cls += " c-" + e.Change
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<div class="%s" data-i="%d" data-path="%s" data-type="%s"`, cls, i, esc(e.Path), esc(e.Type))
	if e.Change != "" {
		fmt.Fprintf(&b, ` data-change="%s"`, esc(e.Change))
	}
	b.WriteString(`>`)
	if e.Type == "whiteout" || e.Type == "opaque" {
		b.WriteString(`<span class="mode"></span><span class="own"></span>`) // markers: their mode and owner mean nothing
	} else {
		own, ids := owner(e)
		fmt.Fprintf(&b, `<span class="mode">%s</span><span class="own" title="%s">%s</span>`, format.Mode(e.Type, e.Mode), esc(ids), esc(own))
	}
	size := ""
	if e.Type == "file" || e.Type == "hardlink" {
		size = format.Size(e.Size)
	}
	fmt.Fprintf(&b, `<span class="size">%s</span>`, size)
	fmt.Fprintf(&b, `<span class="name">%s`, esc(name))
	if e.Type == "dir" || e.Type == "opaque" {
		b.WriteString("/")
	}
	if e.Link != "" {
		arrow := " → "
		if e.Type == "hardlink" {
			arrow = " ⇒ "
		}
		fmt.Fprintf(&b, `<span class="link">%s%s</span>`, arrow, esc(e.Link))
	}
	b.WriteString(`</span>`)
	note := fmt.Sprintf("L%d", e.Layer)
	title := fmt.Sprintf("provided by layer %d", e.Layer)
	switch e.Change {
	case "deleted", "overwritten":
		if e.By >= 0 {
			note = fmt.Sprintf("L%d ✗ L%d", e.Layer, e.By)
			title = fmt.Sprintf("from layer %d, %s by layer %d", e.Layer, e.Change, e.By)
		} else { // a layer's own whiteout
			note = e.Change
			title = fmt.Sprintf("layer %d: %s", e.Layer, e.Change)
		}
	case "added", "modified", "opaque":
		note = e.Change
		title = fmt.Sprintf("layer %d: %s", e.Layer, e.Change)
	}
	fmt.Fprintf(&b, `<span class="lyr" title="%s">%s</span></div>`, esc(title), esc(note))
	return b.String()
}

// owner is how an entry's owner reads: user and group names where the tar
// header carried them, numbers otherwise ("app:app", "0:0", "app:1000"),
// and the numeric "uid:gid" for a tooltip.
func owner(e msg.Entry) (shown, ids string) {
	ids = fmt.Sprintf("%d:%d", e.UID, e.GID)
	u, g := e.Uname, e.Gname
	if u == "" {
		u = fmt.Sprint(e.UID)
	}
	if g == "" {
		g = fmt.Sprint(e.GID)
	}
	return u + ":" + g, ids
}

// plural is "1 entry", "2 entries".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// textHTML renders text as lines whose numbers come from CSS, so the
// element's textContent is exactly the text.
func textHTML(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	b.WriteString(`<pre class="text">`)
	for len(s) > 0 {
		line, rest, found := strings.Cut(s, "\n")
		b.WriteString(`<span class="ln">`)
		b.WriteString(esc(line))
		if found {
			b.WriteString("\n")
		}
		b.WriteString(`</span>`)
		s = rest
	}
	b.WriteString(`</pre>`)
	return b.String()
}

var digestRE = regexp.MustCompile(`&#34;(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})&#34;`)

// jsonHTML pretty-prints a JSON document and turns every digest string into
// a link (data-digest) the view resolves to the layer, config or manifest it names.
func jsonHTML(body string) string {
	var buf bytes.Buffer
	if err := json.Indent(&buf, []byte(body), "", "  "); err != nil {
		return `<pre class="json">` + esc(body) + `</pre>`
	}
	out := digestRE.ReplaceAllString(esc(buf.String()), `&#34;<a href="#" class="digest" data-digest="$1">$1</a>&#34;`)
	return `<pre class="json">` + out + `</pre>`
}
