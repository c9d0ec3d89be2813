//go:build js

package msg

import "syscall/js"

// PostFile sends e to target with a JavaScript File (or Blob) beside it as
// {id, kind, body, file}. The File is cloned by reference: its bytes are
// not copied until the receiver reads them.
func PostFile(target js.Value, e Envelope, file js.Value) {
	obj := toJS(e)
	obj.Set("file", file)
	target.Call("postMessage", obj)
}

// File returns a received message's File (undefined when there is none).
func File(v js.Value) js.Value { return v.Get("file") }
