//go:build js

package engine

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync/atomic"
	"syscall/js"

	"github.com/regscope/regscope/pkg/archive"
	"github.com/regscope/regscope/pkg/pull"
	"github.com/regscope/regscope/wasm/msg"
)

// local opens the File that came with request id as an image archive and
// pulls its image through the archive's transport: the same pipeline and
// checks as a registry pull, the bytes read from the file in slices and
// never sent anywhere.
func (w *worker) local(id int64, e msg.Envelope, file js.Value) {
	var req msg.LocalRequest
	if err := e.Decode(&req); err != nil {
		w.fail(id, err, "")
		return
	}
	ctx, cancel := w.begin(id, nil)
	defer cancel()
	if file.Type() != js.TypeObject {
		w.end(id, errors.New("the local image request carries no file"), "")
		return
	}
	a, err := archive.Open(fileReaderAt{file: file, reader: js.Global().Get("FileReaderSync").New(), read: new(atomic.Int64)}, req.Size, req.Name)
	if err != nil {
		w.end(id, err, "")
		return
	}
	opts := w.options(id, archive.Host, "")
	opts.Platform = req.Platform
	opts.Registry.Transport = a.Transport()
	opts.Registry.Credentials = nil
	opts.Registry.MaxAttempts = 1 // a file does not get better by reading it again
	img, err := pull.Pull(ctx, a.Ref(""), opts)
	if !w.end(id, err, archive.Host) {
		return
	}
	w.eng.SetImage(img)
	w.reply(id, Summary(img))
}

// releaseEvery is how many bytes of a File fileReaderAt reads between two
// collections of Go's heap. Each slice is a new JavaScript ArrayBuffer that
// a js.Value holds until Go's collector finalizes it; reading barely grows
// Go's heap, so without a collection the slices of a multi-gigabyte file
// pile up in the worker's JavaScript memory.
const releaseEvery = 64 << 20

// fileReaderAt reads a JavaScript File (in a worker) at offsets, one slice
// per call, with FileReaderSync: the file is never read whole, and at most
// about releaseEvery bytes of slices wait to be collected.
type fileReaderAt struct {
	file, reader js.Value
	read         *atomic.Int64 // bytes read since the last collection
}

func (f fileReaderAt) ReadAt(p []byte, off int64) (n int, err error) {
	size := int64(f.file.Get("size").Float())
	if off >= size {
		return 0, io.EOF
	}
	end := min(off+int64(len(p)), size)
	defer func() {
		if r := recover(); r != nil {
			n, err = 0, fmt.Errorf("reading %s at %d: %v", f.file.Get("name").String(), off, r)
		}
	}()
	buf := f.reader.Call("readAsArrayBuffer", f.file.Call("slice", float64(off), float64(end)))
	n = js.CopyBytesToGo(p, js.Global().Get("Uint8Array").New(buf))
	if f.read.Add(int64(n)) >= releaseEvery {
		f.read.Store(0)
		runtime.GC() // finalizes the slices' js.Values, so JavaScript can free them
	}
	if int64(n) < int64(len(p)) {
		err = io.EOF
	}
	return n, err
}
