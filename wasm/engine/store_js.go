//go:build js

package engine

import (
	"fmt"
	"io"
	"sync"
	"syscall/js"

	"github.com/regscope/regscope/pkg/layers"
)

// bufSize is the Go-side buffer a Put copies through.
const bufSize = 256 << 10

// Store is a layers.Store that keeps every file's bytes in a JavaScript
// Uint8Array, outside the Go heap, which ends at 4 GiB on wasm32 (and is
// fatal to run out of). Only a 256 KiB copy buffer per concurrent Put lives
// in Go.
type Store struct {
	bufs sync.Pool
}

// NewStore returns a Store backed by JavaScript memory.
func NewStore() *Store {
	return &Store{bufs: sync.Pool{New: func() any { b := make([]byte, bufSize); return &b }}}
}

// Put copies exactly size bytes from r into a new Uint8Array.
func (s *Store) Put(r io.Reader, size int64) (layers.Content, error) {
	if size < 0 {
		return nil, fmt.Errorf("js store: negative size %d", size)
	}
	if size == 0 {
		return jsContent{}, nil
	}
	arr := js.Global().Get("Uint8Array").New(float64(size))
	bp := s.bufs.Get().(*[]byte)
	defer s.bufs.Put(bp)
	buf := *bp
	var off int64
	for off < size {
		n := min(int64(len(buf)), size-off)
		m, err := io.ReadFull(r, buf[:n])
		if m > 0 {
			if off == 0 && int64(m) == size {
				js.CopyBytesToJS(arr, buf[:m])
			} else {
				js.CopyBytesToJS(arr.Call("subarray", float64(off), float64(off+int64(m))), buf[:m])
			}
			off += int64(m)
		}
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, fmt.Errorf("js store: after %d of %d bytes: %w", off, size, err)
		}
	}
	return jsContent{arr: arr, size: size}, nil
}

// jsContent is one file's bytes in a Uint8Array.
type jsContent struct {
	arr  js.Value
	size int64
}

func (c jsContent) Size() int64 { return c.size }

func (c jsContent) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("js store: negative offset %d", off)
	}
	if off >= c.size {
		return 0, io.EOF
	}
	n := min(int64(len(p)), c.size-off)
	js.CopyBytesToGo(p[:n], c.arr.Call("subarray", float64(off), float64(off+n)))
	if n < int64(len(p)) {
		return int(n), io.EOF
	}
	return int(n), nil
}

// buffer returns a copy of [off, off+n) as a fresh ArrayBuffer, for transfer
// to the view without passing through the Go heap.
func (c jsContent) buffer(off, n int64) js.Value {
	if c.size == 0 || n == 0 {
		return js.Global().Get("ArrayBuffer").New(0)
	}
	return c.arr.Call("slice", float64(off), float64(off+n)).Get("buffer")
}
