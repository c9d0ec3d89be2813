//go:build js

package view

import (
	"path"
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
	dir       string // directory shown in the tree, "" for none yet
	searching string // search query shown in the tree, "" for the directory
	want      string // the path the state asks for, while its stat is in flight
	search    *time.Timer
}

func newFilesView(p *Page) *filesView { return &filesView{p: p} }

func (f *filesView) Name() string  { return urlstate.ViewFiles }
func (f *filesView) Label() string { return "Files" }

func (f *filesView) Mount(panel dom.HTMLElement) {
	p := f.p
	f.viewer = newViewer(p)
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

func (f *filesView) Load(img *msg.PullResult) {
	f.img, f.dir, f.searching, f.want = img, "", "", ""
	setValue(f.p.el("search-input"), "")
	f.tree.clear()
	f.viewer.clear()
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
			f.showDir("/", false)
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
