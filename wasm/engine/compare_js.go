//go:build js

package engine

import (
	"errors"

	"github.com/regscope/regscope/pkg/diff"
	"github.com/regscope/regscope/wasm/msg"
)

// comparison answers the Compare view's requests.
func (w *worker) comparison(e msg.Envelope) {
	switch e.Kind {
	case msg.KindCompare:
		decoded(w, e, func(req msg.CompareRequest) { w.compare(e.ID, req) })
	case msg.KindDiff:
		r, err := w.cmp.Diff()
		respond(w, e.ID, r, err)
	case msg.KindDiffContent:
		answer(w, e, w.cmp.DiffContent)
	}
}

// compare pulls A and B together, as pull does for one image: A becomes
// the current image and B is kept with the comparison.
func (w *worker) compare(id int64, req msg.CompareRequest) {
	ctx, cancel := w.begin(id, req.Credentials)
	defer cancel()
	domain := domainOf(req.Ref)
	a, b, res, err := Compare(ctx, req, w.options(id, domain, ""), w.options(id, domainOf(req.Compare), "B"))
	var side *diff.SideError
	if errors.As(err, &side) && side.Side == "B" {
		domain = domainOf(req.Compare) // credentials are asked for B's registry
	}
	if !w.end(id, err, domain) {
		return
	}
	w.eng.SetImage(a)
	w.cmp.Set(a, b, res)
	w.reply(id, Summary(a))
}
