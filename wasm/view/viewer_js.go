//go:build js

package view

import (
	"fmt"
	"path"
	"strconv"
	"strings"
	"syscall/js"

	"honnef.co/go/js/dom/v2"

	"github.com/regscope/regscope/internal/format"
	"github.com/regscope/regscope/wasm/msg"
	"github.com/regscope/regscope/wasm/urlstate"
)

const (
	textCap  = 256 << 10 // bytes of a file shown at first; "show more" quadruples it
	hexCap   = 64 << 10  // bytes of a binary file shown as hex at first
	imageCap = 32 << 20  // images larger than this are not previewed
)

// viewer shows one file: text with line numbers, a hex dump, or an image
// preview, under a bar with its metadata, history and a download button.
// It owns the open file, how much of it is shown, and the preview's
// object URL. #viewer[data-path, data-kind] say what it shows.
type viewer struct {
	p         *Page
	box       dom.HTMLElement // #viewer
	bar       dom.HTMLElement // #viewer-bar
	more      dom.HTMLElement // #viewer-more
	file      string          // the open file, "" for none
	cap       int64           // bytes to ask for
	shown     shownFile       // what the viewer shows now
	objectURL string
	downloads int // streamed downloads started, for their ids
}

func newViewer(p *Page) *viewer {
	return &viewer{p: p, box: p.el("viewer"), bar: p.el("viewer-bar"), more: p.el("viewer-more"), cap: textCap}
}

// shownFile is what the viewer shows: a file's entry, read with a cap.
type shownFile struct {
	path  string
	entry msg.Entry
	cap   int64
}

// clear closes the file.
func (v *viewer) clear() { v.message("") }

// message shows a sentence instead of a file.
func (v *viewer) message(m string) {
	v.release()
	v.file, v.shown = "", shownFile{}
	v.show("", "none", textEl("p", m, "class", "muted"))
	v.bar.SetTextContent("")
	v.more.SetTextContent("")
}

// show replaces the viewer's content.
func (v *viewer) show(p, kind string, content dom.Node) {
	v.box.SetAttribute("data-path", p)
	v.box.SetAttribute("data-kind", kind)
	fill(v.box, content)
}

func (v *viewer) release() {
	if v.objectURL != "" {
		js.Global().Get("URL").Call("revokeObjectURL", v.objectURL)
		v.objectURL = ""
	}
}

// open shows file p, whose stat is st.
func (v *viewer) open(p string, st *msg.StatResult) {
	if v.file != p {
		v.cap = textCap
	}
	v.file = p
	now := shownFile{p, st.Entry, v.cap}
	if v.shown == now {
		return // the same version, as much of it: keep it (and where the reader is in it)
	}
	v.shown = now
	v.drawBar(p, st)
	v.more.SetTextContent("")
	e := st.Entry
	if e.Type != "file" && e.Type != "hardlink" && e.Type != "symlink" {
		v.release()
		v.show(p, "none", textEl("p", p+": a "+e.Type+" has no content to show.", "class", "muted"))
		return
	}
	limit := v.cap
	if e.Size <= imageCap && (strings.HasSuffix(strings.ToLower(p), ".svg") || isImageName(p)) {
		limit = imageCap
	}
	restored := false
	v.p.c.ask(msg.KindRead, msg.ReadRequest{Path: p, Limit: limit}, func(ev msg.Progress) {
		restored = true
		if v.file == p {
			v.restoring(p, ev)
		}
	}, func(r reply) {
		if restored { // the read went through the verified cache, which may have dropped an entry
			v.p.cache.refresh(false)
		}
		if v.file == p {
			v.read(p, r)
		}
	})
}

// restoring shows how the engine's read of a layer listed from the
// verified cache goes: its contents are read from the layer's blob again
// and verified before p's bytes are sent.
func (v *viewer) restoring(p string, ev msg.Progress) {
	text := ev.Message
	if text == "" {
		text = fmt.Sprintf("layer %d: %s", ev.Layer, ev.State)
		if ev.Total > 0 {
			text += " " + format.Size(ev.Done) + " / " + format.Size(ev.Total)
		}
	}
	v.show(p, "restoring", textEl("p", text, "class", "muted", "id", "viewer-restoring"))
}

