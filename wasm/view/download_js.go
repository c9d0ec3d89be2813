//go:build js

package view

import (
	"errors"
	"path"
	"strconv"
	"syscall/js"

	"github.com/regscope/regscope/wasm/msg"
)

// Downloads of at least streamAt bytes go through the download service
// worker (web/static/download-sw.js) as a stream of streamChunk-byte reads
// from the engine: the browser writes them to disk as they come, and
// neither the page nor the browser holds the file whole. Smaller files,
// and browsers without service workers, take the one-answer path.
const (
	streamAt    = 16 << 20
	streamChunk = 4 << 20
)

// downloadScope is where the download service worker answers, relative to
// the page (a static copy may live under any path).
const downloadScope = "download/"

// streamDownload downloads p through the download service worker when it
// is at least streamAt bytes (size is the listing's; the engine's first
// answer gives the content's own size, which the download declares); done
// is called once the browser has the last chunk or the download failed.
// It returns false, calling nothing, when the browser offers no service
// worker.
func (v *viewer) streamDownload(p string, size int64, done func(error)) bool {
	sw := js.Global().Get("navigator").Get("serviceWorker")
	if size < streamAt || !sw.Truthy() {
		return false
	}
	opts := js.Global().Get("Object").New()
	opts.Set("scope", downloadScope)
	then(v.p.loop, sw.Call("register", "download-sw.js", opts), func(reg js.Value) {
		whenActive(v.p.loop, reg, func(worker js.Value) {
			v.readChunk(p, 0, func(first js.Value, res msg.ReadResult, err error) {
				if err != nil {
					done(err)
					return
				}
				v.streamTo(worker, p, res.Size, first, res.N, done)
			})
		})
	}, done)
	return true
}

// readChunk asks the engine for up to streamChunk bytes of p at off.
func (v *viewer) readChunk(p string, off int64, fn func(data js.Value, res msg.ReadResult, err error)) {
	v.p.ask(msg.KindRead, msg.ReadRequest{Path: p, Offset: off, Limit: streamChunk}, func(r reply) {
		var res msg.ReadResult
		err := r.decode(&res)
		if err == nil && res.N <= 0 && off < res.Size {
			err = errors.New("the engine sent no bytes of " + p + " at " + strconv.FormatInt(off, 10))
		}
		fn(r.data, res, err)
	})
}

// streamTo hands worker one end of a channel for the download of the size
// bytes of p, whose first n are in first, and starts it by navigating a
// hidden frame into the worker's scope; the worker asks for each chunk
// ("more") as the browser takes the one before.
func (v *viewer) streamTo(worker js.Value, p string, size int64, first js.Value, n int64, done func(error)) {
	v.downloads++
	id := strconv.FormatInt(int64(v.downloads), 36) + strconv.FormatInt(int64(js.Global().Get("Date").Call("now").Float()), 36)
	ch := js.Global().Get("MessageChannel").New()
	port := ch.Get("port1")
	off, next := int64(0), first
	finished := false
	var onMessage js.Func
	finish := func(err error) {
		if !finished {
			finished = true
			port.Call("close")
			onMessage.Release()
			done(err)
		}
	}
	send := func(data js.Value, n int64) {
		off += n
		port.Call("postMessage", map[string]any{"chunk": data}, []any{data})
	}
	onMessage = js.FuncOf(func(_ js.Value, args []js.Value) any {
		what := args[0].Get("data").String()
		v.p.loop.post(func() {
			switch {
			case finished:
			case what == "cancel":
				finish(errors.New("the download of " + p + " was cancelled"))
			case off >= size:
				port.Call("postMessage", map[string]any{"done": true})
				finish(nil)
			case next.Truthy():
				data := next
				next = js.Undefined()
				send(data, n)
			default:
				v.readChunk(p, off, func(data js.Value, res msg.ReadResult, err error) {
					if err != nil {
						port.Call("postMessage", map[string]any{"error": err.Error()})
						finish(err)
						return
					}
					send(data, res.N)
				})
			}
		})
		return nil
	})
	port.Set("onmessage", onMessage)
	worker.Call("postMessage", map[string]any{"kind": "download", "id": id, "name": path.Base(p), "size": float64(size)}, []any{ch.Get("port2")})
	frame := elem("iframe", "hidden", "", "title", "download of "+path.Base(p))
	frame.Underlying().Set("src", downloadScope+id+"/"+js.Global().Call("encodeURIComponent", path.Base(p)).String())
	v.p.doc.Underlying().Get("body").Call("appendChild", frame.Underlying())
	js.Global().Call("setTimeout", js.FuncOf(func(js.Value, []js.Value) any {
		frame.Underlying().Call("remove")
		return nil
	}), 60000)
}

// whenActive calls fn with reg's active worker once there is one.
func whenActive(l *loop, reg js.Value, fn func(js.Value)) {
	if a := reg.Get("active"); a.Truthy() {
		fn(a)
		return
	}
	w := reg.Get("installing")
	if !w.Truthy() {
		w = reg.Get("waiting")
	}
	var f js.Func
	f = js.FuncOf(func(js.Value, []js.Value) any {
		if w.Get("state").String() == "activated" {
			w.Call("removeEventListener", "statechange", f)
			l.post(func() { fn(w) })
		}
		return nil
	})
	w.Call("addEventListener", "statechange", f)
}

// then runs ok (on l) with what promise resolves to, or fail with why it
// was rejected.
func then(l *loop, promise js.Value, ok func(js.Value), fail func(error)) {
	var res, rej js.Func
	res = js.FuncOf(func(_ js.Value, args []js.Value) any {
		res.Release()
		rej.Release()
		v := args[0]
		l.post(func() { ok(v) })
		return nil
	})
	rej = js.FuncOf(func(_ js.Value, args []js.Value) any {
		res.Release()
		rej.Release()
		err := errors.New(js.Global().Get("String").Invoke(args[0]).String())
		l.post(func() { fail(err) })
		return nil
	})
	promise.Call("then", res, rej)
}
