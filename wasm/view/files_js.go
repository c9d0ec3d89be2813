//go:build js

package view

import (
	"fmt"
	"path"
	"strings"
	"syscall/js"

	"honnef.co/go/js/dom/v2"

	"github.com/regscope/regscope/internal/format"
	"github.com/regscope/regscope/wasm/msg"
	"github.com/regscope/regscope/wasm/urlstate"
)

const (
	textCap  = 256 << 10 // bytes of a file shown at first; "show more" doubles it
	hexCap   = 64 << 10  // bytes of a binary file shown as hex at first
	imageCap = 32 << 20  // images larger than this are not previewed
)

// showPath shows p: a directory in the tree, or a file in the viewer with
// its directory in the tree.
func (a *app) showPath(p string) {
	if p == "" {
		p = "/"
	}
	var st msg.StatResult
	if _, err := a.c.do(msg.KindStat, msg.StatRequest{Path: p}, &st); err != nil {
		a.showDir("/", false)
		a.viewerMessage(fmt.Sprintf("%s: not in this image", p))
		return
	}
	isDir := st.Entry.Type == "dir" || st.Entry.Type == "opaque"
	if st.Entry.Type == "symlink" && st.Resolved != "" {
		var rs msg.StatResult
		if _, err := a.c.do(msg.KindStat, msg.StatRequest{Path: st.Resolved}, &rs); err == nil && rs.Entry.Type == "dir" {
			isDir = true
		}
	}
	if isDir {
		a.showDir(p, false)
		a.file = ""
		a.viewerMessage("Select a file to view it.")
		return
	}
	dir := path.Dir(p)
	if a.dir != dir || a.searching != "" {
		a.showDir(dir, false)
	}
	a.openFile(p, &st)
}

// showDir lists dir in the tree (force: reload even if it is shown).
func (a *app) showDir(dir string, force bool) {
	if dir == a.dir && a.searching == "" && !force {
		return
	}
	from := a.dir
	if a.searching != "" {
		from = ""
	}
	a.dir, a.searching = dir, ""
	a.el("search-input").Underlying().Set("value", "")
	a.drawCrumbs(dir, "")
	deleted := a.el("show-deleted").Underlying().Get("checked").Bool()
	n, err := a.tree.load(msg.Source{Dir: dir, Deleted: deleted})
	a.el("tree").SetAttribute("data-dir", dir)
	if err != nil {
		a.el("tree-info").SetTextContent(err.Error())
		return
	}
	a.el("tree-info").SetTextContent(plural(n, "entry", "entries"))
	if a.file != "" {
		if i := a.tree.find(a.file); i >= 0 {
			a.tree.cur = i
			a.tree.scrollTo(i)
			return
		}
	}
	// Coming back up (Backspace, ←, a breadcrumb): the cursor is on the
	// directory we came from; entering one with the keyboard, on its first row.
	if rel, ok := strings.CutPrefix(from, strings.TrimSuffix(dir, "/")+"/"); ok && from != dir {
		child, _, _ := strings.Cut(rel, "/")
		if i := a.tree.find(path.Join(dir, child)); i >= 0 {
			a.tree.setCursor(i)
			return
		}
	}
	if a.tree.focused() {
		a.tree.setCursor(0)
	}
}

// parent shows the parent of the directory in the tree (or, from search
// results, the directory again).
func (a *app) parent() {
	if a.searching != "" {
		go a.search("")
		return
	}
	if a.dir == "" || a.dir == "/" {
		return
	}
	up := path.Dir(a.dir)
	go a.navigate(func(s *urlstate.State) { s.View, s.Path = "files", up })
}

// search shows filename search results in the tree ("" returns to the directory).
func (a *app) search(q string) {
	if a.img == nil {
		return
	}
	if q == "" {
		a.showDir(a.dir, true)
		return
	}
	if a.state.View != "" && a.state.View != "files" {
		a.navigate(func(s *urlstate.State) { s.View = "files" })
	}
	a.searching = q
	a.drawCrumbs(a.dir, q)
	n, err := a.tree.load(msg.Source{Search: q})
	a.tree.fullPath = true
	a.tree.draw()
	if err != nil {
		a.el("tree-info").SetTextContent(err.Error())
		return
	}
	more := ""
	if n >= 2000 {
		more = " (first 2000)"
	}
	a.el("tree-info").SetTextContent(plural(n, "match", "matches") + more)
}

