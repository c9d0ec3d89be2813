//go:build js

package view

import (
	"errors"

	"honnef.co/go/js/dom/v2"

	"github.com/regscope/regscope/wasm/msg"
	"github.com/regscope/regscope/wasm/urlstate"
)

// status owns #status (one state word in data-state and a line of text,
// announced by screen readers), the error box and the credentials form.
type status struct {
	p    *Page
	line dom.HTMLElement
	box  dom.HTMLElement
	cred dom.HTMLElement
}

func newStatus(p *Page) *status {
	st := &status{p: p, line: p.el("status"), box: p.el("error"), cred: p.el("cred-form")}
	p.on("cred-form", "submit", func(dom.Event) {
		pass := p.el("cred-pass")
		c := msg.Credential{Host: st.cred.GetAttribute("data-host"), User: value(p.el("cred-user")), Pass: value(pass)}
		setValue(pass, "")
		setHidden(st.cred, true)
		p.pull.credential(c)
	})
	return st
}

// set shows the state word (a #status[data-state] value: "loading", "idle",
// "pulling", "verified", "error") and its text.
func (st *status) set(state, text string) {
	st.line.SetAttribute("data-state", state)
	st.line.SetTextContent(text)
	st.line.SetAttribute("title", text) // the whole text when the header is too narrow for it
}

func (st *status) clearError() {
	st.box.SetAttribute("data-kind", "")
	st.box.SetTextContent("")
	setHidden(st.box, true)
	setHidden(st.cred, true)
}

// showError explains a failure: one sentence saying what happened and what
// to do (internal/advice's, as the CLI prints it), then the technical
// detail in a disclosure.
func (st *status) showError(err error) {
	var info *msg.ErrorInfo
	if !errors.As(err, &info) {
		info = &msg.ErrorInfo{Kind: msg.ErrOther, Message: err.Error(), Layer: -1}
	}
	title := errorTitle(info.Kind)
	sentence, detail := info.Summary, info.Message
	if sentence == "" {
		sentence, detail = info.Message, ""
	}
	fill(st.box, textEl("p", sentence, "class", "err-sentence"))
	if info.Kind == msg.ErrPlatform && len(info.Platforms) > 0 {
		st.box.AppendChild(st.platforms(info.Platforms))
	}
	if detail != "" {
		st.box.AppendChild(add(elem("details", "class", "err-detail"), textEl("summary", "Technical detail"),
			textEl("p", detail, "class", "mono")))
	}
	st.box.SetAttribute("data-kind", info.Kind)
	setHidden(st.box, false)
	if info.Kind == msg.ErrUnauthorized && info.Host != "" {
		st.cred.SetAttribute("data-host", info.Host)
		st.p.el("cred-host").SetTextContent(info.Host)
		setHidden(st.cred, false)
	}
	st.set("error", title)
}

// platforms offers the platforms an index has, as links that pull them.
func (st *status) platforms(ps []string) dom.Element {
	box := add(elem("p", "class", "plats"), textNode("Offered:"))
	for _, pl := range ps {
		a := link(pl, "class", "plat", "data-platform", pl)
		listen(st.p.loop, a, "click", func(dom.Event) {
			st.p.navigate(func(s *urlstate.State) { s.Platform = pl })
		})
		addText(box, " ")
		box.AppendChild(a)
	}
	return box
}
