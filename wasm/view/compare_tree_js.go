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
// unchanged directories that hold them. An unchanged directory is one row
// with the number of changes below it, collapsed until opened (a click,
// "expand all", a search, or a selected path below it opens it); the
// tree is filterable by kind of change and searchable by path. It owns
// the filter, the search and which directories are open.
type compareTree struct {
	p      *Page
	root   dom.HTMLElement // the controls
	list   dom.HTMLElement // #compare-tree
	search dom.HTMLElement
	expand dom.HTMLElement            // "expand all" / "collapse all"
	kinds  map[string]dom.HTMLElement // filter buttons by kind ("" = all)
	files  []msg.DiffFile
	change map[string]bool // the changed paths (directories among them never fold)
	kind   string          // "" = every kind
	query  string          // lower-case substring of paths
	open   map[string]bool // unchanged directories opened
	all    bool            // every directory open
	sel    string
}

func newCompareTree(p *Page) *compareTree {
	t := &compareTree{p: p, kinds: map[string]dom.HTMLElement{}, open: map[string]bool{}, change: map[string]bool{},
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
	t.expand = button("expand all", "id", "compare-expand", "aria-pressed", "false")
	add(t.root, t.search, t.expand)
	listen(p.loop, t.search, "input", func(dom.Event) {
		t.query = strings.ToLower(strings.TrimSpace(value(t.search)))
		t.draw()
	})
	listen(p.loop, t.expand, "click", func(dom.Event) {
		t.all, t.open = !t.all, map[string]bool{}
		t.draw()
	})
	listen(p.loop, t.list, "click", func(ev dom.Event) {
		row := ev.Target().Closest(".crow")
		if row == nil {
			return
		}
		pth := row.GetAttribute("data-path")
		if row.GetAttribute("data-change") == "" { // an unchanged directory: open or close it
			t.open[pth] = !t.isOpen(pth)
			t.draw()
			return
		}
		p.navigate(func(s *urlstate.State) { s.Path, s.View = pth, urlstate.ViewCompare })
	})
	return t
}

// load takes a new list of changed paths (nil: none).
func (t *compareTree) load(files []msg.DiffFile) {
	t.files, t.kind, t.query, t.sel, t.all = files, "", "", "", false
	t.open, t.change = map[string]bool{}, map[string]bool{}
	for _, f := range files {
		t.change[f.Path] = true
	}
	setValue(t.search, "")
	t.draw()
}

// show marks path p as selected, opening the directories above it.
func (t *compareTree) show(p string) {
	closed := false
	for d := path.Dir(p); p != "" && d != "/" && d != "."; d = path.Dir(d) {
		if !t.isOpen(d) {
			t.open[d], closed = true, true
		}
	}
	t.sel = p
	if closed {
		t.draw()
	}
	for _, r := range t.list.QuerySelectorAll(".crow") {
		if r.GetAttribute("data-path") == p {
			r.Class().Add("sel")
		} else {
			r.Class().Remove("sel")
		}
	}
}

// isOpen reports whether directory d shows its changes.
func (t *compareTree) isOpen(d string) bool {
	if o, ok := t.open[d]; ok {
		return o
	}
	return t.all || t.query != ""
}

// visible is the list under the filter and search, and the number of
// those changes below each directory.
func (t *compareTree) visible() ([]msg.DiffFile, map[string]int) {
	var out []msg.DiffFile
	below := map[string]int{}
	for _, f := range t.files {
		if (t.kind != "" && f.Change != t.kind) || (t.query != "" && !strings.Contains(strings.ToLower(f.Path), t.query)) {
			continue
		}
		out = append(out, f)
		for d := path.Dir(f.Path); d != "/" && d != "."; d = path.Dir(d) {
			below[d]++
		}
	}
	return out, below
}

// draw redraws the tree for the filter, search and open directories.
func (t *compareTree) draw() {
	n := map[string]int{"": len(t.files)}
	for _, f := range t.files {
		n[f.Change]++
	}
	for k, b := range t.kinds {
		label := k
		if k == "" {
			label = "all"
		}
		b.SetTextContent(fmt.Sprintf("%s %d", label, n[k]))
		b.SetAttribute("aria-pressed", fmt.Sprint(k == t.kind))
	}
	t.expand.SetTextContent(map[bool]string{false: "expand all", true: "collapse all"}[t.all])
	t.expand.SetAttribute("aria-pressed", fmt.Sprint(t.all))
	t.list.SetTextContent("")
	files, below := t.visible()
	drawn := map[string]bool{} // directories drawn
	rows := 0
	for _, f := range files {
		if rows >= maxCompareRows {
			t.list.AppendChild(textEl("p", fmt.Sprintf("… more changed paths: filter or search to narrow the list to %d", maxCompareRows), "class", "muted"))
			break
		}
		shown, r := t.ancestors(f.Path, drawn, below)
		rows += r
		if shown {
			t.list.AppendChild(t.row(f))
			drawn[f.Path] = true
			rows++
		}
	}
	if len(t.files) > 0 && len(files) == 0 {
		t.list.AppendChild(textEl("p", "no changed path matches", "class", "muted"))
	}
}

// ancestors draws the unchanged directories above p not drawn yet, down
// to the first closed one, and reports whether p itself is shown and how
// many rows it drew.
func (t *compareTree) ancestors(p string, drawn map[string]bool, below map[string]int) (bool, int) {
	var dirs []string
	for d := path.Dir(p); d != "/" && d != "."; d = path.Dir(d) {
		dirs = append(dirs, d)
	}
	rows := 0
	for i := len(dirs) - 1; i >= 0; i-- {
		d := dirs[i]
		if t.change[d] && drawn[d] {
			continue // a changed directory, drawn as such: never folded
		}
		if !drawn[d] {
			drawn[d] = true
			t.list.AppendChild(t.dirRow(d, below[d]))
			rows++
		}
		if !t.isOpen(d) {
			return false, rows
		}
	}
	return true, rows
}

// dirRow is an unchanged directory holding n changes.
func (t *compareTree) dirRow(d string, n int) dom.HTMLElement {
	mark := "▸ "
	if t.isOpen(d) {
		mark = "▾ "
	}
	r := add(elem("div", "class", "crow dir", "data-path", d, "data-change", "", "data-open", fmt.Sprint(t.isOpen(d)),
		"role", "treeitem", "aria-expanded", fmt.Sprint(t.isOpen(d))),
		span("mark", mark), span("name", path.Base(d)+"/"), span("fields", fmt.Sprintf(" %d", n))).(dom.HTMLElement)
	indent(r, d)
	return r
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
