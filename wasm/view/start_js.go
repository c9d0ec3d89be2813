//go:build js

package view

import (
	"strings"

	"honnef.co/go/js/dom/v2"

	"github.com/regscope/regscope/wasm/urlstate"
)

// examples are well-known public images offered beside the server's demo images.
func examples() []string {
	return []string{
		"docker.io/library/alpine:3.20",
		"docker.io/library/debian:12",
		"ghcr.io/containerd/busybox:1.36",
		"gcr.io/distroless/static-debian12:latest",
		"quay.io/prometheus/busybox:latest",
	}
}

// start is the start screen: the images opened recently (kept in
// localStorage, with a way to clear them), the server's demo images and
// well-known public ones, as links, and the reference box's suggestions.
type start struct {
	p      *Page
	recent recentStore
}

func newStart(p *Page) *start {
	s := &start{p: p}
	s.drawRecent(s.recent.load())
	p.on("recent-clear", "click", func(dom.Event) {
		s.recent.clear()
		s.drawRecent(nil)
	})
	opts, list := p.el("examples"), p.el("example-list")
	for _, im := range p.info.Images {
		opts.AppendChild(elem("option", "value", im.Ref))
		list.AppendChild(s.item(im.Ref, im.Title+" "+im.Description))
	}
	if len(p.info.Images) > 0 {
		list.AppendChild(textEl("li", "public registries", "class", "sep"))
	}
	for _, ref := range examples() {
		opts.AppendChild(elem("option", "value", ref))
		list.AppendChild(s.item(ref, ""))
	}
	if !p.info.Relay {
		p.el("start-where").SetTextContent("Type a reference above, or pick one. The whole docker pull runs in this tab, and every digest is verified before a file is shown. This copy of the page has no relay: only registries that send CORS headers can be pulled. A docker save tarball or an OCI layout tar can be dropped on the page or opened with “Open a file…”: it is read in this tab and never uploaded.")
	}
	return s
}

// opened records ref as opened (after a pull succeeded).
func (s *start) opened(ref string) { s.drawRecent(s.recent.add(ref)) }

// drawRecent lists refs (hidden when there are none).
func (s *start) drawRecent(refs []string) {
	list := s.p.el("recent-list")
	list.SetTextContent("")
	for _, ref := range refs {
		list.AppendChild(s.item(ref, ""))
	}
	setHidden(s.p.el("recent-box"), len(refs) == 0)
}

// item is one image to open: a real link (it works in a new tab too) that
// the page follows itself.
func (s *start) item(ref, note string) dom.Element {
	st := urlstate.State{Image: ref, Layer: -1}
	a := textEl("a", ref, "class", "example", "href", s.p.router.location(st))
	a.AddEventListener("click", false, func(ev dom.Event) {
		if ev.Underlying().Get("ctrlKey").Bool() || ev.Underlying().Get("metaKey").Bool() {
			return // a new tab
		}
		ev.PreventDefault()
		s.p.loop.post(func() { s.p.navigate(func(cur *urlstate.State) { *cur = st }) })
	})
	li := add(elem("li"), a)
	if strings.TrimSpace(note) != "" {
		addText(li, " ")
		li.AppendChild(span("muted", note))
	}
	return li
}