func (a *app) drawCrumbs(dir, q string) {
	a.tree.fullPath = q != ""
	var b strings.Builder
	b.WriteString(`<a href="#" data-dir="/">/</a>`)
	cur := ""
	for _, part := range strings.Split(strings.Trim(dir, "/"), "/") {
		if part == "" {
			continue
		}
		cur += "/" + part
		fmt.Fprintf(&b, `<a href="#" data-dir="%s">%s</a>/`, esc(cur), esc(part))
	}
	if q != "" {
		fmt.Fprintf(&b, ` <span class="muted">search: %s</span>`, esc(q))
	}
	a.el("crumbs").SetInnerHTML(b.String())
}

// pick handles a click on a row of the tree.
func (a *app) pick(e msg.Entry) {
	if e.Change != "" {
		return // deleted or overwritten versions have no content to show
	}
	a.navigate(func(s *urlstate.State) { s.View, s.Path = "files", e.Path })
}

func (a *app) viewerMessage(m string) {
	a.releaseObjectURL()
	v := a.el("viewer")
	v.SetAttribute("data-path", "")
	v.SetAttribute("data-kind", "none")
	v.SetInnerHTML(`<p class="muted">` + esc(m) + `</p>`)
	a.el("viewer-bar").SetInnerHTML("")
	a.el("viewer-more").SetInnerHTML("")
}

func (a *app) releaseObjectURL() {
	if a.objectURL != "" {
		js.Global().Get("URL").Call("revokeObjectURL", a.objectURL)
		a.objectURL = ""
	}
}

// openFile shows a file in the viewer: text with line numbers, a hex dump,
// or an image preview, with its metadata, history and a download button.
func (a *app) openFile(p string, st *msg.StatResult) {
	if a.file != p {
		a.viewCap = textCap
	}
	a.file = p
	a.viewGen++
	gen := a.viewGen
	a.tree.mark(p)
	if i := a.tree.find(p); i >= 0 {
		a.tree.cur = i
		a.tree.scrollTo(i)
	}
	a.drawViewerBar(p, st)
	e := st.Entry
	if e.Type != "file" && e.Type != "hardlink" && e.Type != "symlink" {
		a.releaseObjectURL()
		v := a.el("viewer")
		v.SetAttribute("data-path", p)
		v.SetAttribute("data-kind", "none")
		v.SetInnerHTML(fmt.Sprintf(`<p class="muted">%s: a %s has no content to show.</p>`, esc(p), esc(e.Type)))
		a.el("viewer-more").SetInnerHTML("")
		return
	}
	limit := a.viewCap
	if e.Size <= imageCap && (strings.HasSuffix(strings.ToLower(p), ".svg") || isImageName(p)) {
		limit = imageCap
	}
	var r msg.ReadResult
	data, err := a.c.do(msg.KindRead, msg.ReadRequest{Path: p, Limit: limit}, &r)
	if gen != a.viewGen {
		return
	}
	v := a.el("viewer")
	a.releaseObjectURL()
	v.SetAttribute("data-path", p)
	if err != nil {
		v.SetAttribute("data-kind", "error")
		v.SetInnerHTML(`<p class="muted">` + esc(err.Error()) + `</p>`)
		return
	}
	arr := js.Global().Get("Uint8Array").New(data)
	head := make([]byte, min(arr.Length(), 4096))
	js.CopyBytesToGo(head, arr.Call("subarray", 0, len(head)))
	more := a.el("viewer-more")
	more.SetInnerHTML("")
	if mime := format.ImageType(p, head); mime != "" && r.N == r.Size {
		blob := js.Global().Get("Blob").New([]any{data}, map[string]any{"type": mime})
		a.objectURL = js.Global().Get("URL").Call("createObjectURL", blob).String()
		v.SetAttribute("data-kind", "image")
		v.SetInnerHTML(fmt.Sprintf(`<div class="img"><img alt="%s" src="%s"></div>`, esc(path.Base(p)), esc(a.objectURL)))
		return
	}
	if format.IsText(head) {
		b := make([]byte, arr.Length())
		js.CopyBytesToGo(b, arr)
		if !format.IsText(b) {
			goto binary
		}
		v.SetAttribute("data-kind", "text")
		v.SetInnerHTML(textHTML(string(b)))
		a.moreButton(r.N, r.Size)
		return
	}
binary:
	n := min(arr.Length(), hexCap*int(a.viewCap/textCap))
	b := make([]byte, n)
	js.CopyBytesToGo(b, arr.Call("subarray", 0, n))
	v.SetAttribute("data-kind", "hex")
	v.SetInnerHTML(`<pre class="hex">` + esc(format.Hex(b, 0)) + `</pre>`)
	a.moreButton(int64(n), r.Size)
}

