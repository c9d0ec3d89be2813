//go:build js

package engine

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"syscall/js"
	"time"

	"github.com/regscope/regscope/pkg/layers"
)

// ErrNoStorage is why a pull keeps metadata only: the browser gave the
// engine no Origin Private File System (an insecure context, storage
// blocked, an old browser).
var ErrNoStorage = errors.New("storage unavailable")

// bufSize is the most a Put copies through Go and JavaScript at a time.
const bufSize = 1 << 20

// OPFSStore is a layers.Store that keeps file contents on disk, in one file
// of the Origin Private File System written and read through a synchronous
// access handle (Web Workers only): the wasm heap and JavaScript memory
// hold only what one Put or one read is copying, so an image's contents
// can be far bigger than memory. Each Put reserves its declared size after
// the previous reservations and writes the bytes as they arrive (a
// reservation is a hole until written). It is safe for concurrent use.
type OPFSStore struct {
	name string
	h    js.Value // FileSystemSyncAccessHandle
	next atomic.Int64
	bufs sync.Pool
}

// OpenOPFS creates (or empties) the contents file name and opens it, or
// returns an error wrapping ErrNoStorage.
func OpenOPFS(name string) (*OPFSStore, error) {
	dir, err := opfsRoot()
	if err != nil {
		return nil, err
	}
	var h js.Value
	for try := 1; ; try++ {
		if h, err = openHandle(dir, name); err == nil || errors.Is(err, ErrNoStorage) || try == openTries {
			break
		}
		// Another tab's worker sweeping left-behind files may hold this
		// name for the moment its removal of it takes (removeEntry fails on
		// a file we hold, but locks one we are about to open).
		time.Sleep(time.Duration(try) * 25 * time.Millisecond)
	}
	if errors.Is(err, ErrNoStorage) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoStorage, err)
	}
	h.Call("truncate", 0)
	s := &OPFSStore{name: name, h: h}
	s.bufs.New = func() any { return js.Global().Get("Uint8Array").New(bufSize) }
	return s, nil
}

// opfsRoot is the root directory of the Origin Private File System, or an
// error wrapping ErrNoStorage.
func opfsRoot() (js.Value, error) {
	st := js.Global().Get("navigator").Get("storage")
	if !st.Truthy() || !st.Get("getDirectory").Truthy() {
		return js.Value{}, fmt.Errorf("%w: no navigator.storage.getDirectory", ErrNoStorage)
	}
	dir, err := await(st.Call("getDirectory"))
	if err != nil {
		return js.Value{}, fmt.Errorf("%w: %v", ErrNoStorage, err)
	}
	return dir, nil
}

// openTries is how often OpenOPFS tries to open a contents file that
// another worker holds for a moment.
const openTries = 5

// openHandle creates the file name in dir if need be and opens its
// synchronous access handle. It wraps ErrNoStorage when the browser has no
// such handles at all.
func openHandle(dir js.Value, name string) (js.Value, error) {
	opts := js.Global().Get("Object").New()
	opts.Set("create", true)
	fh, err := await(dir.Call("getFileHandle", name, opts))
	if err != nil {
		return js.Value{}, err
	}
	if !fh.Get("createSyncAccessHandle").Truthy() {
		return js.Value{}, fmt.Errorf("%w: no synchronous file access", ErrNoStorage)
	}
	return await(fh.Call("createSyncAccessHandle"))
}

// Close releases the file (its bytes stay until the next OpenOPFS of the
// same name empties it).
func (s *OPFSStore) Close() { s.h.Call("close") }

// Put copies exactly size bytes from r into a fresh region of the file.
func (s *OPFSStore) Put(r io.Reader, size int64) (layers.Content, error) {
	if size < 0 {
		return nil, fmt.Errorf("opfs store: negative size %d", size)
	}
	off := s.next.Add(size) - size
	arr := s.bufs.Get().(js.Value)
	defer s.bufs.Put(arr)
	buf := make([]byte, min(bufSize, size))
	for done := int64(0); done < size; {
		m, err := io.ReadFull(r, buf[:min(int64(len(buf)), size-done)])
		if m > 0 {
			if werr := s.writeAt(arr, buf[:m], off+done); werr != nil {
				return nil, fmt.Errorf("opfs store: writing %d bytes at %d: %w", m, off+done, werr)
			}
			done += int64(m)
		}
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, fmt.Errorf("opfs store: after %d of %d bytes: %w", done, size, err)
		}
	}
	return opfsContent{s: s, off: off, size: size}, nil
}

// writeAt writes p at off through arr (a bufSize Uint8Array).
func (s *OPFSStore) writeAt(arr js.Value, p []byte, off int64) (err error) {
	defer func() {
		if r := recover(); r != nil { // a JavaScript exception, such as QuotaExceededError
			err = fmt.Errorf("%v", r)
		}
	}()
	view := arr.Call("subarray", 0, len(p))
	js.CopyBytesToJS(view, p)
	opts := js.Global().Get("Object").New()
	opts.Set("at", float64(off))
	if n := s.h.Call("write", view, opts).Int(); n != len(p) {
		return fmt.Errorf("wrote %d of %d bytes", n, len(p))
	}
	return nil
}

// opfsContent is one file's region of the contents file.
type opfsContent struct {
	s         *OPFSStore
	off, size int64
}

func (c opfsContent) Size() int64 { return c.size }

// ReadAt implements io.ReaderAt within the region.
func (c opfsContent) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("opfs store: negative offset %d", off)
	}
	if off >= c.size {
		return 0, io.EOF
	}
	n := min(int64(len(p)), c.size-off)
	arr, err := c.buffer(off, n)
	if err != nil {
		return 0, err
	}
	js.CopyBytesToGo(p[:n], js.Global().Get("Uint8Array").New(arr))
	if n < int64(len(p)) {
		return int(n), io.EOF
	}
	return int(n), nil
}

// buffer reads [off, off+n) of the region into a fresh ArrayBuffer, for
// transfer to the view without passing through the Go heap. A file closed
// by a newer pull answers an error, not a crash.
func (c opfsContent) buffer(off, n int64) (buf js.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("opfs store: reading %d bytes at %d: %v", n, c.off+off, r)
		}
	}()
	arr := js.Global().Get("Uint8Array").New(float64(n))
	opts := js.Global().Get("Object").New()
	opts.Set("at", float64(c.off+off))
	if got := c.s.h.Call("read", arr, opts).Int(); int64(got) != n {
		return js.Undefined(), fmt.Errorf("opfs store: read %d of %d bytes at %d", got, n, c.off+off)
	}
	return arr.Get("buffer"), nil
}

// await waits for a JavaScript promise, from a goroutine that may block.
func await(p js.Value) (js.Value, error) {
	type result struct {
		v   js.Value
		err error
	}
	ch := make(chan result, 1)
	ok := js.FuncOf(func(this js.Value, args []js.Value) any {
		ch <- result{v: args[0]}
		return nil
	})
	fail := js.FuncOf(func(this js.Value, args []js.Value) any {
		ch <- result{err: errors.New(js.Global().Get("String").Invoke(args[0]).String())}
		return nil
	})
	defer ok.Release()
	defer fail.Release()
	p.Call("then", ok, fail)
	r := <-ch
	return r.v, r.err
}
