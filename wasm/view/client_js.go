//go:build js

package view

import (
	"sync"
	"syscall/js"

	"github.com/regscope/regscope/wasm/msg"
)

// reply is an engine answer: the envelope (body only) and any bytes, kept
// as a JavaScript ArrayBuffer.
type reply struct {
	env  msg.Envelope
	data js.Value
}

type call struct {
	ch       chan reply
	progress func(msg.Progress)
}

// client sends requests to the engine and routes its answers back.
// Callers block, so call it from goroutines, never from a JS callback itself.
type client struct {
	worker js.Value

	mu      sync.Mutex
	next    int64
	pending map[int64]*call
	ready   chan struct{}
	onFatal func(error)
}

func newClient(worker js.Value, onFatal func(error)) *client {
	c := &client{worker: worker, pending: map[int64]*call{}, ready: make(chan struct{}), onFatal: onFatal}
	worker.Set("onmessage", js.FuncOf(func(this js.Value, args []js.Value) any {
		d := args[0].Get("data")
		e := msg.Envelope{ID: int64(d.Get("id").Float()), Kind: msg.Kind(d.Get("kind").String())}
		if b := d.Get("body"); b.Type() == js.TypeString {
			e.Body = []byte(b.String())
		}
		c.dispatch(e, d.Get("data"))
		return nil
	}))
	worker.Set("onerror", js.FuncOf(func(this js.Value, args []js.Value) any {
		m := "the engine (Web Worker) failed"
		if len(args) > 0 && args[0].Get("message").Truthy() {
			m += ": " + args[0].Get("message").String()
		}
		go c.onFatal(&msg.ErrorInfo{Kind: msg.ErrOther, Message: m, Layer: -1})
		return nil
	}))
	return c
}

func (c *client) dispatch(e msg.Envelope, data js.Value) {
	if e.Kind == msg.KindReady {
		select {
		case <-c.ready:
		default:
			close(c.ready)
		}
		return
	}
	c.mu.Lock()
	k := c.pending[e.ID]
	if k != nil && e.Kind != msg.KindProgress {
		delete(c.pending, e.ID)
	}
	c.mu.Unlock()
	if k == nil {
		if e.ID == 0 && e.Kind == msg.KindError { // the worker could not start Go
			go c.onFatal(e.Err())
		}
		return
	}
	if e.Kind == msg.KindProgress {
		if k.progress != nil {
			var p msg.Progress
			if e.Decode(&p) == nil {
				k.progress(p)
			}
		}
		return
	}
	k.ch <- reply{env: e, data: data}
}

// start sends a request and returns its id and the channel its answer arrives on.
func (c *client) start(kind msg.Kind, req any, progress func(msg.Progress)) (int64, chan reply, error) {
	c.mu.Lock()
	c.next++
	id := c.next
	k := &call{ch: make(chan reply, 1), progress: progress}
	c.pending[id] = k
	c.mu.Unlock()
	e, err := msg.New(id, kind, req)
	if err != nil {
		return 0, nil, err
	}
	msg.Post(c.worker, e)
	return id, k.ch, nil
}

// do sends a request, waits for its answer and decodes it into resp.
func (c *client) do(kind msg.Kind, req, resp any) (js.Value, error) {
	_, ch, err := c.start(kind, req, nil)
	if err != nil {
		return js.Undefined(), err
	}
	r := <-ch
	if err := r.env.Err(); err != nil {
		return js.Undefined(), err
	}
	if resp != nil {
		if err := r.env.Decode(resp); err != nil {
			return js.Undefined(), err
		}
	}
	return r.data, nil
}

func (c *client) cancel(id int64) {
	if e, err := msg.New(0, msg.KindCancel, msg.CancelRequest{ID: id}); err == nil {
		msg.Post(c.worker, e)
	}
}
