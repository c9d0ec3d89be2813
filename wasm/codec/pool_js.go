//go:build js

package codec

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"syscall/js"
	"time"

	"github.com/regscope/regscope/pkg/layers"
)

// StartTimeout is how long Start waits for every worker to say it is ready
// (hash-wasm loaded, DecompressionStream present).
const StartTimeout = 20 * time.Second

// Pool is a set of codec workers; its Codec hashes and inflates in them.
// It is safe for concurrent use.
type Pool struct {
	workers []*worker

	mu      sync.Mutex
	streams map[int64]receiver // open streams by id
	next    int64
	spare   []js.Value // Uint8Array(ChunkSize) input buffers given back by the workers

	opened, bytesIn, fallbacks atomic.Int64
}

// receiver is one open stream, told of each message its worker sends
// about it (op and the message), or that its worker failed.
type receiver interface {
	receive(op string, m js.Value)
	fail(err error)
	on(w *worker) bool
}

// worker is one codec worker.
type worker struct {
	js        js.Value
	onMessage js.Func
	onError   js.Func
	load      int         // streams open on it; under Pool.mu
	ready     chan error  // its start-up answer
	dead      atomic.Bool // it failed after starting
	started   atomic.Bool // ready was answered
}

// Start starts n codec workers from the script at url (codec.js, resolved
// against the page) and waits until each says it is ready. It fails, with
// every worker it started terminated, when one cannot be created or does not
// start within StartTimeout.
func Start(ctx context.Context, url string, n int) (_ *Pool, err error) {
	p := &Pool{streams: map[int64]receiver{}}
	defer func() {
		if r := recover(); r != nil { // new Worker threw (no Worker, a policy)
			err = fmt.Errorf("codec workers: %v", r)
		}
		if err != nil {
			p.Close()
		}
	}()
	ctor := js.Global().Get("Worker")
	if ctor.Type() != js.TypeFunction {
		return nil, errors.New("codec workers: this browser has no Worker in workers")
	}
	for i := 0; i < n; i++ {
		w := &worker{ready: make(chan error, 1)}
		w.onMessage = js.FuncOf(func(this js.Value, args []js.Value) any {
			p.dispatch(w, args[0].Get("data"))
			return nil
		})
		w.onError = js.FuncOf(func(this js.Value, args []js.Value) any {
			m := "codec workers: " + url + " did not start (not found, or refused)"
			if w.started.Load() {
				m = "codec workers: a worker failed"
			}
			if len(args) > 0 && args[0].Get("message").Truthy() {
				m += ": " + args[0].Get("message").String()
			}
			p.failWorker(w, errors.New(m))
			return nil
		})
		p.workers = append(p.workers, w)
		w.js = ctor.New(url)
		w.js.Set("onmessage", w.onMessage)
		w.js.Set("onerror", w.onError)
	}
	ctx, cancel := context.WithTimeout(ctx, StartTimeout)
	defer cancel()
	for _, w := range p.workers {
		select {
		case err := <-w.ready:
			if err != nil {
				return nil, err
			}
		case <-ctx.Done():
			return nil, fmt.Errorf("codec workers: not ready after %v", StartTimeout)
		}
	}
	return p, nil
}

// answer gives Start w's start-up answer; only the first counts.
func (w *worker) answer(err error) {
	select {
	case w.ready <- err:
	default:
	}
}

// Close terminates the workers; streams still open fail.
func (p *Pool) Close() {
	for _, w := range p.workers {
		if w.js.Truthy() {
			w.js.Call("terminate")
		}
		p.failWorker(w, errors.New("codec workers: closed"))
		w.onMessage.Release()
		w.onError.Release()
	}
}

// Workers is the number of codec workers.
func (p *Pool) Workers() int { return len(p.workers) }

// Stats counts what the pool has done.
type Stats struct {
	Streams   int64 // hashes and gunzips opened
	BytesIn   int64 // bytes written into them
	Fallbacks int64 // gunzips that failed over to Go's reader (layers.ErrGunzipFallback)
}

