//go:build js

package view

import (
	"syscall/js"

	"honnef.co/go/js/dom/v2"

	"github.com/regscope/regscope/wasm/msg"
	"github.com/regscope/regscope/wasm/urlstate"
)

// Local images: a `docker save` tarball, an OCI layout tar or a single
// layer dropped anywhere on the page or chosen with #local-file. The File
// goes to the engine, which reads it in slices; nothing is uploaded. The
// URL says ?local=NAME, and Copy link explains that a link cannot carry
// the file.

// localNotShareable is what Copy link says for a local file.
const localNotShareable = "A local file cannot be shared by link"

// mountLocal wires the file picker and dropping on the page.
func (p *Page) mountLocal() {
	p.on("local-file", "change", func(dom.Event) {
		files := js.Value(p.el("local-file").Underlying()).Get("files")
		if files.Length() > 0 {
			p.openLocal(files.Index(0))
		}
	})
	doc := js.Global().Get("document")
	doc.Call("addEventListener", "dragover", js.FuncOf(func(this js.Value, args []js.Value) any {
		args[0].Call("preventDefault") // lets the page be a drop target
		return nil
	}))
	doc.Call("addEventListener", "drop", js.FuncOf(func(this js.Value, args []js.Value) any {
		e := args[0]
		e.Call("preventDefault") // not the browser opening the file itself
		files := e.Get("dataTransfer").Get("files")
		if files.Length() > 0 {
			f := files.Index(0)
			p.loop.post(func() { p.openLocal(f) })
		}
		return nil
	}))
}

// openLocal pulls the local file and says so in the URL.
func (p *Page) openLocal(file js.Value) {
	p.pull.startLocal(file)
	name := file.Get("name").String()
	p.navigate(func(s *urlstate.State) { *s = urlstate.State{Local: name, Layer: -1} })
}

// applyLocal shows s, which names a local file: the image when that file
// is open in this tab, else why a link cannot reopen it.
func (p *Page) applyLocal(s urlstate.State) {
	setHidden(p.el("start"), true)
	if !p.pull.hasLocal(s.Local) {
		p.pull.stop()
		p.showImage(false)
		p.status.showError(&msg.ErrorInfo{Kind: msg.ErrNoImage, Layer: -1,
			Message: s.Local + " is a local file, and a link cannot carry it: drop the file on this page or choose it with “Open a file”."})
		p.header.setLink(s)
		return
	}
	if p.pull.img != nil {
		p.render(s)
	}
}
