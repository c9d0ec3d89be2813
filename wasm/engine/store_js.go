//go:build js

package engine

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"syscall/js"

	"github.com/regscope/regscope/pkg/layers"
)

// MaxMemoryStored bounds the file content a pull keeps in JavaScript memory
// (layers.Limits.MaxStored): less than a tab or a laptop can hold, more
// than nearly every image people inspect.
const MaxMemoryStored = 3 << 30

// bufSize is the Go-side buffer a Put copies through.
const bufSize = 256 << 10

// chunkSize is the most a Put allocates in JavaScript before the bytes to
// fill it arrived, as layers.MemStore does: a tar header claiming gigabytes
// over a short body costs at most one chunk, not the declared size.
const chunkSize = 1 << 20

// Store is a layers.Store that keeps every file's bytes in JavaScript
// Uint8Arrays, outside the Go heap, which ends at 4 GiB on wasm32 (and is
// fatal to run out of). Only a 256 KiB copy buffer per concurrent Put lives
// in Go. A file's bytes are held in chunks of at most 1 MiB, each allocated
// when the bytes that fill it start arriving.
type Store struct {
	bufs      sync.Pool
	allocated atomic.Int64 // bytes of Uint8Arrays allocated, for tests
}

// NewStore returns a Store backed by JavaScript memory.
func NewStore() *Store {
	return &Store{bufs: sync.Pool{New: func() any { b := make([]byte, bufSize); return &b }}}
}

// Put copies exactly size bytes from r into Uint8Arrays of at most
// chunkSize bytes each.
func (s *Store) Put(r io.Reader, size int64) (layers.Content, error) {
	if size < 0 {
		return nil, fmt.Errorf("js store: negative size %d", size)
	}
	if size == 0 {
		return jsContent{}, nil
	}
	bp := s.bufs.Get().(*[]byte)
	defer s.bufs.Put(bp)
	buf := *bp
	c := jsContent{size: size}
	var off int64
	for off < size {
		n := min(int64(len(buf)), size-off)
		m, err := io.ReadFull(r, buf[:n])
		if m > 0 {
			s.copyIn(&c, buf[:m], off)
			off += int64(m)
		}
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, fmt.Errorf("js store: after %d of %d bytes: %w", off, size, err)
		}
	}
	return c, nil
}

// copyIn copies p (bytes that arrived) to offset off of c, allocating each
// chunk when the first of its bytes is there.
func (s *Store) copyIn(c *jsContent, p []byte, off int64) {
	for len(p) > 0 {
		i := int(off / chunkSize)
		if i == len(c.chunks) {
			l := min(chunkSize, c.size-off)
			c.chunks = append(c.chunks, js.Global().Get("Uint8Array").New(float64(l)))
			s.allocated.Add(l)
		}
		at := off % chunkSize
		m := min(int64(len(p)), chunkSize-at)
		dst := c.chunks[i]
		if at != 0 || m != int64(dst.Length()) {
			dst = dst.Call("subarray", float64(at), float64(at+m))
		}
		js.CopyBytesToJS(dst, p[:m])
		p, off = p[m:], off+m
	}
}

// jsContent is one file's bytes in Uint8Arrays of chunkSize bytes (the
// last one shorter).
type jsContent struct {
	chunks []js.Value
	size   int64
}

func (c jsContent) Size() int64 { return c.size }

func (c jsContent) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("js store: negative offset %d", off)
	}
	if off >= c.size {
		return 0, io.EOF
	}
	want := len(p)
	p = p[:min(int64(len(p)), c.size-off)]
	n := 0
	for len(p) > 0 {
		at := off % chunkSize
		m := min(int64(len(p)), chunkSize-at)
		js.CopyBytesToGo(p[:m], c.chunks[off/chunkSize].Call("subarray", float64(at), float64(at+m)))
		p, off, n = p[m:], off+m, n+int(m)
	}
	if n < want {
		return n, io.EOF
	}
	return n, nil
}

// buffer returns a copy of [off, off+n) as a fresh ArrayBuffer, for transfer
// to the view without passing through the Go heap.
func (c jsContent) buffer(off, n int64) js.Value {
	if c.size == 0 || n <= 0 {
		return js.Global().Get("ArrayBuffer").New(0)
	}
	first, last := off/chunkSize, (off+n-1)/chunkSize
	if first == last {
		at := off % chunkSize
		return c.chunks[first].Call("slice", float64(at), float64(at+n)).Get("buffer")
	}
	out := js.Global().Get("Uint8Array").New(float64(n))
	var done int64
	for done < n {
		at := (off + done) % chunkSize
		m := min(n-done, chunkSize-at)
		out.Call("set", c.chunks[(off+done)/chunkSize].Call("subarray", float64(at), float64(at+m)), float64(done))
		done += m
	}
	return out.Get("buffer")
}
