//go:build js

package view

import (
	"fmt"
	"strconv"
	"strings"

	"honnef.co/go/js/dom/v2"

	"github.com/regscope/regscope/internal/format"
	"github.com/regscope/regscope/pkg/inspect"
)

// efficiencyBox returns the element above the layers table that holds the
// efficiency line and the largest-files and wasted-space lists, creating it
// the first time (index.html stays as it is).
func (a *app) efficiencyBox() dom.Element {
	if e := a.doc.GetElementByID("efficiency-box"); e != nil {
		return e
	}
	box := a.doc.CreateElement("div")
	box.SetID("efficiency-box")
	t := a.el("layers-table")
	a.el("panel-layers").InsertBefore(box, t)
	return box
}

// drawEfficiency fills the efficiency box from r (nil: empties it). Numbers
// are also in data attributes, exact, for tests: #efficiency[data-content,
// data-wasted, data-wasted-files, data-efficiency] and one li[data-path,
// data-bytes…] per listed path.
func (a *app) drawEfficiency(r *inspect.Result) {
	box := a.efficiencyBox()
	if r == nil {
		box.SetInnerHTML("")
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<p id="efficiency" data-content="%d" data-wasted="%d" data-wasted-files="%d" data-efficiency="%.1f" title="efficiency = content of the merged filesystem / content of all layers (%s)">`,
		r.Content, r.Wasted, r.WastedFiles, r.Efficiency*100, esc(format.Size(r.TotalAdded)))
	fmt.Fprintf(&b, `content %s · wasted <span class="del">%s</span> in %d files · efficiency %.1f%%</p>`,
		esc(format.Size(r.Content)), esc(format.Size(r.Wasted)), r.WastedFiles, r.Efficiency*100)

	fmt.Fprintf(&b, `<details id="largest-files"><summary>largest files (%d)</summary><ol class="eff-list mono">`, len(r.Largest))
	for _, f := range r.Largest {
		fmt.Fprintf(&b, `<li data-path="%s" data-size="%d" data-layer="%d"><span class="eff-size">%s</span> <a href="#" data-open-path="%s">%s</a> <a href="#" class="eff-layer" data-goto-layer="%d">L%d</a></li>`,
			esc(f.Path), f.Size, f.Layer, esc(format.Size(f.Size)), esc(f.Path), esc(f.Path), f.Layer, f.Layer)
	}
	b.WriteString(`</ol></details>`)

	fmt.Fprintf(&b, `<details id="wasted-files"><summary>wasted space (%d of %d paths)</summary><ol class="eff-list mono">`, len(r.TopWasted), r.WastedPaths)
	for _, w := range r.TopWasted {
		// A path still present opens the file; a deleted one opens the
		// layer that removed it last.
		target := fmt.Sprintf(`data-open-path="%s"`, esc(w.Path))
		if !w.Present && len(w.Removers) > 0 {
			target = fmt.Sprintf(`data-goto-layer="%d"`, w.Removers[len(w.Removers)-1])
		}
		fmt.Fprintf(&b, `<li data-path="%s" data-bytes="%d" data-count="%d" data-removers="%s"><span class="eff-size del">%s</span> <a href="#" %s>%s</a> ×%d <span class="muted">written by</span> %s <span class="muted">removed by</span> %s</li>`,
			esc(w.Path), w.Bytes, w.Count, esc(joinInts(w.Removers)), esc(format.Size(w.Bytes)), target, esc(w.Path), w.Count,
			layerLinks(w.Writers), layerLinks(w.Removers))
	}
	b.WriteString(`</ol></details>`)
	box.SetInnerHTML(b.String())
}

// layerLinks renders layer indexes as links to those layers.
func layerLinks(ls []int) string {
	s := make([]string, len(ls))
	for i, l := range ls {
		s[i] = fmt.Sprintf(`<a href="#" class="eff-layer" data-goto-layer="%d">L%d</a>`, l, l)
	}
	return strings.Join(s, " ")
}

// joinInts writes ints as "1,2".
func joinInts(ls []int) string {
	s := make([]string, len(ls))
	for i, l := range ls {
		s[i] = strconv.Itoa(l)
	}
	return strings.Join(s, ",")
}
