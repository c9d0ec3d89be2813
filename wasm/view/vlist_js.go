//go:build js

package view

import (
	"fmt"
	"strconv"
	"syscall/js"

	"honnef.co/go/js/dom/v2"

	"github.com/regscope/regscope/wasm/msg"
)

const (
	rowH     = 22  // px; must match .row height in style.css
	pageSize = 200 // entries per list request
	overscan = 20  // rows drawn above and below the visible ones
)

// vlist is a virtual list of entries: it asks the engine for pages as they
// scroll into view and keeps only the visible rows in the DOM, so a
// directory of 50,000 entries costs what 60 rows do.
type vlist struct {
	a        *app
	root     dom.HTMLElement // the scrolling box
	inner    dom.HTMLElement // sized to total rows; holds the drawn rows
	pick     func(msg.Entry)
	fullPath bool

	src     msg.Source
	gen     int
	total   int
	pages   map[int][]msg.Entry
	loading map[int]bool
	queued  bool
}

func newVList(a *app, root dom.HTMLElement, pick func(msg.Entry)) *vlist {
	v := &vlist{a: a, root: root, pick: pick}
	inner := dom.GetWindow().Document().CreateElement("div").(dom.HTMLElement)
	inner.SetAttribute("class", "vinner")
	root.AppendChild(inner)
	v.inner = inner
	root.AddEventListener("scroll", false, func(dom.Event) { v.schedule() })
	root.AddEventListener("click", false, func(ev dom.Event) {
		t := ev.Target()
		if t == nil {
			return
		}
		row := t.Closest(".row")
		if row == nil {
			return
		}
		if e, ok := v.entry(row.GetAttribute("data-i")); ok {
			v.pick(e)
		}
	})
	return v
}

func (v *vlist) entry(s string) (msg.Entry, bool) {
	i, err := strconv.Atoi(s)
	if err != nil {
		return msg.Entry{}, false
	}
	page := v.pages[i/pageSize]
	if i%pageSize >= len(page) {
		return msg.Entry{}, false
	}
	return page[i%pageSize], true
}

// load shows a new source; it blocks until the first page arrives and
// returns the number of entries (or the engine's error).
func (v *vlist) load(src msg.Source) (int, error) {
	v.gen++
	gen := v.gen
	v.src = src
	v.pages, v.loading = map[int][]msg.Entry{}, map[int]bool{}
	var r msg.ListResult
	if _, err := v.a.c.do(msg.KindList, msg.ListRequest{Source: src, Offset: 0, Limit: pageSize}, &r); err != nil {
		if gen == v.gen {
			v.total = 0
			v.inner.SetInnerHTML("")
		}
		return 0, err
	}
	if gen != v.gen {
		return r.Total, nil
	}
	v.total = r.Total
	v.pages[0] = r.Entries
	v.root.Underlying().Set("scrollTop", 0)
	v.draw()
	return r.Total, nil
}

// scrollTo scrolls row i into view.
func (v *vlist) scrollTo(i int) {
	top := float64(i * rowH)
	h := v.root.Underlying().Get("clientHeight").Float()
	cur := v.root.Underlying().Get("scrollTop").Float()
	if top < cur || top+rowH > cur+h {
		v.root.Underlying().Set("scrollTop", top-h/3)
	}
	v.draw()
}

// find returns the index of the loaded entry with path p, or -1.
func (v *vlist) find(p string) int {
	for n, page := range v.pages {
		for i, e := range page {
			if e.Path == p && e.Change == "" {
				return n*pageSize + i
			}
		}
	}
	return -1
}

func (v *vlist) schedule() {
	if v.queued {
		return
	}
	v.queued = true
	js.Global().Call("requestAnimationFrame", js.FuncOf(func(this js.Value, args []js.Value) any {
		v.queued = false
		v.draw()
		return nil
	}))
}

// draw renders the visible rows and requests pages that are missing.
func (v *vlist) draw() {
	u := v.root.Underlying()
	top := u.Get("scrollTop").Float()
	h := u.Get("clientHeight").Float()
	if h == 0 {
		h = 800
	}
	first := max(int(top)/rowH-overscan, 0)
	last := min(int(top+h)/rowH+overscan, v.total)
	v.inner.Style().SetProperty("height", fmt.Sprintf("%dpx", v.total*rowH), "")
	html := make([]byte, 0, (last-first)*300)
	for i := first; i < last; i++ {
		page, ok := v.pages[i/pageSize]
		if !ok {
			v.fetch(i / pageSize)
			continue
		}
		if i%pageSize < len(page) {
			html = append(html, rowHTML(i, page[i%pageSize], rowH, v.fullPath)...)
		}
	}
	v.inner.SetInnerHTML(string(html))
	if v.a.file != "" {
		v.mark(v.a.file)
	}
}

// mark highlights the row of path p.
func (v *vlist) mark(p string) {
	for _, r := range v.inner.QuerySelectorAll(".row.sel") {
		r.Class().Remove("sel")
	}
	for _, r := range v.inner.QuerySelectorAll(".row") {
		if r.GetAttribute("data-path") == p && r.GetAttribute("data-change") == "" {
			r.Class().Add("sel")
		}
	}
}

func (v *vlist) fetch(n int) {
	if v.loading[n] {
		return
	}
	v.loading[n] = true
	gen, src := v.gen, v.src
	go func() {
		var r msg.ListResult
		_, err := v.a.c.do(msg.KindList, msg.ListRequest{Source: src, Offset: n * pageSize, Limit: pageSize}, &r)
		if gen != v.gen || err != nil {
			return
		}
		v.pages[n] = r.Entries
		v.schedule()
	}()
}
