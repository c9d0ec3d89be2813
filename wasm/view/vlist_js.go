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
	rowH     = 22  // px, a row's height unless style.css sets --row-h on the list
	pageSize = 200 // entries per list request
	overscan = 20  // rows drawn above and below the visible ones
)

// vlist is a virtual list of entries (role="listbox"; each row an option):
// it asks the engine for pages as they scroll into view and keeps only the
// visible rows in the DOM, so a directory of 50,000 entries costs what 60
// rows do. It owns its source, its pages, the keyboard cursor and the
// selected path.
type vlist struct {
	p        *Page
	root     dom.HTMLElement // the scrolling box
	inner    dom.HTMLElement // sized to total rows; holds the drawn rows
	pick     func(msg.Entry)
	back     func() // Backspace or ←: go to the parent (nil: nothing)
	fullPath bool
	cur      int    // the keyboard cursor's row, -1 for none (marked .cur)
	rowH     int    // px: the list's --row-h (narrow screens fold a row into two lines)
	selected string // the path marked .sel (the open file)

	src     msg.Source
	total   int
	pages   map[int][]msg.Entry
	loading map[int]bool
	queued  bool
}

func newVList(p *Page, root dom.HTMLElement, pick func(msg.Entry)) *vlist {
	v := &vlist{p: p, root: root, pick: pick, cur: -1, rowH: rowH, pages: map[int][]msg.Entry{}, loading: map[int]bool{}}
	v.inner = elem("div", "class", "vinner", "role", "presentation")
	root.AppendChild(v.inner)
	root.SetAttribute("role", "listbox")
	root.AddEventListener("scroll", false, func(dom.Event) { p.loop.post(v.schedule) })
	listen(p.loop, root, "click", func(ev dom.Event) {
		t := ev.Target()
		if t == nil {
			return
		}
		if r := t.Closest(".row"); r != nil {
			if e, ok := v.entry(r.GetAttribute("data-i")); ok {
				v.cur, _ = strconv.Atoi(r.GetAttribute("data-i"))
				v.markCur()
				v.pick(e)
			}
		}
	})
	root.AddEventListener("keydown", false, func(ev dom.Event) {
		if k := keyOf(ev.Underlying()); k != "" {
			ev.PreventDefault()
			p.loop.post(func() { v.key(k) })
		}
	})
	return v
}

// keyOf is the key a list acts on, "" for others (and with modifiers).
func keyOf(ev js.Value) string {
	if ev.Get("altKey").Bool() || ev.Get("ctrlKey").Bool() || ev.Get("metaKey").Bool() {
		return ""
	}
	switch k := ev.Get("key").String(); k {
	case "ArrowDown", "ArrowUp", "PageDown", "PageUp", "Home", "End", "Enter", "ArrowRight", "Backspace", "ArrowLeft":
		return k
	}
	return ""
}

// key handles a key pressed while the list has focus: ↑/↓ (PageUp/PageDown,
// Home/End) move the cursor, Enter (or → on a directory) opens its entry,
// Backspace or ← goes to the parent.
func (v *vlist) key(k string) {
	page := max(int(v.root.Underlying().Get("clientHeight").Float())/v.rowH-1, 1)
	switch k {
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
		if ok && (k == "Enter" || e.Type == "dir" || e.Type == "opaque") {
			v.pick(e)
		}
	case "Backspace", "ArrowLeft":
		if v.back != nil {
			v.back()
		}
	}
}

// setCursor moves the keyboard cursor to row i (clamped) and scrolls it into view.
func (v *vlist) setCursor(i int) {
	if v.total == 0 {
		return
	}
	v.cur = min(max(i, 0), v.total-1)
	u := v.root.Underlying()
	top, rh := float64(v.cur*v.rowH), float64(v.rowH)
	h := u.Get("clientHeight").Float()
	switch cur := u.Get("scrollTop").Float(); {
	case top < cur:
		u.Set("scrollTop", top)
	case top+rh > cur+h:
		u.Set("scrollTop", top+rh-h)
	}
	v.draw()
}

// markCur marks the cursor's row, if drawn, as the active option.
func (v *vlist) markCur() {
	for _, r := range v.inner.QuerySelectorAll(".row.cur") {
		r.Class().Remove("cur")
	}
	v.root.RemoveAttribute("aria-activedescendant")
	if v.cur < 0 {
		return
	}
	if r := v.inner.QuerySelector(fmt.Sprintf(`.row[data-i="%d"]`, v.cur)); r != nil {
		r.Class().Add("cur")
		v.root.SetAttribute("aria-activedescendant", r.ID())
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

// clear empties the list.
func (v *vlist) clear() {
	v.src = msg.Source{Dir: "\x00"} // matches no answer in flight
	v.total, v.cur = 0, -1
	v.pages, v.loading = map[int][]msg.Entry{}, map[int]bool{}
	v.inner.SetTextContent("")
}

// load shows a new source; done runs with the number of entries (or the
// engine's error) once the first page has arrived and been drawn.
func (v *vlist) load(src msg.Source, done func(n int, err error)) {
	v.clear()
	v.src = src
	v.askPage(0, done, func(lr msg.ListResult) {
		v.pages[0] = lr.Entries
		v.root.Underlying().Set("scrollTop", 0)
	})
}

// reload asks again for the source shown (the filesystem grew while a pull
// goes on), keeping the scroll position, the cursor and the selection;
// done runs as for load.
func (v *vlist) reload(done func(n int, err error)) {
	n := int(v.root.Underlying().Get("scrollTop").Float()) / max(v.rowH, 1) / pageSize
	v.askPage(n, done, func(lr msg.ListResult) {
		v.pages, v.loading = map[int][]msg.Entry{n: lr.Entries}, map[int]bool{}
		v.cur = min(v.cur, lr.Total-1)
	})
}

// askPage asks for page n of the source shown and, when the answer is still
// for that source, sets the total, lets keep store the page, draws, and
// calls done with the number of entries (or the engine's error).
func (v *vlist) askPage(n int, done func(n int, err error), keep func(msg.ListResult)) {
	key := v.src.Key()
	v.p.ask(msg.KindList, msg.ListRequest{Source: v.src, Offset: n * pageSize, Limit: pageSize}, func(r reply) {
		if v.src.Key() != key {
			return // another source replaced this one
		}
		var lr msg.ListResult
		if err := r.decode(&lr); err != nil {
			done(0, err)
			return
		}
		v.total = lr.Total
		keep(lr)
		v.draw()
		done(lr.Total, nil)
	})
}

// focused reports whether the list has the keyboard focus.
func (v *vlist) focused() bool {
	return js.Global().Get("document").Get("activeElement").Equal(v.root.Underlying())
}

// scrollTo scrolls row i into view.
func (v *vlist) scrollTo(i int) {
	top := float64(i * v.rowH)
	u := v.root.Underlying()
	h, cur := u.Get("clientHeight").Float(), u.Get("scrollTop").Float()
	if top < cur || top+float64(v.rowH) > cur+h {
		u.Set("scrollTop", top-h/3)
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

// schedule draws at the next animation frame (once however often it is asked).
func (v *vlist) schedule() {
	if v.queued {
		return
	}
	v.queued = true
	var f js.Func
	f = js.FuncOf(func(this js.Value, args []js.Value) any {
		f.Release()
		v.p.loop.post(func() { v.queued = false; v.draw() })
		return nil
	})
	js.Global().Call("requestAnimationFrame", f)
}
