//go:build js

package codec

import (
	"crypto/sha256"
	"errors"
	"io"
	"strings"
	"syscall/js"

	"github.com/regscope/regscope/pkg/layers"
)

// readAtLeast is how many compressed bytes the pump gathers before posting
// them (unless the source ends first): fewer, larger messages.
const readAtLeast = ChunkSize / 2

// Error is a failure a codec worker reported for a stream.
type Error struct {
	Message string
	// Fallback: DecompressionStream cannot read this gzip stream but Go's
	// reader can (concatenated members, bytes after the last member).
	Fallback bool
}

func (e *Error) Error() string { return e.Message }

// Unwrap makes a fallback error match layers.ErrGunzipFallback, and a
// truncated stream io.ErrUnexpectedEOF, as Go's reader would say.
func (e *Error) Unwrap() error {
	switch {
	case e.Fallback:
		return layers.ErrGunzipFallback
	case strings.Contains(strings.ToLower(e.Message), "truncated"):
		return io.ErrUnexpectedEOF
	}
	return nil
}

// errorOf is the Error of a worker's {op:"error"} message.
func errorOf(m js.Value) error {
	return &Error{Message: m.Get("message").String(), Fallback: m.Get("fallback").Truthy()}
}

// Gunzip returns a reader of the inflated bytes of the gzip stream r,
// inflated by a codec worker. A pump goroutine reads r and posts it; Read
// returns the worker's chunks in order. A stream DecompressionStream cannot
// read fails with an error wrapping layers.ErrGunzipFallback; an error
// reading r is Read's error once the bytes before it are read. The reader
// is a layers.Summer: the worker hashes what it inflates, and Sum gives
// that digest once Read returned io.EOF, so the engine need not hash the
// inflated bytes again.
func (p *Pool) Gunzip(r io.Reader) (io.ReadCloser, error) {
	g := p.open("gunzip", func(w *worker, id int64) receiver {
		return &gunzip{stream: newStream(p, w, id), more: make(chan struct{}, 1)}
	}).(*gunzip)
	go g.pump(r)
	return g, nil
}

// A gunzip gives the DiffID of the layer it inflates.
var _ layers.Summer = (*gunzip)(nil)

// gunzip is one inflate in a codec worker.
type gunzip struct {
	stream
	chunks []js.Value // inflated Uint8Arrays received, not yet read; under mu
	ended  bool       // the worker sent the last chunk; under mu
	sum    []byte     // the SHA-256 of every chunk, sent with the last; under mu
	more   chan struct{}

	cur   []byte // the unread rest of the chunk being read
	spare []byte // where a chunk larger than Read's buffer is copied
}

func (g *gunzip) receive(op string, m js.Value) {
	switch op {
	case "ack":
		g.ack()
		return
	case "data":
		g.mu.Lock()
		g.chunks = append(g.chunks, m.Get("data"))
		g.mu.Unlock()
	case "end":
		sum := make([]byte, sha256.Size)
		js.CopyBytesToGo(sum, m.Get("sum"))
		g.mu.Lock()
		g.ended, g.sum = true, sum
		g.mu.Unlock()
		g.unload()
	case "error":
		err := errorOf(m)
		if errors.Is(err, layers.ErrGunzipFallback) {
			g.p.fallbacks.Add(1)
		}
		g.fail(err)
	}
	g.wake()
}

func (g *gunzip) wake() {
	select {
	case g.more <- struct{}{}:
	default:
	}
}

func (g *gunzip) fail(err error) {
	g.halt(err)
	g.unload()
	g.wake()
}

// pump reads the compressed stream and posts it to the worker, closing the
// worker's input at EOF.
func (g *gunzip) pump(r io.Reader) {
	buf := make([]byte, ChunkSize)
	for {
		n, err := io.ReadAtLeast(r, buf, readAtLeast)
		if n > 0 && g.send(buf[:n]) != nil {
			return // failed or closed
		}
		switch {
		case err == io.EOF || err == io.ErrUnexpectedEOF:
			post(g.w, g.id, "close", nil)
			return
		case err != nil:
			g.fail(err)
			post(g.w, g.id, "free", nil)
			return
		}
	}
}

// Read returns inflated bytes in order; then io.EOF, or the stream's error.
func (g *gunzip) Read(b []byte) (int, error) {
	for {
		if len(g.cur) > 0 {
			n := copy(b, g.cur)
			g.cur = g.cur[n:]
			return n, nil
		}
		g.mu.Lock()
		if len(g.chunks) > 0 {
			c := g.chunks[0]
			g.chunks[0] = js.Undefined()
			g.chunks = g.chunks[1:]
			g.mu.Unlock()
			n := c.Get("length").Int()
			if len(b) >= n {
				js.CopyBytesToGo(b[:n], c)
				g.give(c)
				return n, nil
			}
			if cap(g.spare) < n {
				g.spare = make([]byte, n)
			}
			js.CopyBytesToGo(g.spare[:n], c)
			g.give(c)
			g.cur = g.spare[:n]
			continue
		}
		err, ended := g.err, g.ended
		g.mu.Unlock()
		switch {
		case err != nil:
			return 0, err
		case ended:
			return 0, io.EOF
		}
		<-g.more
	}
}

// Sum appends to b the SHA-256 of every inflated byte, as the worker
// computed it (layers.Summer): valid once Read returned io.EOF. Before
// that, or when the stream failed, it appends zeros, which no stream hashes
// to: the DiffID check that uses it fails.
func (g *gunzip) Sum(b []byte) []byte {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.ended || g.err != nil || len(g.chunks) > 0 || len(g.cur) > 0 {
		return append(b, make([]byte, sha256.Size)...)
	}
	return append(b, g.sum...)
}

// give returns an inflated chunk's buffer to the worker: one more chunk
// may be sent.
func (g *gunzip) give(c js.Value) {
	post(g.w, g.id, "credit", func(o js.Value) {
		if c.Get("byteOffset").Int() == 0 && c.Get("buffer").Get("byteLength").Int() == c.Get("length").Int() {
			o.Set("data", c)
		} else {
			o.Set("data", js.Global().Get("Uint8Array").New(c.Get("buffer")))
		}
	})
}

// Close drops the stream: the worker stops inflating, the pump stops
// posting.
func (g *gunzip) Close() error {
	g.halt(errors.New("gzip: read after Close"))
	g.p.done(&g.stream)
	post(g.w, g.id, "free", nil)
	return nil
}
