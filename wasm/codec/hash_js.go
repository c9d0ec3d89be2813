//go:build js

package codec

import (
	"crypto/sha256"
	"hash"
	"runtime"
	"syscall/js"
)

// SHA256 returns a SHA-256 computed in a codec worker. Write never blocks
// for the hashing itself, only while InFlight chunks of it are unconsumed;
// Sum waits for the worker's answer.
func (p *Pool) SHA256() hash.Hash {
	r := p.open("sha256", func(w *worker, id int64) receiver {
		return &shaStream{stream: newStream(p, w, id), sums: make(chan []byte, 1)}
	})
	h := &sha{s: r.(*shaStream), buf: make([]byte, 0, ChunkSize)}
	// A hash has no Close: its worker lets go of it once Go has.
	runtime.AddCleanup(h, func(s *shaStream) { s.free() }, h.s)
	return h
}

// sha is the hash.Hash the pool hands out; the pool's stream table holds
// its shaStream, not it, so that it can be collected.
type sha struct {
	s   *shaStream
	buf []byte // bytes not yet sent, up to ChunkSize
}

// shaStream is the worker's side of a sha.
type shaStream struct {
	stream
	sums chan []byte
}

func (s *shaStream) receive(op string, m js.Value) {
	switch op {
	case "ack":
		s.ack()
	case "sum":
		d := make([]byte, sha256.Size)
		js.CopyBytesToGo(d, m.Get("data"))
		s.sums <- d
	case "error":
		s.fail(errorOf(m))
	}
}

func (s *shaStream) fail(err error) {
	s.halt(err)
	js.Global().Get("console").Call("error", "regscope: SHA-256 stream: "+err.Error())
}

// free drops the stream in its worker.
func (s *shaStream) free() {
	s.p.done(&s.stream)
	post(s.w, s.id, "free", nil)
}

func (h *sha) Write(b []byte) (int, error) {
	n := len(b)
	for len(b) > 0 {
		if len(h.buf) == 0 && len(b) >= ChunkSize {
			h.s.send(b[:ChunkSize])
			b = b[ChunkSize:]
			continue
		}
		k := copy(h.buf[len(h.buf):cap(h.buf)], b)
		h.buf, b = h.buf[:len(h.buf)+k], b[k:]
		if len(h.buf) == cap(h.buf) {
			h.s.send(h.buf)
			h.buf = h.buf[:0]
		}
	}
	runtime.KeepAlive(h) // its cleanup would drop the stream while a credit is awaited
	return n, nil
}

// Sum appends the digest of what was written to b; the hash goes on. When
// the stream's worker failed, the digest is all zeros, which no blob has:
// the check that uses it fails.
func (h *sha) Sum(b []byte) []byte {
	s := h.s
	if len(h.buf) > 0 {
		s.send(h.buf)
		h.buf = h.buf[:0]
	}
	s.unload() // a digest is mostly the end of a hash's work
	post(s.w, s.id, "sum", nil)
	defer runtime.KeepAlive(h) // its cleanup would drop the stream before the answer
	select {
	case d := <-s.sums:
		return append(b, d...)
	case <-s.stop:
		return append(b, make([]byte, sha256.Size)...)
	}
}

func (h *sha) Reset() {
	h.buf = h.buf[:0]
	post(h.s.w, h.s.id, "reset", nil)
}

func (h *sha) Size() int      { return sha256.Size }
func (h *sha) BlockSize() int { return sha256.BlockSize }
