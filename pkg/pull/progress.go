package pull

import (
	"io"
	"sync"

	"github.com/opencontainers/go-digest"
)

// State is where one layer is in its pull.
type State string

// The states of a layer, in the order they are reached.
const (
	Waiting     State = "waiting"
	Downloading State = "downloading"
	Verifying   State = "verifying"
	Done        State = "done"
	Failed      State = "failed"
)

// Phases of a whole pull, reported in events with Layer == -1.
const (
	PhaseManifest = "manifest"
	PhaseConfig   = "config"
	PhaseLayers   = "layers"
	PhaseDone     = "done"
)

// Event reports progress. Whole-pull events have Layer == -1 and a Phase;
// layer events carry the layer's index, digest, state and byte counts.
type Event struct {
	Phase  string
	Layer  int
	Digest digest.Digest
	State  State
	// Done and Total count compressed bytes; Total is -1 when unknown.
	Done, Total int64
	// Message is human text, such as a retry notice.
	Message string
	// Err is set on Failed events.
	Err error
}

// reporter serialises calls to the user's progress function.
type reporter struct {
	mu sync.Mutex
	fn func(Event)
}

func (r *reporter) emit(e Event) {
	if r.fn == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fn(e)
}

func (r *reporter) phase(p, msg string) {
	r.emit(Event{Phase: p, Layer: -1, Message: msg})
}

// counter reports bytes as they are read, at most once per step bytes, and
// always when the stream ends.
type counter struct {
	r     io.Reader
	ev    Event
	rep   *reporter
	last  int64
	step  int64
	ended bool
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.ev.Done += int64(n)
	if c.ev.Done-c.last >= c.step || (err != nil && !c.ended) {
		c.last = c.ev.Done
		c.ended = err != nil
		c.rep.emit(c.ev)
	}
	return n, err
}
