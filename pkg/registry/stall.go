package registry

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// DefaultStallTimeout is how long a request may go without progress (no
// response headers yet, or no body bytes) when Options.StallTimeout is 0.
const DefaultStallTimeout = 30 * time.Second

// StallError reports a request abandoned because nothing arrived for
// Options.StallTimeout: no response headers, or no body bytes. Another
// attempt may succeed, so it is retried (a blob resumes with Range).
type StallError struct {
	URL     string        // the request's URL, query removed
	Timeout time.Duration // the StallTimeout that ran out
	Body    bool          // stalled in the body (else waiting for headers)
}

// Error names the URL, where it stalled and for how long.
func (e *StallError) Error() string {
	where := "waiting for response headers"
	if e.Body {
		where = "reading the body"
	}
	return fmt.Sprintf("%s: stalled: nothing received for %s while %s", e.URL, e.Timeout, where)
}

// stallTransport abandons requests that make no progress for timeout: it
// gives each request a context of its own, cancelled by a timer that every
// body read which delivers bytes rewinds. The resulting errors are
// *StallError, not context errors, so the retry logic can tell a stall
// (retried, resumed) from the caller giving up (not retried).
type stallTransport struct {
	next    http.RoundTripper
	timeout time.Duration
}

// RoundTrip sends req under the stall timer.
func (t *stallTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancel(req.Context())
	s := &stall{cancel: cancel, timeout: t.timeout, url: redactURL(req.URL)}
	s.timer = time.AfterFunc(t.timeout, s.fire)
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		s.stop()
		if s.fired() {
			return nil, &StallError{URL: s.url, Timeout: t.timeout}
		}
		return nil, err
	}
	s.rewind()
	resp.Body = &stallBody{ReadCloser: resp.Body, s: s}
	return resp, nil
}

// stall is one request's timer.
type stall struct {
	timer   *time.Timer
	cancel  context.CancelFunc
	timeout time.Duration
	url     string

	mu   sync.Mutex
	done bool // timer fired
}

func (s *stall) fire() {
	s.mu.Lock()
	s.done = true
	s.mu.Unlock()
	s.cancel()
}

func (s *stall) fired() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.done
}

func (s *stall) rewind() { s.timer.Reset(s.timeout) }

// stop ends the timer and releases the request's context.
func (s *stall) stop() {
	s.timer.Stop()
	s.cancel()
}

// stallBody rewinds the timer on progress and turns the cancellation the
// timer causes into a *StallError.
type stallBody struct {
	io.ReadCloser
	s *stall
}

func (b *stallBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	switch {
	case err != nil && err != io.EOF && b.s.fired():
		err = &StallError{URL: b.s.url, Timeout: b.s.timeout, Body: true}
	case err != nil:
		b.s.timer.Stop()
	case n > 0:
		b.s.rewind()
	}
	return n, err
}

// Close stops the timer and closes the body.
func (b *stallBody) Close() error {
	err := b.ReadCloser.Close()
	b.s.stop()
	return err
}
