//go:build js

package view

// loop runs the view's work one function at a time on one goroutine: DOM
// events, engine answers and timers all post to it, so every piece of view
// state is read and written by that goroutine alone and nothing needs a
// lock or a generation counter. Posting never blocks (a JavaScript
// callback must not), and functions run in the order they were posted.
type loop struct {
	queue chan func()
}

func newLoop() *loop { return &loop{queue: make(chan func(), 4096)} }

// post queues fn to run on the loop.
func (l *loop) post(fn func()) {
	select {
	case l.queue <- fn:
	default: // a burst beyond the buffer: still delivered, later
		go func() { l.queue <- fn }()
	}
}

// run runs posted functions forever.
func (l *loop) run() {
	for fn := range l.queue {
		fn()
	}
}
