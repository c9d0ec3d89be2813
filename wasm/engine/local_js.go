//go:build js

package engine

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"
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
	a, err := archive.Open(newFileReaderAt(file), req.Size, req.Name)
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

// Reads go through a few windows of the file kept in Go memory, each
// filled by one slice of windowSize bytes: the pipeline reads in pieces of
// tens of KiB, and a JavaScript ArrayBuffer (and Blob) for each piece made
// the worker's memory churn through hundreds of thousands of small objects
// for a multi-gigabyte file. Chromium's browser process holds memory in
// proportion to the slices it serves: with 4 MiB windows it peaked at
// ≈ 650 MiB for a 3 GiB file, with 1 MiB at ≈ 340 MiB, with 256 KiB no
// lower (e2e/BENCHMARK.md). windows is how many layers can be read at once
// without evicting each other's window.
const (
	windowSize = 1 << 20
	windows    = 4
)

// fileReaderAt reads a JavaScript File (in a worker) at offsets with
// FileReaderSync, through windows of windowSize bytes reused from read to
// read: the file is never read whole, JavaScript sees one slice per
// window filled, and at most about releaseEvery bytes of slices wait to be
// collected. It is safe for concurrent use.
type fileReaderAt struct {
	file, reader js.Value
	size         int64
	read         atomic.Int64 // bytes read since the last collection

	mu   sync.Mutex
	wins []*window // most recently used first
}

// window is windowSize bytes of the file (fewer at its end) from off.
type window struct {
	off int64
	b   []byte
}

// newFileReaderAt reads file, in a worker.
func newFileReaderAt(file js.Value) *fileReaderAt {
	return &fileReaderAt{file: file, reader: js.Global().Get("FileReaderSync").New(), size: int64(file.Get("size").Float())}
}

func (f *fileReaderAt) ReadAt(p []byte, off int64) (n int, err error) {
	if off >= f.size {
		return 0, io.EOF
	}
	if len(p) >= windowSize { // big reads go straight to the caller
		return f.slice(p, off)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for n < len(p) && off+int64(n) < f.size {
		w, err := f.window(off + int64(n))
		if err != nil {
			return n, err
		}
		n += copy(p[n:], w.b[off+int64(n)-w.off:])
	}
	if n < len(p) {
		err = io.EOF
	}
	return n, err
}

// window returns the window holding byte at, filling the least recently
// used one (or a new one) when none does; f.mu is held.
func (f *fileReaderAt) window(at int64) (*window, error) {
	i := slices.IndexFunc(f.wins, func(w *window) bool { return at >= w.off && at < w.off+int64(len(w.b)) })
	if i < 0 {
		if len(f.wins) < windows {
			f.wins = append(f.wins, &window{b: make([]byte, 0, windowSize)})
		}
		i = len(f.wins) - 1
		if err := f.fill(f.wins[i], at); err != nil {
			return nil, err
		}
	}
	w := f.wins[i]
	copy(f.wins[1:i+1], f.wins[:i])
	f.wins[0] = w
	return w, nil
}

// fill reads the window of the file holding byte at into w; a window that
// could not be read whole holds nothing afterwards.
func (f *fileReaderAt) fill(w *window, at int64) error {
	w.off = at - at%windowSize
	w.b = w.b[:min(windowSize, f.size-w.off)]
	n, err := f.slice(w.b, w.off)
	if n == len(w.b) {
		return nil
	}
	w.b = w.b[:0]
	if err == nil || err == io.EOF {
		err = fmt.Errorf("reading %s at %d: the file ended at %d, before its size %d", f.file.Get("name").String(), w.off, w.off+int64(n), f.size)
	}
	return err
}

// slice reads len(p) bytes at off (fewer at the end of the file) with one
// FileReaderSync slice.
func (f *fileReaderAt) slice(p []byte, off int64) (n int, err error) {
	end := min(off+int64(len(p)), f.size)
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
	if n < len(p) {
		err = io.EOF
	}
	return n, err
}
