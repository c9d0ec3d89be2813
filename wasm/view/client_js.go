//go:build js

package view

import (
	"syscall/js"

	"github.com/regscope/regscope/wasm/msg"
)

// reply is an engine answer: the envelope (body only) and any bytes, kept
// as a JavaScript ArrayBuffer.
type reply struct {
	env  msg.Envelope
	data js.Value
}

// err is the engine's error, or nil for a result.
func (r reply) err() error { return r.env.Err() }

// decode decodes a result's body into v (the engine's error, if it sent one).
func (r reply) decode(v any) error {
	if err := r.env.Err(); err != nil {
		return err
	}
	return r.env.Decode(v)
}

type call struct {
	done     func(reply)
	progress func(msg.Progress)
	merged   func(msg.Merged) // a progressive pull's layers as they merge; nil: ignored
}

// client sends requests to the engine and delivers its answers on the
// loop. It owns the table of requests in flight; nothing else does.
type client struct {
	loop    *loop
	worker  js.Value
	next    int64
	pending map[int64]*call
	onReady func()
	onFatal func(error)
}

func newClient(l *loop, worker js.Value, onReady func(), onFatal func(error)) *client {
	c := &client{loop: l, worker: worker, pending: map[int64]*call{}, onReady: onReady, onFatal: onFatal}
	onMessage := js.FuncOf(func(this js.Value, args []js.Value) any {
		d := args[0].Get("data")
		e := msg.Envelope{ID: int64(d.Get("id").Float()), Kind: msg.Kind(d.Get("kind").String())}
		if b := d.Get("body"); b.Type() == js.TypeString {
			e.Body = []byte(b.String())
		}
		data := d.Get("data")
		if f := msg.File(d); f.Truthy() { // an export's File (msg.KindExport)
			data = f
		}
		l.post(func() { c.dispatch(e, data) })
		return nil
	})
	worker.Set("onmessage", onMessage)
	// The engine starts beside the view and may be ready first: boot.js
	// keeps what it sent until now (a message with no listener is lost).
	if boot := js.Global().Get("regscope"); boot.Truthy() && boot.Get("early").Truthy() {
		early := boot.Get("early")
		boot.Set("early", js.Null())
		for i := 0; i < early.Length(); i++ {
			onMessage.Invoke(early.Index(i))
		}
	}
	worker.Set("onerror", js.FuncOf(func(this js.Value, args []js.Value) any {
		m := "the engine (Web Worker) failed"
		if len(args) > 0 && args[0].Get("message").Truthy() {
			m += ": " + args[0].Get("message").String()
		}
		l.post(func() { c.onFatal(&msg.ErrorInfo{Kind: msg.ErrOther, Message: m, Layer: -1}) })
		return nil
	}))
	return c
}

// dispatch routes one engine message (on the loop).
func (c *client) dispatch(e msg.Envelope, data js.Value) {
	if e.Kind == msg.KindReady {
		if c.onReady != nil {
			c.onReady()
			c.onReady = nil
		}
		return
	}
	k := c.pending[e.ID]
	if k == nil {
		if e.ID == 0 && e.Kind == msg.KindError { // the worker could not start Go
			c.onFatal(e.Err())
		}
		return
	}
	if e.Kind == msg.KindProgress {
		var p msg.Progress
		if k.progress != nil && e.Decode(&p) == nil {
			k.progress(p)
		}
		return
	}
	if e.Kind == msg.KindMerged {
		var m msg.Merged
		if k.merged != nil && e.Decode(&m) == nil {
			k.merged(m)
		}
		return
	}
	delete(c.pending, e.ID)
	k.done(reply{env: e, data: data})
}

// ask sends a request; done runs on the loop with the answer, progress
// (optional) with each progress event before it. It returns the request's
// id, for cancel.
func (c *client) ask(kind msg.Kind, req any, progress func(msg.Progress), done func(reply)) int64 {
	return c.askFile(kind, req, js.Undefined(), progress, done)
}

// askFile is ask with a JavaScript File sent beside the request (a local
// image, msg.KindLocal); undefined sends none.
func (c *client) askFile(kind msg.Kind, req any, file js.Value, progress func(msg.Progress), done func(reply)) int64 {
	c.next++
	id := c.next
	e, err := msg.New(id, kind, req)
	if err != nil {
		c.loop.post(func() { done(reply{env: errorEnvelope(id, err)}) })
		return id
	}
	c.pending[id] = &call{done: done, progress: progress}
	if file.Truthy() {
		msg.PostFile(c.worker, e, file)
	} else {
		msg.Post(c.worker, e)
	}
	return id
}

// onMerged makes fn receive the msg.Merged events of pull id (on the loop),
// each time a layer is verified and merged: the engine then answers about
// the image so far.
func (c *client) onMerged(id int64, fn func(msg.Merged)) {
	if k := c.pending[id]; k != nil {
		k.merged = fn
	}
}

// cancel cancels request id; its done function is never called.
func (c *client) cancel(id int64) {
	if c.pending[id] == nil {
		return
	}
	delete(c.pending, id)
	if e, err := msg.New(0, msg.KindCancel, msg.CancelRequest{ID: id}); err == nil {
		msg.Post(c.worker, e)
	}
}

// errorEnvelope carries a local failure as if the engine had sent it.
func errorEnvelope(id int64, err error) msg.Envelope {
	e, _ := msg.New(id, msg.KindError, &msg.ErrorInfo{Kind: msg.ErrOther, Message: err.Error(), Layer: -1})
	return e
}
