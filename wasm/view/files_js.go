//go:build js

package view

import (
	"path"
	"strconv"
	"strings"
	"time"

	"honnef.co/go/js/dom/v2"

	"github.com/regscope/regscope/wasm/msg"
	"github.com/regscope/regscope/wasm/urlstate"
)

// filesView is the "files" tab: the merged filesystem as a directory list
// (or filename search results) beside the file viewer. It owns the
// directory shown and the search; the viewer owns the open file.
type filesView struct {
	p         *Page
	img       *msg.PullResult
	tree      *vlist
	viewer    *viewer
	dir       string      // directory shown in the tree, "" for none yet
	searching string      // search query shown in the tree, "" for the directory
	want      string      // the path the state asks for, while its stat is in flight
	loading   *msg.Merged // the layers merged so far while a pull goes on; nil once the image is whole
	note      dom.HTMLElement
	search    *time.Timer
}

func newFilesView(p *Page) *filesView { return &filesView{p: p} }

func (f *filesView) Name() string  { return urlstate.ViewFiles }
func (f *filesView) Label() string { return "Files" }

func (f *filesView) Mount(panel dom.HTMLElement) {
	p := f.p
	f.viewer = newViewer(p)
	f.note = span("loading-note", "")
	f.note.SetAttribute("id", "tree-loading")
	setHidden(f.note, true)
	p.el("files-bar").InsertBefore(f.note, p.el("tree-info"))
	f.tree = newVList(p, p.el("tree"), f.pick)
	f.tree.back = f.parent
	p.on("show-deleted", "change", func(dom.Event) { f.showDir(f.dir, true) })
	p.on("search-input", "input", func(dom.Event) {
		if f.search != nil {
			f.search.Stop()
		}
		f.search = time.AfterFunc(200*time.Millisecond, func() {
			p.loop.post(func() { f.find(strings.TrimSpace(value(p.el("search-input")))) })
		})
	})
	p.on("crumbs", "click", func(ev dom.Event) {
		if t := ev.Target(); t != nil && t.GetAttribute("data-dir") != "" {
			d := t.GetAttribute("data-dir")
			p.navigate(func(s *urlstate.State) { s.Path = d })
		}
	})
}

// Load takes the whole image. After a progressive pull's merges the list
// and the open file stay as they are and refresh in place.
func (f *filesView) Load(img *msg.PullResult) {
	if img != nil && f.loading != nil {
		f.img, f.loading = img, nil
		f.drawNote()
		f.refresh()
		return
	}
	f.img, f.loading, f.dir, f.searching, f.want = img, nil, "", "", ""
	f.drawNote()
	setValue(f.p.el("search-input"), "")
	f.tree.clear()
	f.viewer.clear()
}

// merged takes a progressive pull's news that more layers are merged: the
// first time the view starts on the layers so far (Show draws them), later
// the list and the open file refresh in place, keeping the scroll
// position, the cursor, the selection and the viewer.
func (f *filesView) merged(m msg.Merged) {
	first := f.loading == nil
	f.loading = &m
	f.drawNote()
	if !first {
		f.refresh()
	}
}

// drawNote marks the list while layers are still loading:
// #tree[data-loading="3-5"] and "layers 3–5 still loading".
func (f *filesView) drawNote() {
	tree := f.p.el("tree")
	m := f.loading
	if m == nil || m.Layers >= m.Total {
		tree.RemoveAttribute("data-loading")
		f.note.SetTextContent("")
		setHidden(f.note, true)
		return
	}
	tree.SetAttribute("data-loading", strconv.Itoa(m.Layers)+"-"+strconv.Itoa(m.Total-1))
	f.note.SetTextContent(stillLoading(m.Layers, m.Total))
	setHidden(f.note, false)
}

// refresh asks again for what the view shows, in place: the list (same
// scroll, cursor and selection) and the open file's metadata, reading the
// file again only if a newer layer changed it.
func (f *filesView) refresh() {
	if f.dir == "" || f.want != "" {
		return // nothing shown yet, or Show is on its way
	}
	f.tree.reload(func(n int, err error) {
		if err == nil {
			f.p.el("tree-info").SetTextContent(plural(n, "entry", "entries"))
		}
	})
	if p := f.viewer.file; p != "" {
		f.p.ask(msg.KindStat, msg.StatRequest{Path: p}, func(r reply) {
			var st msg.StatResult
			if f.viewer.file == p && r.decode(&st) == nil {
				f.viewer.open(p, &st)
			}
		})
	}
}

// Show shows s.Path: a directory in the tree, or a file in the viewer with
// its directory in the tree.
func (f *filesView) Show(s urlstate.State) {
	p := s.Path
	if p == "" {
		p = "/"
	}
	f.want = p
	f.p.ask(msg.KindStat, msg.StatRequest{Path: p}, func(r reply) {
		var st msg.StatResult
		if f.want != p {
			return // the person has moved on
		}
		if err := r.decode(&st); err != nil {
			f.want = ""
			f.showDir("/", false)
			if m := f.loading; m != nil && m.Layers < m.Total {
				f.viewer.message(p + ": not in the layers merged so far (" + stillLoading(m.Layers, m.Total) + ")")
				return
			}
			f.viewer.message(p + ": not in this image")
			return
		}
		if st.Entry.Type != "symlink" || st.Resolved == "" {
			f.shown(p, &st, st.Entry.Type == "dir" || st.Entry.Type == "opaque")
			return
		}
		f.p.ask(msg.KindStat, msg.StatRequest{Path: st.Resolved}, func(r reply) {
			var rs msg.StatResult
			if f.want == p {
				f.shown(p, &st, r.decode(&rs) == nil && rs.Entry.Type == "dir")
			}
		})
	})
}

// shown shows path p once its stat is known.
func (f *filesView) shown(p string, st *msg.StatResult, isDir bool) {
	f.want = ""
	panel := f.p.el("panel-files")
	if isDir {
		f.tree.mark("")
		f.showDir(p, false)
		f.viewer.message("Select a file to view it.")
		panel.SetAttribute("data-open", "")
		return
	}
	if dir := path.Dir(p); f.dir != dir || f.searching != "" {
		f.showDir(dir, false)
	}
	f.tree.mark(p)
	if i := f.tree.find(p); i >= 0 {
		f.tree.cur = i
		f.tree.scrollTo(i)
	}
	panel.SetAttribute("data-open", "file")
	f.viewer.open(p, st)
}

// pick handles a click on a row of the tree.
func (f *filesView) pick(e msg.Entry) {
	if e.Change != "" {
		return // deleted or overwritten versions have no content to show
	}
	f.p.navigate(func(s *urlstate.State) { s.View, s.Path = urlstate.ViewFiles, e.Path })
}

// parent shows the parent of the directory in the tree (or, from search
// results, the directory again).
func (f *filesView) parent() {
	if f.searching != "" {
		setValue(f.p.el("search-input"), "")
		f.find("")
		return
	}
	if f.dir == "" || f.dir == "/" {
		return
	}
	up := path.Dir(f.dir)
	f.p.navigate(func(s *urlstate.State) { s.View, s.Path = urlstate.ViewFiles, up })
}
