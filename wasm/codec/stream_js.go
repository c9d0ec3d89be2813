//go:build js

package codec

import (
	"sync"
	"syscall/js"
)

// stream is what hashes and gunzips share: their worker and id, and the
// input credit (chunks posted and not yet given back).
type stream struct {
	p  *Pool
	w  *worker
	id int64

	mu      sync.Mutex
	loaded  bool  // counted in its worker's load; under Pool.mu
	pending int   // input chunks posted, not yet acknowledged
	err     error // the stream failed (its worker died, or it was closed)
	credit  chan struct{}
	stop    chan struct{} // closed when the stream fails or is closed
	once    sync.Once
}

func newStream(p *Pool, w *worker, id int64) stream {
	return stream{p: p, w: w, id: id, loaded: true, credit: make(chan struct{}, 1), stop: make(chan struct{})}
}

func (s *stream) on(w *worker) bool { return s.w == w }

// unload takes the stream off its worker's load (once): it will not be
// written to again, though it may still be open.
func (s *stream) unload() {
	s.p.mu.Lock()
	s.p.unload(s)
	s.p.mu.Unlock()
}

// ack takes back one input chunk's credit.
func (s *stream) ack() {
	s.mu.Lock()
	s.pending--
	s.mu.Unlock()
	select {
	case s.credit <- struct{}{}:
	default:
	}
}

// halt marks the stream failed with err (the first error stays) and wakes
// whatever waits on it.
func (s *stream) halt(err error) {
	s.mu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.mu.Unlock()
	s.once.Do(func() { close(s.stop) })
}

// send posts b as the stream's next input, once fewer than InFlight chunks
// are in flight. b is copied into a JavaScript buffer: the caller may reuse
// it at once.
func (s *stream) send(b []byte) error {
	for {
		s.mu.Lock()
		if err := s.err; err != nil {
			s.mu.Unlock()
			return err
		}
		if s.pending < InFlight {
			s.pending++
			s.mu.Unlock()
			break
		}
		s.mu.Unlock()
		select {
		case <-s.credit:
		case <-s.stop:
		}
	}
	buf := s.p.buffer()
	js.CopyBytesToJS(buf, b)
	s.p.bytesIn.Add(int64(len(b)))
	post(s.w, s.id, "write", func(o js.Value) {
		o.Set("data", buf)
		o.Set("n", len(b))
	})
	return nil
}
