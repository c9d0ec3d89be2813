//go:build js

package view

import (
	"strconv"

	"honnef.co/go/js/dom/v2"

	"github.com/regscope/regscope/wasm/msg"
	"github.com/regscope/regscope/wasm/urlstate"
)

// mountTabs makes a tab (#tab-NAME in #tab-list) and a panel (#panel-NAME
// in #panels, unless index.html has it) for every view, and mounts each.
func (p *Page) mountTabs() {
	list := p.el("tab-list")
	p.tabs = p.views()
	for _, v := range p.tabs {
		name := v.Name()
		tab := button(v.Label(), "id", "tab-"+name, "role", "tab", "aria-selected", "false",
			"aria-controls", "panel-"+name, "tabindex", "-1")
		list.AppendChild(tab)
		listen(p.loop, tab, "click", func(dom.Event) {
			p.navigate(func(s *urlstate.State) { s.View = name })
		})
		panel, _ := p.doc.GetElementByID("panel-" + name).(dom.HTMLElement)
		if panel == nil {
			panel = elem("section", "id", "panel-"+name, "hidden", "")
			p.el("panels").AppendChild(panel)
		}
		panel.SetAttribute("role", "tabpanel")
		panel.SetAttribute("aria-labelledby", "tab-"+name)
		v.Mount(panel)
	}
	listen(p.loop, list, "keydown", func(ev dom.Event) { p.tabKey(ev) })
}

// tabKey moves between tabs with ← and → (the ARIA tabs pattern).
func (p *Page) tabKey(ev dom.Event) {
	step := map[string]int{"ArrowLeft": -1, "ArrowRight": 1}[ev.Underlying().Get("key").String()]
	if step == 0 || p.cur == nil {
		return
	}
	for i, v := range p.tabs {
		if v == p.cur {
			next := p.tabs[(i+step+len(p.tabs))%len(p.tabs)].Name()
			p.navigate(func(s *urlstate.State) { s.View = next })
			p.el("tab-" + next).Focus()
			return
		}
	}
}

// view is the registered view s names (the first, files, by default).
func (p *Page) view(s urlstate.State) View {
	for _, v := range p.tabs {
		if v.Name() == s.View {
			return v
		}
	}
	return p.tabs[0]
}

// apply makes the page show s: the start screen, a pull, or a view of the
// image pulled for s.
func (p *Page) apply(s urlstate.State) {
	p.header.show(s)
	if s.Local != "" {
		p.applyLocal(s)
		return
	}
	if s.Image == "" {
		p.pull.stop()
		p.showImage(false)
		setHidden(p.el("start"), false)
		p.status.clearError()
		p.status.set("idle", "ready")
		p.header.setLink(s)
		return
	}
	setHidden(p.el("start"), true)
	if !p.pull.has(s.Image, s.Platform) {
		p.pull.start(s.Image, s.Platform)
		return // shown when the pull ends
	}
	if p.pull.img != nil || p.pull.merged != nil {
		p.render(s)
	}
}

// partial shows the layers merged so far of a pull still going on: on the
// first merge the tabs open (the files view draws what is merged; the
// others wait for the whole image), on later ones the files view refreshes
// in place.
func (p *Page) partial(m msg.Merged, first bool) {
	for _, v := range p.tabs {
		if f, ok := v.(*filesView); ok {
			f.merged(m)
		}
	}
	if first {
		p.showImage(true)
		p.render(p.router.state)
	}
}

// loaded hands a freshly pulled image to every view and shows the state,
// giving the browser its thread between views (each draws in a task of its
// own; the loop runs nothing else meanwhile).
func (p *Page) loaded(img *msg.PullResult) {
	p.header.platforms(img)
	for _, v := range p.tabs {
		yieldToBrowser() // each view's drawing is a task of its own
		v.Load(img)
	}
	yieldToBrowser()
	p.showImage(true)
	p.render(p.router.state)
}

// showImage shows or hides the tabs and panels.
func (p *Page) showImage(on bool) {
	setHidden(p.el("tabs"), !on)
	setHidden(p.el("panels"), !on)
	if !on {
		for _, v := range p.tabs {
			v.Load(nil)
		}
	}
}

// render selects the view s names and has it draw s.
func (p *Page) render(s urlstate.State) {
	cur := p.view(s)
	p.cur = cur
	for _, v := range p.tabs {
		on := v == cur
		tab := p.el("tab-" + v.Name())
		setHidden(p.el("panel-"+v.Name()), !on)
		tab.SetAttribute("aria-selected", strconv.FormatBool(on))
		tab.SetAttribute("tabindex", map[bool]string{true: "0", false: "-1"}[on])
		if on {
			tab.Class().Add("active")
		} else {
			tab.Class().Remove("active")
		}
	}
	p.el("panels").SetAttribute("data-view", cur.Name())
	p.header.setLink(s)
	cur.Show(s)
}
