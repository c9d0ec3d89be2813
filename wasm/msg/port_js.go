//go:build js

package msg

import "syscall/js"

// Post sends e to target (a Worker, or the worker's global scope) as
// {id, kind, body, data}. Data, when present, is copied once into a fresh
// ArrayBuffer that is transferred, not cloned.
func Post(target js.Value, e Envelope) {
	var data js.Value
	if e.Data != nil {
		arr := js.Global().Get("Uint8Array").New(len(e.Data))
		js.CopyBytesToJS(arr, e.Data)
		data = arr.Get("buffer")
	}
	PostBuffer(target, e, data)
}

// PostBuffer is Post with the data given as a JavaScript ArrayBuffer (which is
// transferred); e.Data is ignored. data may be undefined.
func PostBuffer(target js.Value, e Envelope, data js.Value) {
	obj := toJS(e)
	if data.Truthy() {
		obj.Set("data", data)
		target.Call("postMessage", obj, []any{data})
		return
	}
	target.Call("postMessage", obj)
}

// toJS is e's {id, kind, body} as a JavaScript object, without its data.
func toJS(e Envelope) js.Value {
	obj := js.Global().Get("Object").New()
	obj.Set("id", float64(e.ID))
	obj.Set("kind", string(e.Kind))
	if e.Body != nil {
		obj.Set("body", string(e.Body))
	}
	return obj
}

// FromJS converts a received message's data object back into an Envelope,
// copying any ArrayBuffer into e.Data.
func FromJS(v js.Value) Envelope {
	e := Envelope{ID: int64(v.Get("id").Float()), Kind: Kind(v.Get("kind").String())}
	if b := v.Get("body"); b.Type() == js.TypeString {
		e.Body = []byte(b.String())
	}
	if d := v.Get("data"); d.Truthy() {
		arr := js.Global().Get("Uint8Array").New(d)
		e.Data = make([]byte, arr.Length())
		js.CopyBytesToGo(e.Data, arr)
	}
	return e
}

// Buffer returns a received message's data as a JavaScript ArrayBuffer
// (undefined when there is none), for consumers that keep bytes outside Go.
func Buffer(v js.Value) js.Value { return v.Get("data") }
