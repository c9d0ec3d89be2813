//go:build js

package view

import (
	"fmt"
	"strconv"
	"strings"
	"syscall/js"

	"honnef.co/go/js/dom/v2"

	"github.com/regscope/regscope/internal/format"
	"github.com/regscope/regscope/wasm/msg"
	"github.com/regscope/regscope/wasm/urlstate"
)

// drawLayers draws the layers table.
func (a *app) drawLayers() {
	var b strings.Builder
	b.WriteString(`<thead><tr><th>#</th><th>digest</th><th class="num">compressed</th><th class="num">uncompressed</th><th>media type</th><th class="num">+added</th><th class="num">~modified</th><th class="num">−deleted</th><th class="num" title="regular-file content the layer holds">added bytes</th><th class="num" title="content of lower layers' files this layer overwrote or deleted">wasted</th><th>created by</th></tr></thead><tbody>`)
	for _, l := range a.img.Layers {
		mt := strings.TrimPrefix(strings.TrimPrefix(l.MediaType, "application/vnd.oci.image."), "application/vnd.docker.image.rootfs.")
		fmt.Fprintf(&b, `<tr class="layer" data-layer="%d"><td>%d</td><td class="mono"><span title="%s">%s</span> <button type="button" class="copy" data-copy="%s" title="copy digest">copy</button></td>`+
			`<td class="num">%s</td><td class="num">%s</td><td class="mono" title="%s">%s</td><td class="num add">%d</td><td class="num mod">%d</td><td class="num del">%d</td><td class="num added-bytes" data-bytes="%d">%s</td><td class="num wasted-bytes" data-bytes="%d">%s</td><td class="cmd mono" title="%s">%s</td></tr>`,
			l.Index, l.Index, esc(l.Digest+"\nDiffID "+l.DiffID), esc(format.ShortDigest(l.Digest)), esc(l.Digest),
			format.Size(l.Size), format.Size(l.UncompressedSize), esc(l.MediaType), esc(mt),
			l.Added, l.Modified, l.Deleted, l.AddedBytes, format.Size(l.AddedBytes), l.WastedBytes, format.Size(l.WastedBytes),
			esc(l.CreatedBy), esc(shortCmd(l.CreatedBy)))
	}
	b.WriteString(`</tbody>`)
	t := a.el("layers-table")
	t.SetInnerHTML(b.String())
	a.drawEfficiency(a.img.Efficiency)
	a.el("layer-head").SetInnerHTML(`<span class="muted">Select a layer to see its own changes.</span>`)
	a.chg.gen++
	a.chg.total = 0
	a.chg.inner.SetInnerHTML("")
}

// shortCmd trims Dockerfile boilerplate from a history command.
func shortCmd(s string) string {
	s = strings.TrimPrefix(s, "/bin/sh -c ")
	s = strings.TrimPrefix(s, "#(nop) ")
	s = strings.TrimSpace(s)
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}

// selectLayer shows layer n's own changes (n < 0: none).
func (a *app) selectLayer(n int) {
	for _, r := range a.el("layers-table").QuerySelectorAll("tr.layer") {
		if r.GetAttribute("data-layer") == strconv.Itoa(n) {
			r.Class().Add("sel")
		} else {
			r.Class().Remove("sel")
		}
	}
	if n < 0 || n >= len(a.img.Layers) {
		a.el("layer-head").SetInnerHTML(`<span class="muted">Select a layer to see its own changes.</span>`)
		a.chg.gen++
		a.chg.total = 0
		a.chg.inner.SetInnerHTML("")
		a.el("layer-changes").SetAttribute("data-layer", "")
		return
	}
	l := a.img.Layers[n]
	a.el("layer-head").SetInnerHTML(fmt.Sprintf(`<strong>Layer %d</strong> <span class="mono">%s</span> · %d entries · <span class="add">+%d</span> <span class="mod">~%d</span> <span class="del">−%d</span>`,
		n, esc(l.Digest), l.Entries, l.Added, l.Modified, l.Deleted))
	a.el("layer-changes").SetAttribute("data-layer", strconv.Itoa(n))
	a.chg.load(msg.Source{Layer: &n})
}

// clickLink handles clicks on digest links, layer rows and copy buttons in
// the layers, config and manifest panels.
func (a *app) clickLink(ev dom.Event) {
	t := ev.Target()
	if t == nil {
		return
	}
	if c := t.GetAttribute("data-copy"); c != "" {
		ev.PreventDefault()
		if cb := js.Global().Get("navigator").Get("clipboard"); cb.Truthy() {
			cb.Call("writeText", c)
		}
		t.SetTextContent("✓")
		return
	}
	if d := t.GetAttribute("data-digest"); d != "" {
		ev.PreventDefault()
		go a.followDigest(d)
		return
	}
	if p := t.GetAttribute("data-open-path"); p != "" {
		ev.PreventDefault()
		go a.navigate(func(s *urlstate.State) { s.View, s.Path = "files", p })
		return
	}
	if l := t.GetAttribute("data-goto-layer"); l != "" {
		ev.PreventDefault()
		n, _ := strconv.Atoi(l)
		go a.navigate(func(s *urlstate.State) { s.View, s.Layer = "layers", n })
		return
	}
	if row := t.Closest("tr.layer"); row != nil {
		n, _ := strconv.Atoi(row.GetAttribute("data-layer"))
		go a.navigate(func(s *urlstate.State) { s.View, s.Layer = "layers", n })
	}
}

// followDigest opens what a digest names: a layer, the config, the manifest,
// or (from an index) another platform's image.
func (a *app) followDigest(d string) {
	img := a.img
	for _, l := range img.Layers {
		if l.Digest == d || l.DiffID == d {
			a.navigate(func(s *urlstate.State) { s.View, s.Layer = "layers", l.Index })
			return
		}
	}
	switch d {
	case img.Config.Digest:
		a.navigate(func(s *urlstate.State) { s.View = "config" })
		return
	case img.Manifest.Digest, img.Digest:
		a.navigate(func(s *urlstate.State) { s.View = "manifest" })
		a.el("manifest-section").Underlying().Call("scrollIntoView")
		return
	}
	if p := indexPlatform(img, d); p != "" {
		a.navigate(func(s *urlstate.State) { s.Platform, s.View, s.Layer = p, "manifest", -1 })
	}
}
