//go:build js

package view

import (
	"fmt"
	"strings"

	"honnef.co/go/js/dom/v2"

	"github.com/regscope/regscope/internal/format"
	"github.com/regscope/regscope/pkg/report"
	"github.com/regscope/regscope/wasm/msg"
	"github.com/regscope/regscope/wasm/urlstate"
)

// compareView is the "compare" tab: image A (the pulled image) against
// image B (compare=): the summary, the changed paths, the selected path's
// differences, the config and the layers. It also owns the "compare with…"
// control in the header. The engine pulled both; this view asks it for the
// comparison once per image and for one path's content diff at a time.
type compareView struct {
	p       *Page
	summary dom.HTMLElement
	tree    *compareTree
	detail  *compareDetail
	meta    dom.HTMLElement // config, history and layers
	input   dom.HTMLElement // the "compare with…" box
	res     *msg.DiffResult // nil until the engine answers
	asked   bool            // the comparison is asked for the current image
}

func newCompareView(p *Page) *compareView { return &compareView{p: p} }

func (c *compareView) Name() string  { return urlstate.ViewCompare }
func (c *compareView) Label() string { return "Compare" }

func (c *compareView) Mount(panel dom.HTMLElement) {
	p := c.p
	c.summary = elem("div", "id", "compare-summary")
	c.tree = newCompareTree(p)
	c.detail = newCompareDetail(p)
	c.meta = elem("div", "id", "compare-meta")
	add(panel, c.summary, c.tree.root, add(elem("div", "class", "compare-body"), c.tree.list, c.detail.root), c.meta)
	p.linksIn(panel)

	// "compare with…": a form of its own next to the reference box.
	c.input = elem("input", "id", "compare-input", "placeholder", "compare with…", "spellcheck", "false",
		"aria-label", "reference of an image to compare with")
	form := add(elem("form", "id", "compare-form", "autocomplete", "off"), c.input,
		textEl("button", "Compare", "id", "compare-button", "type", "submit"))
	pf := p.el("pull-form")
	pf.ParentNode().InsertBefore(form, pf.NextSibling())
	listen(p.loop, form, "submit", func(dom.Event) {
		ref := strings.TrimSpace(value(c.input))
		p.navigate(func(s *urlstate.State) {
			s.Compare, s.ComparePlatform, s.Path = ref, "", ""
			s.View = ""
			if ref != "" {
				s.View = urlstate.ViewCompare
			}
		})
	})
}

func (c *compareView) Load(img *msg.PullResult) {
	c.res, c.asked = nil, false
	c.summary.SetTextContent("")
	c.meta.SetTextContent("")
	c.tree.load(nil)
	c.detail.clear()
	setValue(c.input, c.p.state().Compare)
	if img == nil || c.p.state().Compare == "" {
		return
	}
	c.asked = true
	c.summary.SetAttribute("data-state", "loading")
	addText(c.summary, "comparing…")
	c.p.ask(msg.KindDiff, nil, func(r reply) {
		var d msg.DiffResult
		if err := r.decode(&d); err != nil {
			c.summary.SetAttribute("data-state", "error")
			fill(c.summary, textEl("p", "comparison failed: "+err.Error(), "class", "muted"))
			return
		}
		c.res = &d
		c.draw()
		c.p.header.setLink(c.p.state())
		if c.p.cur == View(c) {
			c.Show(c.p.state())
		}
	})
}

func (c *compareView) Show(s urlstate.State) {
	setValue(c.input, s.Compare)
	if s.Compare == "" {
		fill(c.summary, textEl("p", "Type a second image reference in “compare with…” to compare it with this one.", "class", "muted"))
		c.summary.SetAttribute("data-state", "none")
		return
	}
	if c.res == nil {
		return
	}
	c.tree.show(s.Path)
	c.detail.show(c.res, s.Path)
}

// pinCompare pins s's comparison to what was compared: B's digest (and
// platform, for an index), as Copy link pins A.
func (p *Page) pinCompare(s *urlstate.State) {
	for _, v := range p.tabs {
		c, ok := v.(*compareView)
		if !ok || c.res == nil || s.Compare == "" {
			continue
		}
		s.Compare = c.res.B.Pinned
		if len(c.res.BPlatforms) > 0 {
			s.ComparePlatform = c.res.B.Platform
		}
	}
}

// platforms is B's platform cell: a chooser (#compare-platform-select) when
// B is an index; choosing sets compare-platform=.
func (c *compareView) platforms(d *msg.DiffResult) dom.Node {
	td := elem("td")
	if len(d.BPlatforms) == 0 {
		td.SetTextContent(d.B.Platform)
		return td
	}
	sel := elem("select", "id", "compare-platform-select", "aria-label", "platform of the image compared with")
	for _, pl := range d.BPlatforms {
		o := textEl("option", pl, "value", pl)
		if pl == d.B.Platform {
			o.SetAttribute("selected", "")
		}
		sel.AppendChild(o)
	}
	listen(c.p.loop, sel, "change", func(dom.Event) {
		plat := value(sel)
		c.p.navigate(func(s *urlstate.State) { s.ComparePlatform = plat })
	})
	td.AppendChild(sel)
	return td
}

// draw shows a new comparison: summary, tree, config and layers.
func (c *compareView) draw() {
	d := c.res
	sm := d.Summary
	c.summary.SetTextContent("")
	c.summary.SetAttribute("data-state", "ready")
	for k, v := range map[string]int{"data-added": sm.Added, "data-removed": sm.Removed, "data-modified": sm.Modified} {
		c.summary.SetAttribute(k, fmt.Sprint(v))
	}
	same := sm.Added+sm.Removed+sm.Modified == 0 && len(d.Config.Changes) == 0
	c.summary.SetAttribute("data-same", fmt.Sprint(same))
	sides := elem("table", "class", "kv compare-sides")
	for _, x := range []struct {
		name string
		s    report.Side
		plat dom.Node
	}{{"A", d.A, textEl("td", d.A.Platform)}, {"B", d.B, c.platforms(d)}} {
		add(sides, add(elem("tr"), textEl("th", x.name, "scope", "row"), textEl("td", x.s.Pinned, "class", "mono"),
			x.plat, textEl("td", fmt.Sprintf("%d layers · %s compressed · content %s · efficiency %.1f%%",
				x.s.Layers, format.Size(x.s.Size), format.Size(x.s.Content), x.s.Efficiency*100))))
	}
	line := fmt.Sprintf("%d added · %d removed · %d modified · +%s −%s",
		sm.Added, sm.Removed, sm.Modified, format.Size(sm.BytesAdded), format.Size(sm.BytesRemoved))
	if same {
		line = "The two images have the same files and config."
	}
	add(c.summary, sides, textEl("p", line, "id", "compare-line"))
	c.tree.load(d.Files)
	c.meta.SetTextContent("")
	drawCompareMeta(c.meta, d)
}
