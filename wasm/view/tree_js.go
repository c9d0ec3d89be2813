//go:build js

package view

import (
	"path"
	"strings"

	"github.com/regscope/regscope/wasm/msg"
	"github.com/regscope/regscope/wasm/urlstate"
)

// showDir lists dir in the tree (force: reload even if it is shown).
func (f *filesView) showDir(dir string, force bool) {
	if dir == f.dir && f.searching == "" && !force {
		return
	}
	from := f.dir
	if f.searching != "" {
		from = ""
	}
	f.dir, f.searching = dir, ""
	p := f.p
	setValue(p.el("search-input"), "")
	f.drawCrumbs(dir, "")
	deleted := p.el("show-deleted").Underlying().Get("checked").Bool()
	p.el("tree").SetAttribute("data-dir", dir)
	f.tree.load(msg.Source{Dir: dir, Deleted: deleted}, func(n int, err error) {
		if err != nil {
			p.el("tree-info").SetTextContent(err.Error())
			return
		}
		p.el("tree-info").SetTextContent(plural(n, "entry", "entries"))
		f.placeCursor(dir, from)
	})
}

// placeCursor puts the keyboard cursor on the open file; coming back up
// (Backspace, ←, a breadcrumb), on the directory we came from; entering
// one with the keyboard, on its first row.
func (f *filesView) placeCursor(dir, from string) {
	if i := f.tree.find(f.tree.selected); i >= 0 && f.tree.selected != "" {
		f.tree.cur = i
		f.tree.scrollTo(i)
		return
	}
	if rel, ok := strings.CutPrefix(from, strings.TrimSuffix(dir, "/")+"/"); ok && from != dir {
		child, _, _ := strings.Cut(rel, "/")
		if i := f.tree.find(path.Join(dir, child)); i >= 0 {
			f.tree.setCursor(i)
			return
		}
	}
	if f.tree.focused() {
		f.tree.setCursor(0)
	}
}

// find shows filename search results in the tree ("" returns to the directory).
func (f *filesView) find(q string) {
	if f.img == nil {
		return
	}
	if q == "" {
		f.showDir(f.dir, true)
		return
	}
	p := f.p
	if s := p.state(); s.View != "" && s.View != urlstate.ViewFiles {
		p.navigate(func(s *urlstate.State) { s.View = urlstate.ViewFiles })
	}
	f.searching = q
	f.drawCrumbs(f.dir, q)
	f.tree.load(msg.Source{Search: q}, func(n int, err error) {
		if err != nil {
			p.el("tree-info").SetTextContent(err.Error())
			return
		}
		more := ""
		if n >= 2000 {
			more = " (first 2000)"
		}
		p.el("tree-info").SetTextContent(plural(n, "match", "matches") + more)
	})
}

// drawCrumbs shows dir as links to each of its ancestors, and the search.
func (f *filesView) drawCrumbs(dir, q string) {
	f.tree.fullPath = q != ""
	c := f.p.el("crumbs")
	fill(c, link("/", "data-dir", "/"))
	cur := ""
	for _, part := range strings.Split(strings.Trim(dir, "/"), "/") {
		if part == "" {
			continue
		}
		cur += "/" + part
		add(c, link(part, "data-dir", cur), textNode("/"))
	}
	if q != "" {
		add(c, textNode(" "), span("muted", "search: "+q))
	}
}
