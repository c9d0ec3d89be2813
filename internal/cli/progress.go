package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/regscope/regscope/internal/format"
	"github.com/regscope/regscope/pkg/pull"
)

// progress shows a pull on stderr: redrawn bars on a terminal, one plain
// line per state change otherwise (logs, CI, pipes).
type progress struct {
	w      io.Writer
	tty    bool
	layers []pull.Event // latest event per layer
	start  []time.Time
	drawn  int // lines drawn last time, for redrawing in place
	last   time.Time
	now    func() time.Time
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w, now: time.Now}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 && os.Getenv("TERM") != "dumb" {
			p.tty = true
		}
	}
	return p
}

// event is the pull's progress callback.
func (p *progress) event(e pull.Event) {
	if e.Layer < 0 {
		if e.Message != "" {
			p.line(e.Message)
		}
		return
	}
	for len(p.layers) <= e.Layer {
		p.layers = append(p.layers, pull.Event{Layer: len(p.layers)})
		p.start = append(p.start, time.Time{})
	}
	prev := p.layers[e.Layer]
	p.layers[e.Layer] = e
	if e.State == pull.Downloading && prev.State != pull.Downloading {
		p.start[e.Layer] = p.now()
	}
	if p.tty {
		if e.State == prev.State && p.now().Sub(p.last) < 100*time.Millisecond {
			return
		}
		p.redraw()
		return
	}
	if e.State != prev.State {
		p.plain(e)
	}
}

// line prints a message above the bars.
func (p *progress) line(s string) {
	if p.tty {
		p.clear()
		fmt.Fprintln(p.w, s)
		p.redraw()
		return
	}
	fmt.Fprintln(p.w, s)
}

func (p *progress) plain(e pull.Event) {
	switch e.State {
	case pull.Downloading:
		fmt.Fprintf(p.w, "layer %d %s: downloading %s\n", e.Layer, format.ShortDigest(e.Digest.String()), format.Size(e.Total))
	case pull.Verifying:
		fmt.Fprintf(p.w, "layer %d %s: downloaded %s, digest verified\n", e.Layer, format.ShortDigest(e.Digest.String()), format.Size(e.Done))
	case pull.Done:
		fmt.Fprintf(p.w, "layer %d %s: DiffID verified, merged\n", e.Layer, format.ShortDigest(e.Digest.String()))
	case pull.Failed:
		fmt.Fprintf(p.w, "layer %d %s: failed: %v\n", e.Layer, format.ShortDigest(e.Digest.String()), e.Err)
	}
}

func (p *progress) clear() {
	if p.drawn > 0 {
		fmt.Fprintf(p.w, "\x1b[%dA\x1b[J", p.drawn)
		p.drawn = 0
	}
}

func (p *progress) redraw() {
	p.clear()
	p.last = p.now()
	for i, e := range p.layers {
		fmt.Fprintln(p.w, p.bar(i, e))
	}
	p.drawn = len(p.layers)
}

func (p *progress) bar(i int, e pull.Event) string {
	const width = 30
	frac := 0.0
	if e.Total > 0 {
		frac = min(float64(e.Done)/float64(e.Total), 1)
	}
	if e.State == pull.Done || e.State == pull.Verifying {
		frac = 1
	}
	n := int(frac * width)
	bar := strings.Repeat("=", n) + strings.Repeat(" ", width-n)
	rate := ""
	if e.State == pull.Downloading && !p.start[i].IsZero() {
		if secs := p.now().Sub(p.start[i]).Seconds(); secs > 0.2 {
			rate = format.Size(int64(float64(e.Done)/secs)) + "/s"
		}
	}
	return fmt.Sprintf("%3d %s [%s] %9s / %-9s %-11s %s", i, format.ShortDigest(e.Digest.String()), bar, format.Size(e.Done), format.Size(e.Total), e.State, rate)
}

// finish leaves the final bars on screen.
func (p *progress) finish() {
	if p.tty && len(p.layers) > 0 {
		p.redraw()
	}
}
