//go:build js

package view

import (
	"fmt"
	"strconv"
	"strings"
	"syscall/js"

	"honnef.co/go/js/dom/v2"

	"github.com/regscope/regscope/wasm/msg"
)

// draw renders the visible rows and requests pages that are missing.
func (v *vlist) draw() {
	v.rowH = rowHeight(v.root)
	rowH := v.rowH
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
	frag := v.p.doc.CreateDocumentFragment()
	for i := first; i < last; i++ {
		page, ok := v.pages[i/pageSize]
		if !ok {
			v.fetch(i / pageSize)
		}
		if ok && i%pageSize < len(page) {
			frag.AppendChild(v.row(i, page[i%pageSize]))
		} else {
			frag.AppendChild(elem("div", "class", "ph", "role", "presentation"))
		}
	}
	v.inner.SetTextContent("")
	v.inner.AppendChild(frag)
	v.mark(v.selected)
	v.markCur()
}

// rowHeight is the list's --row-h in px (rowH when unset).
func rowHeight(root dom.Element) int {
	s := js.Global().Call("getComputedStyle", root.Underlying()).Call("getPropertyValue", "--row-h").String()
	if n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(s), "px")); err == nil && n > 0 {
		return n
	}
	return rowH
}

// row builds row i, showing entry e. Rows carry data-path, data-type and
// data-change for tests and styling, and data-i for the list.
func (v *vlist) row(i int, e msg.Entry) dom.Element {
	r := rowOf(e, v.fullPath)
	el := elem("div", "class", r.Class, "role", "option", "aria-selected", "false",
		"id", v.root.ID()+"-"+strconv.Itoa(i), "data-i", strconv.Itoa(i), "data-path", e.Path, "data-type", e.Type,
		"aria-setsize", strconv.Itoa(v.total), "aria-posinset", strconv.Itoa(i+1))
	if e.Change != "" {
		el.SetAttribute("data-change", e.Change)
	}
	own := span("own", r.Own)
	if r.IDs != "" {
		own.SetAttribute("title", r.IDs)
	}
	name := span("name", r.Name)
	if r.Link != "" {
		name.AppendChild(span("link", r.Link))
	}
	lyr := span("lyr", r.Note)
	lyr.SetAttribute("title", r.Tip)
	return add(el, span("mode", r.Mode), own, span("size", r.Size), name, lyr)
}

// mark selects the row of path p (the open file).
func (v *vlist) mark(p string) {
	v.selected = p
	for _, r := range v.inner.QuerySelectorAll(".row.sel") {
		r.Class().Remove("sel")
		r.SetAttribute("aria-selected", "false")
	}
	if p == "" {
		return
	}
	for _, r := range v.inner.QuerySelectorAll(".row") {
		if r.GetAttribute("data-path") == p && r.GetAttribute("data-change") == "" {
			r.Class().Add("sel")
			r.SetAttribute("aria-selected", "true")
		}
	}
}

// fetch asks for page n of the source, once.
func (v *vlist) fetch(n int) {
	if v.loading[n] {
		return
	}
	v.loading[n] = true
	key := v.src.Key()
	v.p.ask(msg.KindList, msg.ListRequest{Source: v.src, Offset: n * pageSize, Limit: pageSize}, func(r reply) {
		var lr msg.ListResult
		if v.src.Key() != key || r.decode(&lr) != nil {
			return
		}
		v.pages[n] = lr.Entries
		v.schedule()
	})
}
