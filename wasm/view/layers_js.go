//go:build js

package view

import (
	"strconv"
	"strings"

	"honnef.co/go/js/dom/v2"

	"github.com/regscope/regscope/internal/format"
	"github.com/regscope/regscope/wasm/msg"
	"github.com/regscope/regscope/wasm/urlstate"
)

// layersView is the "layers" tab: the layers table, the efficiency
// report, and the selected layer's own changes. It owns the selection.
type layersView struct {
	p     *Page
	img   *msg.PullResult
	table dom.HTMLElement
	head  dom.HTMLElement
	chg   *vlist
	eff   dom.HTMLElement
	sel   int // the layer shown, -1 for none
}

func newLayersView(p *Page) *layersView { return &layersView{p: p, sel: -1} }

func (l *layersView) Name() string  { return urlstate.ViewLayers }
func (l *layersView) Label() string { return "Layers" }

func (l *layersView) Mount(panel dom.HTMLElement) {
	p := l.p
	l.table, l.head = p.el("layers-table"), p.el("layer-head")
	l.eff = p.el("efficiency-box")
	l.chg = newVList(p, p.el("layer-changes"), func(e msg.Entry) {
		if e.Change == "deleted" || e.Type == "opaque" {
			return
		}
		p.navigate(func(s *urlstate.State) { s.View, s.Path = urlstate.ViewFiles, e.Path })
	})
	l.chg.fullPath = true
	p.linksIn(panel)
}

func (l *layersView) Load(img *msg.PullResult) {
	l.img, l.sel = img, -1
	l.table.SetTextContent("")
	l.eff.SetTextContent("")
	l.unselect()
	if img == nil {
		return
	}
	l.drawTable()
	if img.Efficiency != nil {
		drawEfficiency(l.eff, img.Efficiency)
	}
}

func (l *layersView) Show(s urlstate.State) {
	if s.Layer != l.sel || l.chg.total == 0 {
		l.selectLayer(s.Layer)
	}
}

// drawTable draws one row per layer.
func (l *layersView) drawTable() {
	hr := elem("tr")
	for _, h := range layerColumns() {
		th := textEl("th", h.text, "scope", "col")
		if h.class != "" {
			th.SetAttribute("class", h.class)
		}
		if h.tip != "" {
			th.SetAttribute("title", h.tip)
		}
		hr.AppendChild(th)
	}
	body := elem("tbody")
	for _, ly := range l.img.Layers {
		body.AppendChild(layerRow(ly))
	}
	add(l.table, add(elem("thead"), hr), body)
}

// layerColumn is a column of the layers table: its heading, class and tip.
type layerColumn struct{ text, class, tip string }

// layerColumns are the layers table's columns, in order.
func layerColumns() []layerColumn {
	return []layerColumn{
		{"#", "", ""}, {"digest", "", ""}, {"compressed", "num", ""}, {"uncompressed", "num", ""}, {"media type", "", ""},
		{"+added", "num", ""}, {"~modified", "num", ""}, {"−deleted", "num", ""},
		{"added bytes", "num", "regular-file content the layer holds"},
		{"wasted", "num", "content of lower layers' files this layer overwrote or deleted"}, {"created by", "", ""},
	}
}

// layerRow is one layer's row of the table. Each cell after the digest
// carries its column's heading in data-label, which narrow screens show
// before the value when the row folds into a detail line.
func layerRow(ly msg.Layer) dom.Element {
	n := strconv.Itoa(ly.Index)
	cols := layerColumns()
	cell := func(col int, class, text, tip string) dom.Element {
		td := textEl("td", text, "class", class, "data-label", cols[col].text)
		if tip != "" {
			td.SetAttribute("title", tip)
		}
		return td
	}
	dg := span("", format.ShortDigest(ly.Digest))
	dg.SetAttribute("title", ly.Digest+"\nDiffID "+ly.DiffID)
	copyBtn := button("copy", "class", "copy", "data-copy", ly.Digest, "aria-label", "copy the digest of layer "+n)
	mt := strings.TrimPrefix(strings.TrimPrefix(ly.MediaType, "application/vnd.oci.image."), "application/vnd.docker.image.rootfs.")
	added := cell(8, "num added-bytes", format.Size(ly.AddedBytes), "")
	added.SetAttribute("data-bytes", strconv.FormatInt(ly.AddedBytes, 10))
	wasted := cell(9, "num wasted-bytes", format.Size(ly.WastedBytes), "")
	wasted.SetAttribute("data-bytes", strconv.FormatInt(ly.WastedBytes, 10))
	sel := link(n, "class", "layer-link", "data-goto-layer", n, "aria-label", "layer "+n)
	return add(elem("tr", "class", "layer", "data-layer", n),
		add(elem("td"), sel), add(elem("td", "class", "mono"), dg, textNode(" "), copyBtn),
		cell(2, "num", format.Size(ly.Size), ""), cell(3, "num", format.Size(ly.UncompressedSize), ""),
		cell(4, "mono", mt, ly.MediaType),
		cell(5, "num add", strconv.Itoa(ly.Added), ""), cell(6, "num mod", strconv.Itoa(ly.Modified), ""), cell(7, "num del", strconv.Itoa(ly.Deleted), ""),
		added, wasted, cell(10, "cmd mono", shortCmd(ly.CreatedBy), ly.CreatedBy))
}

// unselect shows no layer's changes.
func (l *layersView) unselect() {
	fill(l.head, span("muted", "Select a layer to see its own changes."))
	l.chg.clear()
	l.p.el("layer-changes").SetAttribute("data-layer", "")
}

// selectLayer shows layer n's own changes (n < 0: none).
func (l *layersView) selectLayer(n int) {
	l.sel = n
	for _, r := range l.table.QuerySelectorAll("tr.layer") {
		on := r.GetAttribute("data-layer") == strconv.Itoa(n)
		if on {
			r.Class().Add("sel")
			r.SetAttribute("aria-current", "true")
		} else {
			r.Class().Remove("sel")
			r.RemoveAttribute("aria-current")
		}
	}
	if l.img == nil || n < 0 || n >= len(l.img.Layers) {
		l.unselect()
		return
	}
	ly := l.img.Layers[n]
	fill(l.head, textEl("strong", "Layer "+strconv.Itoa(n)), textNode(" "), span("mono", ly.Digest),
		textNode(" · "+plural(ly.Entries, "entry", "entries")+" · "),
		span("add", "+"+strconv.Itoa(ly.Added)), textNode(" "), span("mod", "~"+strconv.Itoa(ly.Modified)),
		textNode(" "), span("del", "−"+strconv.Itoa(ly.Deleted)))
	l.p.el("layer-changes").SetAttribute("data-layer", strconv.Itoa(n))
	l.chg.load(msg.Source{Layer: &n}, func(int, error) {})
}
