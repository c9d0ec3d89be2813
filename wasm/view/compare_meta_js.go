//go:build js

package view

import (
	"fmt"

	"honnef.co/go/js/dom/v2"

	"github.com/regscope/regscope/internal/format"
	"github.com/regscope/regscope/pkg/report"
	"github.com/regscope/regscope/wasm/msg"
)

// drawCompareMeta draws the config differences, the two histories side by
// side and the layers table of comparison d into box.
func drawCompareMeta(box dom.Element, d *msg.DiffResult) {
	cfg := elem("table", "id", "compare-config", "class", "grid")
	add(cfg, headRow("setting", "key", "A", "B"))
	for _, c := range d.Config.Changes {
		add(cfg, add(elem("tr", "class", "cfg", "data-field", c.Field, "data-key", c.Key),
			textEl("td", c.Field), textEl("td", c.Key, "class", "mono"), configCell(c.A), configCell(c.B)))
	}
	if len(d.Config.Changes) == 0 {
		add(cfg, add(elem("tr"), textEl("td", "the settings are the same", "colspan", "4", "class", "muted")))
	}

	hist := elem("table", "id", "compare-history", "class", "grid")
	add(hist, headRow("#", "A created by", "B created by"))
	for i := 0; i < max(len(d.Config.HistoryA), len(d.Config.HistoryB)); i++ {
		a, b := historyCell(d.Config.HistoryA, i), historyCell(d.Config.HistoryB, i)
		tr := add(elem("tr"), textEl("td", fmt.Sprint(i)), a, b)
		if a.TextContent() != b.TextContent() {
			tr.Class().Add("changed")
		}
		hist.AppendChild(tr)
	}

	ls := elem("table", "id", "compare-layers", "class", "grid")
	add(ls, headRow("", "digest", "size", "A #", "B #", "created by"))
	for _, g := range []struct {
		kind string
		ls   []report.LayerMatch
	}{{"shared", d.Layers.Shared}, {"only-a", d.Layers.OnlyA}, {"only-b", d.Layers.OnlyB}} {
		for _, l := range g.ls {
			label := map[string]string{"shared": "shared", "only-a": "only A", "only-b": "only B"}[g.kind]
			add(ls, add(elem("tr", "class", "clayer "+g.kind, "data-digest-row", l.Digest),
				textEl("td", label), textEl("td", format.ShortDigest(l.Digest), "class", "mono", "title", l.Digest),
				textEl("td", format.Size(l.Size), "class", "num"), textEl("td", index(l.A), "class", "num"),
				textEl("td", index(l.B), "class", "num"), textEl("td", l.CreatedBy, "class", "mono")))
		}
	}
	note := textEl("p", fmt.Sprintf("%d layers shared · A adds %s in %d layers of its own · B adds %s in %d",
		len(d.Layers.Shared), format.Size(d.Layers.BytesA), len(d.Layers.OnlyA), format.Size(d.Layers.BytesB), len(d.Layers.OnlyB)),
		"id", "compare-layers-line")
	add(box, textEl("h2", "Config"), cfg, textEl("h2", "History"), hist, textEl("h2", "Layers"), note, ls)
}

func headRow(names ...string) dom.Node {
	tr := elem("tr")
	for _, n := range names {
		tr.AppendChild(textEl("th", n, "scope", "col"))
	}
	return tr
}

func configCell(v *string) dom.Node {
	if v == nil {
		return textEl("td", "(absent)", "class", "muted")
	}
	return textEl("td", *v, "class", "mono")
}

func historyCell(h []report.History, i int) dom.HTMLElement {
	if i >= len(h) {
		return textEl("td", "", "class", "muted")
	}
	s := h[i].CreatedBy
	if h[i].EmptyLayer {
		s += " (no layer)"
	}
	return textEl("td", s, "class", "mono")
}

// index is a layer index, "—" for none.
func index(i int) string {
	if i < 0 {
		return "—"
	}
	return fmt.Sprint(i)
}
