//go:build js

package engine

import (
	"bytes"
	"errors"
	"io"
	"syscall/js"
	"testing"
)

// TestStoreChunks stores files of sizes around the chunk size and reads
// them back, whole and across chunk boundaries, through ReadAt and buffer.
func TestStoreChunks(t *testing.T) {
	for _, size := range []int{1, 1000, chunkSize - 1, chunkSize, chunkSize + 1, 2*chunkSize + 12345} {
		s := NewStore()
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(i*7 + i/chunkSize)
		}
		c, err := s.Put(bytes.NewReader(data), int64(size))
		if err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		if c.Size() != int64(size) {
			t.Fatalf("size %d: Size() = %d", size, c.Size())
		}
		if got := s.allocated.Load(); got != int64(size) {
			t.Errorf("size %d: allocated %d bytes", size, got)
		}
		got := make([]byte, size)
		if n, err := c.ReadAt(got, 0); n != size || (err != nil && err != io.EOF) || !bytes.Equal(got, data) {
			t.Fatalf("size %d: ReadAt whole: n=%d err=%v equal=%t", size, n, err, bytes.Equal(got, data))
		}
		for _, r := range [][2]int{{0, 1}, {size - 1, 1}, {size / 2, size - size/2}, {max(chunkSize-10, 0), 20}, {size - 3, 10}} {
			off, n := r[0], r[1]
			if off < 0 || off >= size {
				continue
			}
			p := make([]byte, n)
			m, err := c.ReadAt(p, int64(off))
			want := data[off:min(off+n, size)]
			if m != len(want) || !bytes.Equal(p[:m], want) {
				t.Errorf("size %d: ReadAt(%d, %d) = %d bytes, want %d", size, n, off, m, len(want))
			}
			if m < n && err != io.EOF {
				t.Errorf("size %d: short ReadAt(%d, %d) err = %v, want io.EOF", size, n, off, err)
			}
			jc := c.(jsContent)
			ln := min(n, size-off)
			buf := js.Global().Get("Uint8Array").New(jc.buffer(int64(off), int64(ln)))
			b := make([]byte, buf.Length())
			js.CopyBytesToGo(b, buf)
			if !bytes.Equal(b, data[off:off+ln]) {
				t.Errorf("size %d: buffer(%d, %d) differs", size, off, ln)
			}
		}
	}
}

// TestStoreLyingHeader: a header declaring a terabyte over a short body
// allocates only what the bytes that arrived need, then fails naming them.
func TestStoreLyingHeader(t *testing.T) {
	for _, body := range []int{0, 10, chunkSize + 5} {
		s := NewStore()
		_, err := s.Put(bytes.NewReader(make([]byte, body)), 1<<40)
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("body %d: err = %v, want io.ErrUnexpectedEOF", body, err)
		}
		if got, limit := s.allocated.Load(), int64(body)+chunkSize; got > limit {
			t.Errorf("body %d: allocated %d bytes, more than %d", body, got, limit)
		}
	}
}
