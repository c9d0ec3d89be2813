//go:build js

package view

import "time"

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

// taskSlice is how long the loop runs posted functions back to back
// before it gives the browser its thread for a moment: a burst (an engine
// answer with many progress messages behind it) then becomes several short
// tasks, and input and painting get in between.
const taskSlice = 30 * time.Millisecond

// run runs posted functions forever. The browser's task ends whenever the
// queue is empty (the receive blocks) and, in a burst, after each
// taskSlice (yieldToBrowser).
func (l *loop) run() {
	start := time.Now()
	for {
		var fn func()
		select {
		case fn = <-l.queue:
		default:
			fn = <-l.queue // blocks: this task ends, and a new one runs fn
			start = time.Now()
		}
		fn()
		if time.Since(start) > taskSlice {
			yieldToBrowser()
			start = time.Now()
		}
	}
}
