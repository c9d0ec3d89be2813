//go:build js

package view

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"honnef.co/go/js/dom/v2"

	"github.com/regscope/regscope/internal/format"
	"github.com/regscope/regscope/wasm/msg"
)

// bar is one layer's progress row.
type bar struct {
	el          dom.HTMLElement
	fill, bytes dom.HTMLElement
	rate, state dom.HTMLElement
	st          string   // its state word: "waiting", "downloading", "done", "failed", …
	done, total int64    // bytes
	samples     []sample // recent (time, bytes) while downloading, for the rate
}

// sample is how many bytes a layer had at one moment.
type sample struct {
	t    time.Time
	done int64
}

// rateWindow is how far back the shown rate looks.
const rateWindow = 2 * time.Second

// progress owns the pull's progress: a summary bar ("N of M layers", bytes)
// and, behind an expand control, one row per layer: index, short digest,
// bar, bytes done of total, rate while downloading, and state. The rows are
// one grid (each .layer-bar is display: contents), so the columns fit the
// widest text.
type progress struct {
	root    dom.HTMLElement
	sumText dom.HTMLElement
	sumFill dom.HTMLElement
	toggle  dom.HTMLElement
	list    dom.HTMLElement
	bars    map[int]*bar
	order   []int // layer indexes, ascending
	open    bool  // every row shown
}

func newProgress(p *Page, root dom.HTMLElement) *progress {
	g := &progress{root: root}
	g.sumText = span("sum-text", "")
	g.sumFill = span("fill", "")
	g.toggle = button("Show layers", "id", "progress-toggle", "aria-expanded", "false", "aria-controls", "progress-bars")
	g.list = elem("div", "class", "bars", "id", "progress-bars", "hidden", "")
	sum := add(elem("div", "class", "summary", "id", "progress-summary"),
		g.sumText, add(span("track", ""), g.sumFill), g.toggle)
	fill(root, sum, g.list)
	listen(p.loop, g.toggle, "click", func(dom.Event) { g.expand(!g.open) })
	g.reset()
	return g
}

// expand shows every row (or only the summary).
func (g *progress) expand(open bool) {
	g.open = open
	setHidden(g.list, !open)
	g.toggle.SetAttribute("aria-expanded", strconv.FormatBool(open))
	g.toggle.SetTextContent(map[bool]string{true: "Hide layers", false: "Show layers"}[open])
}

func (g *progress) reset() {
	g.bars, g.order = map[int]*bar{}, nil
	g.list.SetTextContent("")
	g.root.SetAttribute("data-layers", "0")
	g.expand(false)
	g.summarize()
}

// summarize draws the summary bar from the rows.
func (g *progress) summarize() {
	var n, failed int
	var done, total int64
	for _, b := range g.bars {
		switch b.st {
		case "done":
			n++
		case "failed":
			failed++
		}
		done, total = done+b.done, total+b.total
	}
	text := fmt.Sprintf("%d of %d layers", n, len(g.bars))
	if total > 0 {
		text += " · " + format.Size(done) + " / " + format.Size(total)
		g.sumFill.Style().SetProperty("width", fmt.Sprintf("%.1f%%", min(float64(done)/float64(total)*100, 100)), "")
	}
	if failed > 0 {
		text += fmt.Sprintf(" · %d failed", failed)
	}
	g.sumText.SetTextContent(text)
	g.root.SetAttribute("data-layers", strconv.Itoa(len(g.bars)))
	g.root.SetAttribute("data-done", strconv.Itoa(n))
	setHidden(g.toggle, len(g.bars) == 0)
}