func isImageName(p string) bool {
	for _, ext := range []string{".png", ".jpg", ".jpeg", ".gif", ".webp"} {
		if strings.HasSuffix(strings.ToLower(p), ext) {
			return true
		}
	}
	return false
}

// moreButton offers the rest of a file shown in part.
func (a *app) moreButton(shown, size int64) {
	if shown >= size {
		return
	}
	more := a.el("viewer-more")
	more.SetInnerHTML(fmt.Sprintf(`<span class="muted">showing %s of %s</span> <button id="show-more" type="button">Show more</button>`,
		format.Size(shown), format.Size(size)))
	more.QuerySelector("#show-more").AddEventListener("click", false, func(dom.Event) {
		a.viewCap *= 4
		go a.showPath(a.file)
	})
}

func (a *app) drawViewerBar(p string, st *msg.StatResult) {
	e := st.Entry
	var b strings.Builder
	fmt.Fprintf(&b, `<div class="vb-path mono">%s</div><div class="vb-meta">`, esc(p))
	own, ids := owner(e)
	fmt.Fprintf(&b, `<span class="mono">%s</span> <span title="uid:gid %s">%s</span> <span>%s</span> <span>%s</span> <span class="lyr">layer %d</span>`,
		format.Mode(e.Type, e.Mode), esc(ids), esc(own), esc(e.Type), format.Size(e.Size), e.Layer)
	if e.Link != "" {
		fmt.Fprintf(&b, ` <span class="mono">→ %s</span>`, esc(e.Link))
	}
	if st.Resolved != "" && st.Resolved != p {
		fmt.Fprintf(&b, ` <span class="muted">(resolves to %s)</span>`, esc(st.Resolved))
	}
	b.WriteString(` <button id="download" type="button">Download</button></div>`)
	for _, c := range st.History {
		switch c.Kind {
		case "modified":
			if c.Entry != nil {
				fmt.Fprintf(&b, `<div class="hist">layer %d overwrote the version from layer %d (%s, %s)</div>`, c.Layer, c.Entry.Layer, esc(c.Entry.Type), format.Size(c.Entry.Size))
			}
		case "deleted":
			fmt.Fprintf(&b, `<div class="hist">layer %d deleted an earlier version</div>`, c.Layer)
		case "added":
			fmt.Fprintf(&b, `<div class="hist">layer %d created it again</div>`, c.Layer)
		}
	}
	bar := a.el("viewer-bar")
	bar.SetInnerHTML(b.String())
	bar.QuerySelector("#download").AddEventListener("click", false, func(dom.Event) { go a.download(p) })
}

// download saves the file's original bytes under its name.
func (a *app) download(p string) {
	var r msg.ReadResult
	data, err := a.c.do(msg.KindRead, msg.ReadRequest{Path: p, Limit: -1}, &r)
	if err != nil {
		a.showError(err)
		return
	}
	blob := js.Global().Get("Blob").New([]any{data}, map[string]any{"type": "application/octet-stream"})
	url := js.Global().Get("URL").Call("createObjectURL", blob)
	link := js.Global().Get("document").Call("createElement", "a")
	link.Set("href", url)
	link.Set("download", path.Base(p))
	js.Global().Get("document").Get("body").Call("appendChild", link)
	link.Call("click")
	link.Call("remove")
	js.Global().Call("setTimeout", js.FuncOf(func(js.Value, []js.Value) any {
		js.Global().Get("URL").Call("revokeObjectURL", url)
		return nil
	}), 10000)
}
