//go:build js

package view

import (
	"strings"
	"time"

	"honnef.co/go/js/dom/v2"

	"github.com/regscope/regscope/wasm/msg"
	"github.com/regscope/regscope/wasm/urlstate"
)

// header is the page's top bar: the reference box, the platform chooser,
// Pull and Copy link. It owns the link #copy-link copies.
type header struct {
	p    *Page
	copy dom.HTMLElement
}

func newHeader(p *Page) *header {
	h := &header{p: p, copy: p.el("copy-link")}
	p.on("pull-form", "submit", func(dom.Event) {
		ref := strings.TrimSpace(value(p.el("ref-input")))
		if ref == "" {
			return
		}
		if ref == p.state().Image {
			p.pull.forget() // pull again even if it is the same reference
		}
		p.navigate(func(s *urlstate.State) {
			if s.Image != ref {
				*s = urlstate.State{Image: ref, Layer: -1}
			}
		})
	})
	p.on("platform-select", "change", func(dom.Event) {
		plat := value(p.el("platform-select"))
		p.navigate(func(s *urlstate.State) { s.Platform = plat; s.Layer = -1 })
	})
	p.on("copy-link", "click", func(dom.Event) {
		if p.state().Local != "" {
			h.copy.SetTextContent(localNotShareable)
			return
		}
		if l := h.copy.GetAttribute("data-link"); l != "" {
			copyText(l)
			h.copy.SetTextContent("Copied ✓")
			time.AfterFunc(1500*time.Millisecond, func() {
				p.loop.post(func() { h.copy.SetTextContent("Copy link") })
			})
		}
	})
	return h
}

// show puts s's reference in the reference box.
func (h *header) show(s urlstate.State) {
	setValue(h.p.el("ref-input"), s.Image)
}

// platforms offers the platforms of img's index (hidden for a single image).
func (h *header) platforms(img *msg.PullResult) {
	sel := h.p.el("platform-select")
	sel.SetTextContent("")
	for _, pl := range img.Platforms {
		o := textEl("option", pl, "value", pl)
		if pl == img.Platform {
			o.SetAttribute("selected", "")
		}
		sel.AppendChild(o)
	}
	setValue(sel, img.Platform)
	setHidden(sel, len(img.Platforms) == 0)
}

// setLink sets #copy-link's data-link: s, pinned to the pulled digest.
func (h *header) setLink(s urlstate.State) {
	img := h.p.image()
	if s.Local != "" {
		h.copy.RemoveAttribute("disabled") // so that it can say why there is no link
		h.copy.SetTextContent("Copy link")
		h.copy.SetAttribute("data-link", "")
		h.copy.SetAttribute("title", localNotShareable+": it stays in this tab; share the file itself")
		return
	}
	h.copy.SetAttribute("title", "copy a link to this view, pinned to the digest")
	if img == nil {
		h.copy.SetAttribute("disabled", "")
	} else {
		h.copy.RemoveAttribute("disabled")
		s.Image = img.Pinned
		if len(img.Platforms) > 0 {
			s.Platform = img.Platform
		}
		h.p.pinCompare(&s)
	}
	h.copy.SetAttribute("data-link", h.p.router.link(s))
}