// bar returns layer's row, making it (in layer order) the first time.
func (g *progress) bar(layer int, digest string) *bar {
	if b := g.bars[layer]; b != nil {
		return b
	}
	b := &bar{st: "waiting", fill: span("fill", ""), bytes: span("bytes mono", ""), rate: span("rate mono", ""), state: span("st", "waiting")}
	dg := span("dg mono", format.ShortDigest(digest))
	dg.SetAttribute("title", digest)
	b.el = elem("div", "class", "layer-bar", "data-layer", strconv.Itoa(layer), "data-state", "waiting")
	add(b.el, span("idx", "L"+strconv.Itoa(layer)), dg, add(span("track", ""), b.fill), b.bytes, b.rate, b.state)
	g.bars[layer] = b
	i := 0
	for i < len(g.order) && g.order[i] < layer {
		i++
	}
	if i < len(g.order) {
		g.list.InsertBefore(b.el, g.bars[g.order[i]].el)
	} else {
		g.list.AppendChild(b.el)
	}
	g.order = append(g.order[:i], append([]int{layer}, g.order[i:]...)...)
	return b
}

// setState shows a state word (and an optional longer text as its title).
func (b *bar) setState(state, label, title string) {
	b.st = state
	b.el.SetAttribute("data-state", state)
	b.state.SetTextContent(label)
	if title == "" {
		title = label
	}
	b.state.SetAttribute("title", title)
}

// setBytes shows done of total bytes.
func (b *bar) setBytes(done, total int64) {
	b.done, b.total = done, max(total, b.total)
	if total > 0 {
		pct := float64(done) / float64(total) * 100
		b.fill.Style().SetProperty("width", fmt.Sprintf("%.1f%%", min(pct, 100)), "")
		b.bytes.SetTextContent(format.Size(done) + " / " + format.Size(total))
	} else if done > 0 {
		b.bytes.SetTextContent(format.Size(done))
	}
}

// event updates a layer's row from a progress event.
func (g *progress) event(ev msg.Progress) {
	if ev.Layer < 0 {
		return
	}
	defer g.summarize()
	b := g.bar(ev.Layer, ev.Digest)
	state, label, title := ev.State, ev.State, ""
	if state == "" {
		state, label = "downloading", "downloading"
	}
	if ev.Message != "" {
		label = ev.Message
	}
	if ev.Error != nil {
		if ev.State == "" {
			state = "failed"
		}
		label, title = "✗ "+strings.ReplaceAll(ev.Error.Kind, "-", " "), ev.Error.Message
	}
	b.setState(state, label, title)
	b.setBytes(ev.Done, ev.Total)
	if state != "downloading" {
		b.samples = nil
		b.rate.SetTextContent("")
		return
	}
	now := time.Now()
	b.samples = append(b.samples, sample{now, ev.Done})
	for len(b.samples) > 2 && now.Sub(b.samples[1].t) > rateWindow {
		b.samples = b.samples[1:]
	}
	if first := b.samples[0]; now.Sub(first.t) > 300*time.Millisecond && ev.Done >= first.done {
		b.rate.SetTextContent(format.Rate(float64(ev.Done-first.done) / now.Sub(first.t).Seconds()))
	}
}

// finish marks every layer verified after a successful pull.
func (g *progress) finish(img *msg.PullResult) {
	for _, l := range img.Layers {
		b := g.bar(l.Index, l.Digest)
		if l.FromIndex != "" {
			b.setState("done", "✓ from cache", "digest and DiffID verified when first pulled; index from "+l.FromIndex)
		} else {
			b.setState("done", "✓ verified", "digest and DiffID verified")
		}
		b.setBytes(l.Size, l.Size)
		b.bytes.SetTextContent(format.Size(l.Size) + " → " + format.Size(l.UncompressedSize))
		b.bytes.SetAttribute("title", "compressed → uncompressed")
		b.samples = nil
		b.rate.SetTextContent("")
	}
	g.summarize()
	g.expand(false)
}

// failed marks the layer a pull error names.
func (g *progress) failed(err error) {
	var info *msg.ErrorInfo
	if !errors.As(err, &info) || info.Layer < 0 {
		return
	}
	b := g.bar(info.Layer, info.Digest)
	b.setState("failed", "✗ "+strings.ReplaceAll(info.Kind, "-", " "), info.Message)
	b.rate.SetTextContent("")
	g.summarize()
	g.expand(true)
}
