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
	back     func() // Backspace or ←: go to the parent (nil: nothing)
	fullPath bool
	cur      int // the keyboard cursor's row, -1 for none (marked .cur)

	src     msg.Source
	gen     int
	total   int
	pages   map[int][]msg.Entry
	loading map[int]bool
	queued  bool
}

func newVList(a *app, root dom.HTMLElement, pick func(msg.Entry)) *vlist {
	v := &vlist{a: a, root: root, pick: pick, cur: -1}
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
			v.cur, _ = strconv.Atoi(row.GetAttribute("data-i"))
			v.markCur()
			v.pick(e)
		}
	})
	root.AddEventListener("keydown", false, func(ev dom.Event) {
		if v.key(ev.Underlying()) {
			ev.PreventDefault()
		}
	})
	return v
}

// key handles a key pressed while the list has focus: ↑/↓ (PageUp/PageDown,
// Home/End) move the cursor, Enter (or → on a directory) opens its entry,
// Backspace or ← goes to the parent. It reports whether it used the key.
func (v *vlist) key(ev js.Value) bool {
	if ev.Get("altKey").Bool() || ev.Get("ctrlKey").Bool() || ev.Get("metaKey").Bool() {
		return false
	}
	page := max(int(v.root.Underlying().Get("clientHeight").Float())/rowH-1, 1)
	switch ev.Get("key").String() {
	case "ArrowDown":
		v.setCursor(v.cur + 1)
	case "ArrowUp":
		v.setCursor(max(v.cur-1, 0))
	case "PageDown":
		v.setCursor(v.cur + page)
	case "PageUp":
		v.setCursor(max(v.cur-page, 0))
	case "Home":
		v.setCursor(0)
	case "End":
		v.setCursor(v.total - 1)
	case "Enter", "ArrowRight":
		e, ok := v.entry(strconv.Itoa(v.cur))
		if !ok {
			return v.cur >= 0
		}
		if ev.Get("key").String() == "ArrowRight" && e.Type != "dir" && e.Type != "opaque" {
			return true
		}
		v.pick(e)
	case "Backspace", "ArrowLeft":
		if v.back == nil {
			return false
		}
		v.back()
	default:
		return false
	}
	return true
}

// setCursor moves the keyboard cursor to row i (clamped) and scrolls it into view.
func (v *vlist) setCursor(i int) {
	if v.total == 0 {
		return
	}
	v.cur = min(max(i, 0), v.total-1)
	u := v.root.Underlying()
	top := float64(v.cur * rowH)
	h := u.Get("clientHeight").Float()
	switch cur := u.Get("scrollTop").Float(); {
	case top < cur:
		u.Set("scrollTop", top)
	case top+rowH > cur+h:
		u.Set("scrollTop", top+rowH-h)
	}
	v.draw()
}

// markCur marks the cursor's row, if drawn.
func (v *vlist) markCur() {
	for _, r := range v.inner.QuerySelectorAll(".row.cur") {
		r.Class().Remove("cur")
	}
	if v.cur < 0 {
		return
	}
	if r := v.inner.QuerySelector(fmt.Sprintf(`.row[data-i="%d"]`, v.cur)); r != nil {
		r.Class().Add("cur")
	}
}

func (v *vlist) entry(s string) (msg.Entry, bool) {
	i, err := strconv.Atoi(s)
	if err != nil || i < 0 {
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
	v.cur = -1
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

// focused reports whether the list has the keyboard focus.
func (v *vlist) focused() bool {
	return js.Global().Get("document").Get("activeElement").Equal(v.root.Underlying())
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
	// The rows flow from first on: the box is as tall as every row and its
	// top padding stands for those above (set through CSSOM, which the
	// page's CSP allows where it refuses style attributes).
	v.inner.Style().SetProperty("height", fmt.Sprintf("%dpx", v.total*rowH), "")
	v.inner.Style().SetProperty("padding-top", fmt.Sprintf("%dpx", first*rowH), "")
	html := make([]byte, 0, (last-first)*300)
	for i := first; i < last; i++ {
		page, ok := v.pages[i/pageSize]
		if !ok {
			v.fetch(i / pageSize)
		}
		if ok && i%pageSize < len(page) {
			html = append(html, rowHTML(i, page[i%pageSize], v.fullPath)...)
		} else {
			html = append(html, `<div class="ph"></div>`...)
		}
	}
	v.inner.SetInnerHTML(string(html))
	if v.a.file != "" {
		v.mark(v.a.file)
	}
	v.markCur()
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
