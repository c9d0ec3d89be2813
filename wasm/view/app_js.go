//go:build js

package view

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"syscall/js"
	"time"

	"honnef.co/go/js/dom/v2"

	"github.com/regscope/regscope/wasm/msg"
	"github.com/regscope/regscope/wasm/urlstate"
)

// Examples are well-known public images offered beside the server's demo images.
var Examples = []string{
	"docker.io/library/alpine:3.20",
	"docker.io/library/debian:12",
	"ghcr.io/containerd/busybox:1.36",
	"gcr.io/distroless/static-debian12:latest",
	"quay.io/prometheus/busybox:latest",
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

// app is the whole view.
type app struct {
	win  dom.Window
	doc  dom.Document
	c    *client
	info serverInfo

	state urlstate.State // what the page shows now (and the URL says)

	img       *msg.PullResult // the pulled image, nil before/while pulling or after a failure
	asked     string          // reference and platform of the last pull, as requested
	askedPlat string
	pullID    int64
	pullGen   int
	creds     []msg.Credential

	bars *progress
	tree *vlist // the directory listing (or search results)
	chg  *vlist // the selected layer's changes

	dir       string // directory shown in the tree
	searching string // search query shown in the tree, "" for the directory
	file      string // file shown in the viewer
	viewGen   int
	viewCap   int64
	objectURL string
}

// Run starts the view on the page's main thread. boot.js has set
// globalThis.regscope = {worker, info}.
func Run() {
	win := dom.GetWindow()
	a := &app{win: win, doc: win.Document(), viewCap: textCap}
	rs := js.Global().Get("regscope")
	if info := rs.Get("info"); info.Truthy() {
		s := js.Global().Get("JSON").Call("stringify", info).String()
		json.Unmarshal([]byte(s), &a.info)
	}
	a.c = newClient(rs.Get("worker"), func(err error) { a.showError(err) })
	a.bars = newProgress(a.el("progress"))
	a.tree = newVList(a, a.el("tree"), func(e msg.Entry) { go a.pick(e) })
	a.tree.back = a.parent
	a.chg = newVList(a, a.el("layer-changes"), func(e msg.Entry) {
		if e.Change == "deleted" || e.Type == "opaque" {
			return
		}
		go a.navigate(func(s *urlstate.State) { s.View, s.Path = "files", e.Path })
	})
	a.chg.fullPath = true
	a.wire()
	a.examples()
	a.setStatus("idle", "starting engine…")
	go func() {
		<-a.c.ready
		a.el("pull-button").RemoveAttribute("disabled")
		a.setStatus("idle", "ready")
		a.apply(urlstate.Parse(a.win.Location().Get("search").String()))
	}()
	select {}
}

func (a *app) el(id string) dom.HTMLElement {
	e := a.doc.GetElementByID(id)
	if e == nil {
		panic("view: index.html lacks #" + id)
	}
	return e.(dom.HTMLElement)
}

func (a *app) show(id string, on bool) {
	a.el(id).Underlying().Set("hidden", !on)
}

func (a *app) on(id, event string, fn func(dom.Event)) {
	a.el(id).AddEventListener(event, false, fn)
}

// wire attaches the page's event handlers.
func (a *app) wire() {
	a.on("pull-form", "submit", func(ev dom.Event) {
		ev.PreventDefault()
		ref := strings.TrimSpace(a.el("ref-input").Underlying().Get("value").String())
		if ref == "" {
			return
		}
		go a.navigate(func(s *urlstate.State) {
			if s.Image != ref {
				*s = urlstate.State{Image: ref, Layer: -1}
			}
			a.asked = "" // pull again even if it is the same reference
		})
	})
	a.on("platform-select", "change", func(dom.Event) {
		p := a.el("platform-select").Underlying().Get("value").String()
		go a.navigate(func(s *urlstate.State) { s.Platform = p; s.Layer = -1 })
	})
	a.on("copy-link", "click", func(dom.Event) {
		link := a.el("copy-link").GetAttribute("data-link")
		if link == "" {
			return
		}
		if cb := js.Global().Get("navigator").Get("clipboard"); cb.Truthy() {
			cb.Call("writeText", link)
		}
		b := a.el("copy-link")
		b.SetTextContent("Copied ✓")
		time.AfterFunc(1500*time.Millisecond, func() { b.SetTextContent("Copy link") })
	})
	for _, v := range urlstate.Views {
		v := v
		a.on("tab-"+v, "click", func(dom.Event) {
			go a.navigate(func(s *urlstate.State) { s.View = v })
		})
	}
	a.on("show-deleted", "change", func(dom.Event) { go a.showDir(a.dir, true) })
	var searchTimer *time.Timer
	a.on("search-input", "input", func(dom.Event) {
		if searchTimer != nil {
			searchTimer.Stop()
		}
		searchTimer = time.AfterFunc(200*time.Millisecond, func() {
			q := strings.TrimSpace(a.el("search-input").Underlying().Get("value").String())
			a.search(q)
		})
	})
	a.on("cred-form", "submit", func(ev dom.Event) {
		ev.PreventDefault()
		host := a.el("cred-form").GetAttribute("data-host")
		user := a.el("cred-user").Underlying().Get("value").String()
		pass := a.el("cred-pass").Underlying().Get("value").String()
		a.el("cred-pass").Underlying().Set("value", "")
		a.creds = append(a.creds, msg.Credential{Host: host, User: user, Pass: pass})
		a.show("cred-form", false)
		a.asked = ""
		go a.apply(a.state)
	})
	a.win.AddEventListener("popstate", false, func(dom.Event) {
		go a.apply(urlstate.Parse(a.win.Location().Get("search").String()))
	})
	a.on("crumbs", "click", func(ev dom.Event) {
		t := ev.Target()
		if t == nil || t.GetAttribute("data-dir") == "" {
			return
		}
		ev.PreventDefault()
		d := t.GetAttribute("data-dir")
		go a.navigate(func(s *urlstate.State) { s.Path = d })
	})
	for _, id := range []string{"panel-manifest", "panel-layers", "panel-config"} {
		a.on(id, "click", func(ev dom.Event) { a.clickLink(ev) })
	}
}

// examples fills the datalist and the start screen.
func (a *app) examples() {
	var opts, items strings.Builder
	add := func(ref, title, desc string) {
		fmt.Fprintf(&opts, `<option value="%s">`, esc(ref))
		fmt.Fprintf(&items, `<li><a class="example" href="?image=%s">%s</a>`, esc(urlstate.State{Image: ref}.Format()[len("?image="):]), esc(ref))
		if title != "" || desc != "" {
			fmt.Fprintf(&items, ` <span class="muted">%s %s</span>`, esc(title), esc(desc))
		}
		items.WriteString("</li>")
	}
	for _, im := range a.info.Images {
		add(im.Ref, im.Title, im.Description)
	}
	if len(a.info.Images) > 0 {
		items.WriteString(`<li class="sep">public registries</li>`)
	}
	for _, ref := range Examples {
		add(ref, "", "")
	}
	a.el("examples").SetInnerHTML(opts.String())
	a.el("example-list").SetInnerHTML(items.String())
	a.el("example-list").AddEventListener("click", false, func(ev dom.Event) {
		t := ev.Target()
		if t == nil || !t.Class().Contains("example") {
			return
		}
		ev.PreventDefault()
		ref := t.TextContent()
		go a.navigate(func(s *urlstate.State) { *s = urlstate.State{Image: ref, Layer: -1} })
	})
	if !a.info.Relay {
		a.el("start-note").SetTextContent("This copy of the page has no relay: only registries that send CORS headers can be pulled.")
	}
}

// navigate changes the state, records it in the history and shows it.
func (a *app) navigate(change func(s *urlstate.State)) {
	s := a.state
	change(&s)
	if s != a.state {
		// dom/v2's Window.History is not implemented; use the global directly.
		js.Global().Get("history").Call("pushState", nil, "", a.locationFor(s))
	}
	a.apply(s)
}

// locationFor is the page URL for a state.
func (a *app) locationFor(s urlstate.State) string {
	q := s.Format()
	if q == "" {
		q = "?"
	}
	return a.win.Location().Get("pathname").String() + q
}

// apply makes the page show s, pulling first when s names another image or platform.
func (a *app) apply(s urlstate.State) {
	a.state = s
	a.el("ref-input").Underlying().Set("value", s.Image)
	if s.Image == "" {
		a.img, a.asked = nil, ""
		a.show("start", true)
		a.show("tabs", false)
		a.show("panels", false)
		a.show("progress", false)
		a.clearError()
		a.setStatus("idle", "ready")
		a.updateLink()
		return
	}
	a.show("start", false)
	if s.Image != a.asked || s.Platform != a.askedPlat {
		if !a.pull(s.Image, s.Platform) {
			return
		}
		if a.state != s { // the person navigated while we pulled
			return
		}
	}
	if a.img == nil {
		return
	}
	a.showView()
}

// pull pulls ref for platform and draws the image; it reports success.
func (a *app) pull(ref, platform string) bool {
	if a.pullID != 0 {
		a.c.cancel(a.pullID)
	}
	a.pullGen++
	gen := a.pullGen
	a.asked, a.askedPlat = ref, platform
	a.img = nil
	a.clearError()
	a.show("tabs", false)
	a.show("panels", false)
	a.show("progress", true)
	a.bars.reset()
	a.el("copy-link").SetAttribute("disabled", "")
	a.setStatus("pulling", "resolving "+ref+"…")
	start := time.Now()
	id, ch, err := a.c.start(msg.KindPull, msg.PullRequest{Ref: ref, Platform: platform, Credentials: a.creds}, func(p msg.Progress) {
		if gen != a.pullGen {
			return
		}
		a.bars.event(p)
		if p.Layer < 0 {
			switch {
			case p.Message != "":
				a.setStatus("pulling", p.Message)
			case p.Phase != "":
				a.setStatus("pulling", p.Phase+"…")
			}
		} else if p.Message != "" {
			a.setStatus("pulling", fmt.Sprintf("layer %d: %s", p.Layer, p.Message))
		}
	})
	if err != nil {
		a.showError(err)
		return false
	}
	a.pullID = id
	r := <-ch
	if gen != a.pullGen {
		return false
	}
	a.pullID = 0
	if err := r.env.Err(); err != nil {
		a.bars.failed(err)
		if len(a.bars.bars) == 0 {
			a.show("progress", false)
		}
		a.showError(err)
		return false
	}
	var img msg.PullResult
	if err := r.env.Decode(&img); err != nil {
		a.showError(err)
		return false
	}
	a.img = &img
	a.bars.finish(&img)
	a.setStatus("verified", fmt.Sprintf("✓ all %d digests verified · %d layers · %d files · %.1f s",
		img.Verified, len(img.Layers), img.Files, time.Since(start).Seconds()))
	a.drawImage()
	return true
}

// drawImage draws what does not depend on the state: platforms, layers, config, manifest.
func (a *app) drawImage() {
	img := a.img
	sel := a.el("platform-select")
	if len(img.Platforms) > 0 {
		var b strings.Builder
		for _, p := range img.Platforms {
			selected := ""
			if p == img.Platform {
				selected = " selected"
			}
			fmt.Fprintf(&b, `<option value="%s"%s>%s</option>`, esc(p), selected, esc(p))
		}
		sel.SetInnerHTML(b.String())
		sel.Underlying().Set("value", img.Platform)
		a.show("platform-select", true)
	} else {
		a.show("platform-select", false)
	}
	a.drawLayers()
	a.drawConfig()
	a.drawManifest()
	a.dir, a.file, a.searching = "", "", ""
	a.el("search-input").Underlying().Set("value", "")
	a.show("tabs", true)
	a.show("panels", true)
	a.el("copy-link").RemoveAttribute("disabled")
}

// showView shows the tab, path and layer the state asks for.
func (a *app) showView() {
	s := a.state
	view := s.View
	if view == "" {
		view = "files"
	}
	for _, v := range urlstate.Views {
		a.show("panel-"+v, v == view)
		if v == view {
			a.el("tab-" + v).Class().Add("active")
			a.el("tab-"+v).SetAttribute("aria-selected", "true")
		} else {
			a.el("tab-" + v).Class().Remove("active")
			a.el("tab-"+v).SetAttribute("aria-selected", "false")
		}
	}
	a.el("panels").SetAttribute("data-view", view)
	a.updateLink()
	switch view {
	case "files":
		a.showPath(s.Path)
	case "layers":
		a.selectLayer(s.Layer)
	}
}

// updateLink sets #copy-link's data-link: the current state, pinned to the digest.
func (a *app) updateLink() {
	s := a.state
	if a.img != nil {
		s.Image = a.img.Pinned
		if len(a.img.Platforms) > 0 {
			s.Platform = a.img.Platform
		}
	}
	loc := a.win.Location()
	link := loc.Get("origin").String() + a.locationFor(s)
	a.el("copy-link").SetAttribute("data-link", link)
}

func (a *app) setStatus(state, text string) {
	st := a.el("status")
	st.SetAttribute("data-state", state)
	st.SetTextContent(text)
	st.SetAttribute("title", text) // the whole text when the header is too narrow for it
}

func (a *app) clearError() {
	e := a.el("error")
	e.SetAttribute("data-kind", "")
	e.SetInnerHTML("")
	a.show("error", false)
	a.show("cred-form", false)
}

// showError explains a failure on the page.
func (a *app) showError(err error) {
	var info *msg.ErrorInfo
	if !errors.As(err, &info) {
		info = &msg.ErrorInfo{Kind: msg.ErrOther, Message: err.Error(), Layer: -1}
	}
	title := map[string]string{
		msg.ErrNotFound:     "Not found",
		msg.ErrUnauthorized: "Credentials required",
		msg.ErrRateLimited:  "Rate-limited",
		msg.ErrDigest:       "Verification failed",
		msg.ErrRelay:        "Registry unreachable from this page",
		msg.ErrMediaType:    "Unsupported media type",
		msg.ErrPlatform:     "Platform not offered",
		msg.ErrNoImage:      "No image",
	}[info.Kind]
	if title == "" {
		title = "Error"
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<strong>%s</strong> <span class="msg">%s</span>`, esc(title), esc(info.Message))
	if info.Kind == msg.ErrPlatform && len(info.Platforms) > 0 {
		b.WriteString(` <span class="plats">Offered:`)
		for _, p := range info.Platforms {
			fmt.Fprintf(&b, ` <a href="#" class="plat" data-platform="%s">%s</a>`, esc(p), esc(p))
		}
		b.WriteString(`</span>`)
	}
	e := a.el("error")
	e.SetAttribute("data-kind", info.Kind)
	e.SetInnerHTML(b.String())
	for _, p := range e.QuerySelectorAll("a.plat") {
		plat := p.GetAttribute("data-platform")
		p.AddEventListener("click", false, func(ev dom.Event) {
			ev.PreventDefault()
			go a.navigate(func(s *urlstate.State) { s.Platform = plat })
		})
	}
	a.show("error", true)
	if info.Kind == msg.ErrUnauthorized && info.Host != "" {
		a.el("cred-form").SetAttribute("data-host", info.Host)
		a.el("cred-host").SetTextContent(info.Host)
		a.show("cred-form", true)
	}
	a.setStatus("error", title)
}
