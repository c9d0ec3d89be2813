//go:build js

package engine

import (
	"context"
	"time"

	"github.com/regscope/regscope/pkg/layers"
	"github.com/regscope/regscope/pkg/pull"
	"github.com/regscope/regscope/wasm/msg"
)

// materialise returns c's verified content. The content of a layer listed
// from its kept index is read from the layer's blob again and verified the
// first time it is asked for; that read's progress is posted as progress
// of read request id (at most every progressEvery, and its first and last
// events), and its failure is the read's.
func (w *worker) materialise(id int64, c layers.Content) (layers.Content, error) {
	m, ok := c.(pull.Materialiser)
	if !ok {
		return c, nil
	}
	var last time.Time
	return m.Materialise(context.Background(), func(ev pull.Event) {
		now := time.Now()
		if ev.State == pull.Downloading && ev.Message == "" && ev.Done != ev.Total && now.Sub(last) < progressEvery {
			return
		}
		last = now
		p := msg.Progress{Phase: ev.Phase, Layer: ev.Layer, Digest: string(ev.Digest), State: string(ev.State),
			Done: ev.Done, Total: ev.Total, Message: ev.Message}
		if env, err := msg.New(id, msg.KindProgress, p); err == nil {
			msg.Post(w.self, env)
		}
	})
}
