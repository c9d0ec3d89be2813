//go:build js

package view

import (
	"syscall/js"

	"honnef.co/go/js/dom/v2"

	"github.com/regscope/regscope/wasm/urlstate"
)

// router owns the URL state: it is the only thing that reads or writes the
// address bar and the history. Every change goes through navigate (a new
// history entry) or arrives with popstate (back/forward), and then reaches
// the page through onChange.
type router struct {
	win      dom.Window
	state    urlstate.State
	onChange func(urlstate.State)
}

func newRouter(l *loop, onChange func(urlstate.State)) *router {
	r := &router{win: dom.GetWindow(), onChange: onChange}
	r.state = urlstate.Parse(r.win.Location().Get("search").String())
	r.win.AddEventListener("popstate", false, func(dom.Event) {
		l.post(func() {
			r.state = urlstate.Parse(r.win.Location().Get("search").String())
			r.onChange(r.state)
		})
	})
	return r
}

// navigate changes the state, records it in the history and shows it.
func (r *router) navigate(change func(s *urlstate.State)) {
	s := r.state
	change(&s)
	s.Relay = r.state.Relay // the relay the page runs with, whatever the change
	if s != r.state {
		// dom/v2's Window.History is not implemented; use the global directly.
		js.Global().Get("history").Call("pushState", nil, "", r.location(s))
	}
	r.state = s
	r.onChange(s)
}

// location is the page's path and query for s.
func (r *router) location(s urlstate.State) string {
	q := s.Format()
	if q == "" {
		q = "?"
	}
	return r.win.Location().Get("pathname").String() + q
}

// link is the absolute URL of s.
func (r *router) link(s urlstate.State) string {
	return r.win.Location().Get("origin").String() + r.location(s)
}