// read shows the bytes the engine sent for p.
func (v *viewer) read(p string, r reply) {
	v.release()
	var rr msg.ReadResult
	if err := r.decode(&rr); err != nil {
		text := err.Error()
		if info, ok := err.(*msg.ErrorInfo); ok && info.Kind == msg.ErrNotKept {
			text = info.Message // "not kept: storage unavailable"
		}
		v.show(p, "error", textEl("p", text, "class", "muted"))
		return
	}
	arr := js.Global().Get("Uint8Array").New(r.data)
	head := make([]byte, min(arr.Length(), 4096))
	js.CopyBytesToGo(head, arr.Call("subarray", 0, len(head)))
	if mime := format.ImageType(p, head); mime != "" && rr.N == rr.Size {
		blob := js.Global().Get("Blob").New([]any{r.data}, map[string]any{"type": mime})
		v.objectURL = js.Global().Get("URL").Call("createObjectURL", blob).String()
		v.show(p, "image", add(elem("div", "class", "img"), elem("img", "alt", path.Base(p), "src", v.objectURL)))
		return
	}
	if format.IsText(head) {
		b := make([]byte, arr.Length())
		js.CopyBytesToGo(b, arr)
		if format.IsText(b) {
			v.show(p, "text", textBlock(string(b)))
			v.moreButton(rr.N, rr.Size)
			return
		}
	}
	n := min(arr.Length(), hexCap*int(v.cap/textCap))
	b := make([]byte, n)
	js.CopyBytesToGo(b, arr.Call("subarray", 0, n))
	v.show(p, "hex", textEl("pre", format.Hex(b, 0), "class", "hex"))
	v.moreButton(int64(n), rr.Size)
}

// textBlock is text as lines whose numbers come from CSS, so the
// element's textContent is exactly the text.
func textBlock(s string) dom.Node {
	pre := elem("pre", "class", "text", "tabindex", "0")
	frag := dom.GetWindow().Document().CreateDocumentFragment()
	for _, l := range lines(s) {
		frag.AppendChild(span("ln", l))
	}
	pre.AppendChild(frag)
	return pre
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
func (v *viewer) moreButton(shown, size int64) {
	if shown >= size {
		return
	}
	b := button("Show more", "id", "show-more")
	file := v.file
	listen(v.p.loop, b, "click", func(dom.Event) {
		if v.file == file {
			v.cap *= 4
			v.p.render(v.p.state())
		}
	})
	fill(v.more, span("muted", "showing "+format.Size(shown)+" of "+format.Size(size)), textNode(" "), b)
}

// drawBar shows the file's path, metadata and history, and a download button.
func (v *viewer) drawBar(p string, st *msg.StatResult) {
	e := st.Entry
	own, ids := owner(e)
	who := span("", own)
	who.SetAttribute("title", "uid:gid "+ids)
	dl := button("Download", "id", "download")
	listen(v.p.loop, dl, "click", func(dom.Event) { v.download(p, e.Size, dl) })
	meta := add(elem("div", "class", "vb-meta"), span("mono", format.Mode(e.Type, e.Mode)), who,
		span("", e.Type), span("", format.Size(e.Size)), span("lyr", "layer "+strconv.Itoa(e.Layer)))
	if e.Link != "" {
		meta.AppendChild(span("mono", "→ "+e.Link))
	}
	if st.Resolved != "" && st.Resolved != p {
		meta.AppendChild(span("muted", "(resolves to "+st.Resolved+")"))
	}
	meta.AppendChild(dl)
	back := button("← Files", "id", "files-back", "class", "back", "aria-label", "back to the file list")
	listen(v.p.loop, back, "click", func(dom.Event) { v.p.navigate(func(s *urlstate.State) { s.Path = path.Dir(p) }) })
	fill(v.bar, add(elem("div", "class", "vb-top"), back, textEl("h2", p, "class", "vb-path mono")), meta)
	for _, c := range st.History {
		if h := historyLine(c); h != "" {
			v.bar.AppendChild(textEl("div", h, "class", "hist"))
		}
	}
}

// download saves the file's original bytes under its name: a big file as
// a stream (streamDownload) where the browser allows; otherwise in one
// answer, which is a File on disk when the engine keeps contents there,
// else the bytes.
func (v *viewer) download(p string, size int64, dl dom.Element) {
	dl.SetAttribute("aria-busy", "true")
	dl.SetTextContent("Preparing…")
	ready := func(err error) {
		dl.RemoveAttribute("aria-busy")
		dl.SetTextContent("Download")
		if err != nil {
			v.p.status.showError(err)
		}
	}
	if v.streamDownload(p, size, ready) {
		dl.SetTextContent("Downloading…")
		return
	}
	v.p.ask(msg.KindExport, msg.ReadRequest{Path: p}, func(r reply) {
		if err := r.err(); err != nil {
			ready(err)
			return
		}
		ready(nil)
		blob := r.data // a File the engine wrote to disk is downloaded as it is
		if !blob.InstanceOf(js.Global().Get("Blob")) {
			blob = js.Global().Get("Blob").New([]any{r.data}, map[string]any{"type": "application/octet-stream"})
		}
		url := js.Global().Get("URL").Call("createObjectURL", blob)
		a := elem("a", "download", path.Base(p))
		a.Underlying().Set("href", url)
		v.p.doc.Underlying().Get("body").Call("appendChild", a.Underlying())
		a.Underlying().Call("click")
		a.Underlying().Call("remove")
		js.Global().Call("setTimeout", js.FuncOf(func(js.Value, []js.Value) any {
			js.Global().Get("URL").Call("revokeObjectURL", url)
			return nil
		}), 10000)
	})
}
