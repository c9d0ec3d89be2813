//go:build js

package view

import (
	"encoding/json"
	"syscall/js"

	"honnef.co/go/js/dom/v2"

	"github.com/regscope/regscope/wasm/msg"
	"github.com/regscope/regscope/wasm/urlstate"
)

// View is one tab of the page: "files", "layers", "config", "manifest", and
// whatever else registers in views below. Everything a view does runs on
// the page's loop, one call at a time; a view owns its own state and draws
// only inside its panel.
//
// Adding a view takes one file and one line:
//
//  1. In its own file, a type with the four methods below. Mount builds its
//     DOM once (with elem, textEl, add … from dom_js.go: never HTML
//     strings); Load drops what it drew for the last image and keeps the new
//     one (nil: no image); Show draws the URL state s while the tab is
//     selected. Ask the engine with p.ask (the answer arrives on the loop),
//     change the URL with p.navigate, read it with p.state().
//  2. Its constructor in (*Page).views, in tab order. Its Name is the value
//     of &view= (add the name to urlstate.KnownView); a URL parameter of its
//     own goes in urlstate.State.
type View interface {
	Name() string                // the value of &view=; also #tab-NAME and #panel-NAME
	Label() string               // the tab's text
	Mount(panel dom.HTMLElement) // build the view's DOM in its panel, once
	Load(img *msg.PullResult)    // a new image was pulled and verified (nil: none)
	Show(s urlstate.State)       // draw s; the tab is selected
}

// views lists the page's tabs in order; the first is the default.
func (p *Page) views() []View {
	return []View{
		newFilesView(p),
		newLayersView(p),
		newConfigView(p),
		newManifestView(p),
		newSupplyView(p),
		newPackagesView(p),
		newCompareView(p),
	}
}

// serverInfo is the server's /api/info (absent when the page is hosted statically).
type serverInfo struct {
	Wasm    string `json:"wasm"`
	Version string `json:"version"`
	Relay   bool   `json:"relay"`
	Images  []struct {
		Ref         string `json:"ref"`
		Title       string `json:"title"`
		Description string `json:"description"`
	} `json:"images"`
}

// Page is the view: it wires the components together and owns nothing
// they own. Data flows one way: an event (a click, the URL, an engine
// answer) changes one component's state, and that component draws it.
type Page struct {
	doc    dom.Document
	loop   *loop
	c      *client
	info   serverInfo
	router *router
	status *status
	pull   *puller
	header *header
	start  *start
	cache  *cacheBox
	tabs   []View
	cur    View // the selected tab
}

// Run starts the view on the page's main thread. boot.js has set
// globalThis.regscope = {worker, info}. index.html is the shell, already
// drawn; Run wires it up in steps and gives the browser its thread back
// between them (yieldToBrowser), so that no start-up task blocks input or
// painting for long. Everything the steps register posts to the loop,
// which runs only once all are done. The performance marks
// regscope:view-run and regscope:view-started bracket it.
func Run() {
	mark("regscope:view-run")
	yieldToBrowser() // the Go runtime's and the packages' start-up was one task
	p := &Page{doc: dom.GetWindow().Document(), loop: newLoop()}
	rs := js.Global().Get("regscope")
	if info := rs.Get("info"); info.Truthy() {
		s := js.Global().Get("JSON").Call("stringify", info).String()
		json.Unmarshal([]byte(s), &p.info)
	}
	p.status = newStatus(p)
	p.c = newClient(p.loop, rs.Get("worker"), p.ready, p.status.showError)
	p.router = newRouter(p.loop, p.apply)
	yieldToBrowser()
	p.pull = newPuller(p)
	p.header = newHeader(p)
	yieldToBrowser()
	p.mountTabs()
	yieldToBrowser()
	p.mountLocal()
	yieldToBrowser()
	p.start = newStart(p)
	p.cache = newCacheBox(p)
	p.status.set("idle", "starting engine…")
	mark("regscope:view-started")
	p.loop.run()
}

// yieldToBrowser ends the current main-thread task and returns in a new
// one: the browser may paint and handle input in between.
func yieldToBrowser() {
	done := make(chan struct{})
	var f js.Func
	f = js.FuncOf(func(js.Value, []js.Value) any {
		f.Release()
		close(done)
		return nil
	})
	js.Global().Call("setTimeout", f, 0)
	<-done
}

// mark records a performance mark (performance.mark), for benchmarks.
func mark(name string) {
	if perf := js.Global().Get("performance"); perf.Truthy() && perf.Get("mark").Truthy() {
		perf.Call("mark", name)
	}
}

// ready runs once the engine has started.
func (p *Page) ready() {
	p.el("pull-button").RemoveAttribute("disabled")
	p.status.set("idle", "ready")
	p.cache.refresh(false)
	p.apply(p.router.state)
}

// el returns the page's element with the given id (index.html must have it).
func (p *Page) el(id string) dom.HTMLElement {
	e := p.doc.GetElementByID(id)
	if e == nil {
		panic("view: index.html lacks #" + id)
	}
	return e.(dom.HTMLElement)
}

// on runs fn on the loop for each event of type typ on element id.
func (p *Page) on(id, typ string, fn func(dom.Event)) {
	listen(p.loop, p.el(id), typ, fn)
}

// listen runs fn on the loop for each event of type typ on e. The
// default actions of a form's submit and of a click on an in-page link
// (<a href="#">) are prevented in the handler itself: the loop runs later.
func listen(l *loop, e dom.Element, typ string, fn func(dom.Event)) {
	e.AddEventListener(typ, false, func(ev dom.Event) {
		switch typ {
		case "submit":
			ev.PreventDefault()
		case "click":
			if t := ev.Target(); t != nil && t.Closest(`a[href="#"]`) != nil {
				ev.PreventDefault()
			}
		}
		l.post(func() { fn(ev) })
	})
}

// state is the URL's state.
func (p *Page) state() urlstate.State { return p.router.state }

// image is the pulled image, nil before or during a pull or after a failure.
func (p *Page) image() *msg.PullResult { return p.pull.img }

// navigate changes the URL's state (one history entry) and shows it.
func (p *Page) navigate(change func(s *urlstate.State)) { p.router.navigate(change) }

// ask sends a request to the engine; done runs on the loop with the answer.
func (p *Page) ask(kind msg.Kind, req any, done func(reply)) int64 {
	return p.c.ask(kind, req, nil, done)
}
