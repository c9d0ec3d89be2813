//go:build js

package view

import (
	"fmt"
	"strconv"
	"strings"

	"honnef.co/go/js/dom/v2"

	"github.com/regscope/regscope/internal/format"
	"github.com/regscope/regscope/pkg/report"
)

// drawEfficiency fills box with the efficiency line and the largest-files
// and wasted-space lists of r. Numbers are also in data attributes, exact,
// for tests: #efficiency[data-content, data-wasted, data-wasted-files,
// data-efficiency] and one li[data-path, data-bytes…] per listed path.
func drawEfficiency(box dom.Element, r *report.Efficiency) {
	pct := fmt.Sprintf("%.1f", r.Efficiency*100)
	line := textEl("p", "", "id", "efficiency", "data-content", strconv.FormatInt(r.Content, 10),
		"data-wasted", strconv.FormatInt(r.Wasted, 10), "data-wasted-files", strconv.Itoa(r.WastedFiles),
		"data-efficiency", pct,
		"title", "efficiency = content of the merged filesystem / content of all layers ("+format.Size(r.TotalAdded)+")")
	add(line, textNode("content "+format.Size(r.Content)+" · wasted "), span("del", format.Size(r.Wasted)),
		textNode(fmt.Sprintf(" in %d files · efficiency %s%%", r.WastedFiles, pct)))

	largest := elem("ol", "class", "eff-list mono")
	for _, f := range r.Largest {
		li := elem("li", "data-path", f.Path, "data-size", strconv.FormatInt(f.Size, 10), "data-layer", strconv.Itoa(f.Layer))
		largest.AppendChild(add(li, span("eff-size", format.Size(f.Size)), textNode(" "),
			link(f.Path, "data-open-path", f.Path), textNode(" "), layerLink(f.Layer)))
	}
	wasted := elem("ol", "class", "eff-list mono")
	for _, w := range r.TopWasted {
		// A path still present opens the file; a deleted one opens the
		// layer that removed it last.
		target := link(w.Path, "data-open-path", w.Path)
		if !w.Present && len(w.Removers) > 0 {
			target = link(w.Path, "data-goto-layer", strconv.Itoa(w.Removers[len(w.Removers)-1]))
		}
		li := elem("li", "data-path", w.Path, "data-bytes", strconv.FormatInt(w.Bytes, 10),
			"data-count", strconv.Itoa(w.Count), "data-removers", joinInts(w.Removers))
		add(li, span("eff-size del", format.Size(w.Bytes)), textNode(" "), target,
			textNode(fmt.Sprintf(" ×%d ", w.Count)), span("muted", "written by"))
		addLayerLinks(li, w.Writers)
		addText(li, " ")
		li.AppendChild(span("muted", "removed by"))
		addLayerLinks(li, w.Removers)
		wasted.AppendChild(li)
	}
	fill(box, line,
		add(elem("details", "id", "largest-files"), textEl("summary", fmt.Sprintf("largest files (%d)", len(r.Largest))), largest),
		add(elem("details", "id", "wasted-files"), textEl("summary", fmt.Sprintf("wasted space (%d of %d paths)", len(r.TopWasted), r.WastedPaths)), wasted))
}

// layerLink is a link to layer l.
func layerLink(l int) dom.Element {
	return link("L"+strconv.Itoa(l), "class", "eff-layer", "data-goto-layer", strconv.Itoa(l))
}

// addLayerLinks appends " L1 L3", each a link to its layer.
func addLayerLinks(parent dom.Element, ls []int) {
	for _, l := range ls {
		add(parent, textNode(" "), layerLink(l))
	}
}

// joinInts writes ints as "1,2".
func joinInts(ls []int) string {
	s := make([]string, len(ls))
	for i, l := range ls {
		s[i] = strconv.Itoa(l)
	}
	return strings.Join(s, ",")
}
