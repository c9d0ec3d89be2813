package layers

import (
	"bytes"
	"fmt"
	"io"
)

// Store holds file contents outside the filesystem index. Natively the
// contents stay in memory (MemStore); in the browser the engine provides a
// Store backed by JavaScript memory so big images do not exhaust the wasm
// heap. Put must read exactly size bytes from r (fewer is an error) and
// return a Content that reads them back; it may be called from one goroutine
// at a time per Read.
type Store interface {
	Put(r io.Reader, size int64) (Content, error)
}

// Content is a stored file's bytes: random access plus their length. It must
// be safe for concurrent ReadAt calls.
type Content interface {
	io.ReaderAt
	Size() int64
}

// MemStore returns a Store that keeps contents in the Go heap.
func MemStore() Store { return memStore{} }

type memStore struct{}

// Put reads size bytes from r into memory.
func (memStore) Put(r io.Reader, size int64) (Content, error) {
	if size < 0 {
		return nil, fmt.Errorf("store: negative size %d", size)
	}
	b := make([]byte, size)
	if _, err := io.ReadFull(r, b); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return bytes.NewReader(b), nil
}