// Stats returns the pool's counts so far.
func (p *Pool) Stats() Stats {
	return Stats{Streams: p.opened.Load(), BytesIn: p.bytesIn.Load(), Fallbacks: p.fallbacks.Load()}
}

// Codec is the pool as a layers.Codec.
func (p *Pool) Codec() layers.Codec {
	return layers.Codec{SHA256: p.SHA256, Gunzip: p.Gunzip}
}

// dispatch handles one message of worker w (on the JavaScript callback: it
// never blocks).
func (p *Pool) dispatch(w *worker, m js.Value) {
	op := m.Get("op").String()
	var id int64
	if v := m.Get("id"); v.Type() == js.TypeNumber {
		id = int64(v.Int())
	}
	switch {
	case op == "ready":
		w.started.Store(true)
		w.answer(nil)
		return
	case op == "error" && id == 0:
		w.answer(fmt.Errorf("codec workers: %s", m.Get("message").String()))
		return
	case op == "ack":
		p.putBuffer(m.Get("data"))
	}
	p.mu.Lock()
	r := p.streams[id]
	p.mu.Unlock()
	if r != nil {
		r.receive(op, m)
	}
}

// failWorker fails every stream open on w; a worker that had not started
// yet fails Start.
func (p *Pool) failWorker(w *worker, err error) {
	if !w.started.Load() {
		w.answer(err)
		return
	}
	w.dead.Store(true)
	p.mu.Lock()
	var failed []receiver
	for _, r := range p.streams {
		if r.on(w) {
			failed = append(failed, r)
		}
	}
	p.mu.Unlock()
	for _, r := range failed {
		r.fail(err)
	}
}

// open registers r (made by mk with its worker and id) as a new stream of
// kind on the least loaded worker.
func (p *Pool) open(kind string, mk func(w *worker, id int64) receiver) receiver {
	p.mu.Lock()
	var w *worker
	for _, c := range p.workers {
		if c.dead.Load() {
			continue
		}
		if w == nil || c.load < w.load {
			w = c
		}
	}
	if w == nil {
		w = p.workers[0] // all failed: the stream fails at once below
	}
	p.next++
	id := p.next
	w.load++
	r := mk(w, id)
	p.streams[id] = r
	p.mu.Unlock()
	p.opened.Add(1)
	post(w, id, "open", func(o js.Value) { o.Set("kind", kind) })
	if w.dead.Load() {
		r.fail(errors.New("codec workers: every worker failed"))
	}
	return r
}

// done unregisters s.
func (p *Pool) done(s *stream) {
	p.mu.Lock()
	delete(p.streams, s.id)
	p.unload(s)
	p.mu.Unlock()
}

// unload takes s off its worker's load, once; p.mu is held.
func (p *Pool) unload(s *stream) {
	if s.loaded {
		s.loaded = false
		s.w.load--
	}
}

// buffer returns a Uint8Array of ChunkSize for input: one a worker gave
// back, or a new one.
func (p *Pool) buffer() js.Value {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.spare); n > 0 {
		b := p.spare[n-1]
		p.spare = p.spare[:n-1]
		return b
	}
	return js.Global().Get("Uint8Array").New(ChunkSize)
}

// putBuffer keeps an input buffer a worker gave back, up to what the
// streams in flight can use.
func (p *Pool) putBuffer(b js.Value) {
	if b.Type() != js.TypeObject || b.Get("length").Int() != ChunkSize {
		return
	}
	p.mu.Lock()
	if len(p.spare) < InFlight*2*len(p.workers) {
		p.spare = append(p.spare, b)
	}
	p.mu.Unlock()
}

// post sends {op, id, …} to w; set adds fields. The message's data, when
// set adds one, is transferred.
func post(w *worker, id int64, op string, set func(o js.Value)) {
	o := js.Global().Get("Object").New()
	o.Set("op", op)
	o.Set("id", float64(id))
	if set != nil {
		set(o)
	}
	if d := o.Get("data"); d.Truthy() {
		w.js.Call("postMessage", o, []any{d.Get("buffer")})
		return
	}
	w.js.Call("postMessage", o)
}
