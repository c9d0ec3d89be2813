package layers

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"
)

// Store holds file contents outside the filesystem index. Natively the
// contents stay in memory (MemStore); in the browser the engine provides a
// Store backed by JavaScript memory so big images do not exhaust the wasm
// heap. Put must read exactly size bytes from r (fewer is an error) and
// return a Content that reads them back; it may be called from one goroutine
// at a time per Read.
//
// size comes from a tar header written by whoever made the image: a Store
// must not allocate it up front, or a header claiming gigabytes over a
// truncated body would allocate them before the first byte is read.
type Store interface {
	Put(r io.Reader, size int64) (Content, error)
}

// Content is a stored file's bytes: random access plus their length. It must
// be safe for concurrent ReadAt calls.
type Content interface {
	io.ReaderAt
	Size() int64
}

// Releaser is a Store that can take contents back: Release is given
// contents it stored that nothing will read (a Read that failed had stored
// them), so that their room counts no more. LimitStore gives their bytes
// back to its budget and passes them on to its store when that is a
// Releaser too. A Store without it keeps such contents until the store
// itself is dropped (MemStore's are garbage once unreferenced).
type Releaser interface {
	Release(c Content)
}

// MemStore returns a Store that keeps contents in the Go heap. It allocates
// as bytes arrive, in chunks of at most 1 MiB, never the declared size at
// once: memory follows what was actually read.
func MemStore() Store { return memStore{} }

type memStore struct{}

// memChunk is the most MemStore allocates before the bytes to fill it arrived.
const memChunk = 1 << 20

// Put reads size bytes from r into memory.
func (memStore) Put(r io.Reader, size int64) (Content, error) {
	if size < 0 {
		return nil, fmt.Errorf("store: negative size %d", size)
	}
	if size <= memChunk {
		b := make([]byte, size)
		if n, err := io.ReadFull(r, b); err != nil {
			return nil, storeErr(int64(n), size, err)
		}
		return bytes.NewReader(b), nil
	}
	c := &chunked{size: size}
	for off := int64(0); off < size; {
		b := make([]byte, min(memChunk, size-off))
		n, err := io.ReadFull(r, b)
		off += int64(n)
		if err != nil {
			return nil, storeErr(off, size, err)
		}
		c.chunks = append(c.chunks, b)
	}
	return c, nil
}

// DiscardStore returns a Store that keeps no content: Put reads and drops
// the bytes (so they are still hashed and checked) and returns a Content that
// knows its size but answers every read with ErrNotKept. It is for callers
// that need the metadata alone — listing an image, summarising a pull — and
// makes their memory independent of the image's size. LimitStore does not
// count what it drops.
func DiscardStore() Store { return discardStore{} }

// ErrNotKept is what content from DiscardStore answers to reads.
var ErrNotKept = errors.New("file content was not kept (DiscardStore)")

type discardStore struct{}

// Put reads size bytes from r and drops them.
func (discardStore) Put(r io.Reader, size int64) (Content, error) {
	if size < 0 {
		return nil, fmt.Errorf("store: negative size %d", size)
	}
	if n, err := io.CopyN(io.Discard, r, size); err != nil {
		return nil, storeErr(n, size, err)
	}
	return discarded(size), nil
}

// discarded is dropped content of a known size.
type discarded int64

func (d discarded) Size() int64                       { return int64(d) }
func (d discarded) ReadAt([]byte, int64) (int, error) { return 0, ErrNotKept }

// storeErr reports a body that ended early.
func storeErr(got, size int64, err error) error {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("store: after %d of %d bytes: %w", got, size, err)
}

// chunked is a big file's content as memChunk-sized slices.
type chunked struct {
	chunks [][]byte
	size   int64
}

func (c *chunked) Size() int64 { return c.size }

// ReadAt implements io.ReaderAt across chunk boundaries.
func (c *chunked) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("store: negative offset %d", off)
	}
	n := 0
	for n < len(p) && off < c.size {
		b := c.chunks[off/memChunk][off%memChunk:]
		m := copy(p[n:], b)
		n += m
		off += int64(m)
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// LimitStore returns a Store that puts into s until max bytes of content
// have been stored through it in total, and then refuses (before reading
// anything) with a *LimitError for MaxStored. Package pull shares one among
// the concurrent Reads of an image's layers, so MaxStored bounds the whole
// image; contents given back with Release (a failed Read's) count no more.
// max follows Limits: 0 means DefaultLimits().MaxStored, negative means no
// limit (s itself is returned). It is safe for concurrent use.
func LimitStore(s Store, max int64) Store {
	if max == 0 {
		max = DefaultLimits().MaxStored
	}
	if _, drops := s.(discardStore); max < 0 || drops {
		return s
	}
	return &limitStore{s: s, max: max}
}

type limitStore struct {
	s   Store
	max int64
	mu  sync.Mutex
	n   int64 // bytes reserved so far
}

// Put reserves size bytes of the budget, then stores. A failed Put gives
// its reservation back.
func (l *limitStore) Put(r io.Reader, size int64) (Content, error) {
	l.mu.Lock()
	if size > 0 && Exceeds(l.n+size, l.max) {
		v := l.n + size
		l.mu.Unlock()
		return nil, &LimitError{Limit: "MaxStored", Max: l.max, Value: v}
	}
	l.n += max(size, 0)
	l.mu.Unlock()
	c, err := l.s.Put(r, size)
	if err != nil {
		l.mu.Lock()
		l.n -= max(size, 0)
		l.mu.Unlock()
	}
	return c, err
}

// Release gives c's bytes back to the budget and c to s when s can take it.
func (l *limitStore) Release(c Content) {
	l.mu.Lock()
	l.n -= max(c.Size(), 0)
	l.mu.Unlock()
	if r, ok := l.s.(Releaser); ok {
		r.Release(c)
	}
}
