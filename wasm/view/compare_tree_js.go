//go:build js

package view

import (
	"fmt"
	"path"
	"strings"

	"honnef.co/go/js/dom/v2"

	"github.com/regscope/regscope/wasm/msg"
	"github.com/regscope/regscope/wasm/urlstate"
)

// maxCompareRows bounds the rows the changed-paths tree draws at once; a
// filter or search narrows a longer list.
const maxCompareRows = 5000

// compareTree is the changed-paths tree: only changed paths, under the
// unchanged directories that hold them (one row each, which collapses
// its subtree), filterable by kind of change and searchable by path. It
// owns the filter, the search and the collapsed directories.
type compareTree struct {
	p         *Page
	root      dom.HTMLElement // the controls
	list      dom.HTMLElement // #compare-tree
	search    dom.HTMLElement
	kinds     map[string]dom.HTMLElement // filter buttons by kind ("" = all)
	files     []msg.DiffFile
	kind      string          // "" = every kind
	query     string          // lower-case substring of paths
	collapsed map[string]bool // unchanged directories folded
	sel       string
}

func newCompareTree(p *Page) *compareTree {
	t := &compareTree{p: p, kinds: map[string]dom.HTMLElement{}, collapsed: map[string]bool{},
		root: elem("div", "class", "compare-controls", "id", "compare-controls"),
		list: elem("div", "id", "compare-tree", "role", "tree")}
	for _, k := range []string{"", "added", "removed", "modified"} {
		b := button("", "class", "compare-kind", "data-kind", k, "aria-pressed", "false")
		t.kinds[k] = b
		t.root.AppendChild(b)
		listen(p.loop, b, "click", func(dom.Event) { t.kind = k; t.draw() })
	}
	t.search = elem("input", "id", "compare-search", "type", "search", "placeholder", "search changed paths",
		"aria-label", "search changed paths", "spellcheck", "false")
	t.root.AppendChild(t.search)
	listen(p.loop, t.search, "input", func(dom.Event) {
		t.query = strings.ToLower(strings.TrimSpace(value(t.search)))
		t.draw()
	})
	listen(p.loop, t.list, "click", func(ev dom.Event) {
		row := ev.Target().Closest(".crow")
		if row == nil {
			return
		}
		pth := row.GetAttribute("data-path")
		if row.GetAttribute("data-change") == "" { // an unchanged directory: fold or unfold it
			t.collapsed[pth] = !t.collapsed[pth]
			t.draw()
			return
		}
		p.navigate(func(s *urlstate.State) { s.Path, s.View = pth, urlstate.ViewCompare })
	})
	return t
}

// load takes a new list of changed paths (nil: none).
func (t *compareTree) load(files []msg.DiffFile) {
	t.files, t.kind, t.query, t.sel = files, "", "", ""
	t.collapsed = map[string]bool{}
	setValue(t.search, "")
	t.draw()
}

// show marks path as selected.
func (t *compareTree) show(p string) {
	if p == t.sel {
		return
	}
	t.sel = p
	for _, r := range t.list.QuerySelectorAll(".crow.sel") {
		r.Class().Remove("sel")
	}
	for _, r := range t.list.QuerySelectorAll(".crow") {
		if r.GetAttribute("data-path") == p {
			r.Class().Add("sel")
		}
	}
}

// counts are the filter buttons' numbers.
func (t *compareTree) counts() map[string]int {
	n := map[string]int{"": len(t.files)}
	for _, f := range t.files {
		n[f.Change]++
	}
	return n
}

// draw redraws the tree for the filter, search and folds.
func (t *compareTree) draw() {
	n := t.counts()
	for k, b := range t.kinds {
		label := k
		if k == "" {
			label = "all"
		}
		b.SetTextContent(fmt.Sprintf("%s %d", label, n[k]))
		b.SetAttribute("aria-pressed", fmt.Sprint(k == t.kind))
	}
	t.list.SetTextContent("")
	shown := map[string]bool{} // directories drawn
	rows := 0
	for _, f := range t.files {
		if (t.kind != "" && f.Change != t.kind) || (t.query != "" && !strings.Contains(strings.ToLower(f.Path), t.query)) {
			continue
		}
		if t.folded(f.Path) {
			continue
		}
		if rows >= maxCompareRows {
			t.list.AppendChild(textEl("p", fmt.Sprintf("… more changed paths: filter or search to narrow the list to %d", maxCompareRows), "class", "muted"))
			break
		}
		rows += t.ancestors(f.Path, shown)
		t.list.AppendChild(t.row(f))
		shown[f.Path] = true
		rows++
	}
	if len(t.files) > 0 && rows == 0 {
		t.list.AppendChild(textEl("p", "no changed path matches", "class", "muted"))
	}
	t.show(t.sel)
}

// folded reports whether a directory above p is collapsed.
func (t *compareTree) folded(p string) bool {
	for d := path.Dir(p); d != "/" && d != "."; d = path.Dir(d) {
		if t.collapsed[d] {
			return true
		}
	}
	return false
}

// ancestors draws the unchanged directories above p not drawn yet and
// returns how many it drew.
func (t *compareTree) ancestors(p string, shown map[string]bool) int {
	var missing []string
	for d := path.Dir(p); d != "/" && d != "." && !shown[d]; d = path.Dir(d) {
		missing = append(missing, d)
	}
	for i := len(missing) - 1; i >= 0; i-- {
		d := missing[i]
		shown[d] = true
		mark := "▾ "
		if t.collapsed[d] {
			mark = "▸ "
		}
		r := add(elem("div", "class", "crow dir", "data-path", d, "data-change", "", "role", "treeitem"),
			span("mark", mark), span("name", path.Base(d)+"/"))
		indent(r, d)
		t.list.AppendChild(r)
	}
	return len(missing)
}

// row is one changed path.
func (t *compareTree) row(f msg.DiffFile) dom.HTMLElement {
	sign := map[string]string{"added": "+", "removed": "−", "modified": "~"}[f.Change]
	name := path.Base(f.Path)
	if e := f.B; e != nil && e.Type == "dir" || f.B == nil && f.A != nil && f.A.Type == "dir" {
		name += "/"
	}
	r := add(elem("div", "class", "crow "+f.Change, "data-path", f.Path, "data-change", f.Change,
		"data-fields", strings.Join(f.Fields, ","), "role", "treeitem"),
		span("mark", sign+" "), span("name", name)).(dom.HTMLElement)
	if len(f.Fields) > 0 {
		r.AppendChild(span("fields", " "+strings.Join(f.Fields, ", ")))
	}
	indent(r, f.Path)
	return r
}

// indent sets a row's left padding by its path's depth (through the
// CSSOM: the page's CSP forbids style attributes).
func indent(r dom.Element, p string) {
	depth := strings.Count(p, "/") - 1
	r.Underlying().Get("style").Set("paddingLeft", fmt.Sprintf("%.1fem", 0.3+1.1*float64(depth)))
}
