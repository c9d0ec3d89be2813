//go:build js

package view

import (
	"errors"
	"fmt"
	"sort"
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
	samples     []sample // recent (time, bytes) while downloading, for the rate
}

// sample is how many bytes a layer had at one moment.
type sample struct {
	t    time.Time
	done int64
}

// rateWindow is how far back the shown rate looks.
const rateWindow = 2 * time.Second

// progress draws one bar per layer: index, short digest, bar, bytes done
// of total, rate while downloading, and state. The rows are one grid
// (each .layer-bar is display: contents), so the columns fit the widest
// text and nothing leaves a gap.
type progress struct {
	root dom.HTMLElement
	bars map[int]*bar
}

func newProgress(root dom.HTMLElement) *progress {
	return &progress{root: root, bars: map[int]*bar{}}
}

func (p *progress) reset() {
	p.bars = map[int]*bar{}
	p.root.SetInnerHTML(`<div class="bars"></div>`)
	p.root.Class().Remove("collapsed")
}

func (p *progress) bar(layer int, digest string) *bar {
	if b := p.bars[layer]; b != nil {
		return b
	}
	doc := dom.GetWindow().Document()
	el := doc.CreateElement("div").(dom.HTMLElement)
	el.SetAttribute("class", "layer-bar")
	el.SetAttribute("data-layer", fmt.Sprint(layer))
	el.SetAttribute("data-state", "waiting")
	el.SetInnerHTML(fmt.Sprintf(`<span class="idx">L%d</span><span class="dg mono" title="%s">%s</span>`+
		`<span class="track"><span class="fill"></span></span><span class="bytes mono"></span><span class="rate mono"></span><span class="st">waiting</span>`,
		layer, esc(digest), esc(format.ShortDigest(digest))))
	b := &bar{el: el}
	b.fill = el.QuerySelector(".fill").(dom.HTMLElement)
	b.bytes = el.QuerySelector(".bytes").(dom.HTMLElement)
	b.rate = el.QuerySelector(".rate").(dom.HTMLElement)
	b.state = el.QuerySelector(".st").(dom.HTMLElement)
	p.bars[layer] = b
	// Keep the bars in layer order.
	container := p.root.QuerySelector(".bars")
	idx := make([]int, 0, len(p.bars))
	for i := range p.bars {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	for _, i := range idx {
		if i > layer {
			container.InsertBefore(el, p.bars[i].el)
			return b
		}
	}
	container.AppendChild(el)
	return b
}

// setState shows a state word (and an optional longer text as its title).
func (b *bar) setState(state, label, title string) {
	b.el.SetAttribute("data-state", state)
	b.state.SetTextContent(label)
	if title == "" {
		title = label
	}
	b.state.SetAttribute("title", title)
}

// event updates a layer's bar from a progress event.
func (p *progress) event(ev msg.Progress) {
	if ev.Layer < 0 {
		return
	}
	b := p.bar(ev.Layer, ev.Digest)
	state := ev.State
	if state == "" {
		state = "downloading"
	}
	label := state
	if ev.Message != "" {
		label = ev.Message
	}
	title := ""
	if ev.Error != nil {
		if ev.State == "" {
			state = "failed"
		}
		label, title = "✗ "+strings.ReplaceAll(ev.Error.Kind, "-", " "), ev.Error.Message
	}
	b.setState(state, label, title)
	if ev.Total > 0 {
		pct := float64(ev.Done) / float64(ev.Total) * 100
		b.fill.Style().SetProperty("width", fmt.Sprintf("%.1f%%", min(pct, 100)), "")
		b.bytes.SetTextContent(format.Size(ev.Done) + " / " + format.Size(ev.Total))
	} else if ev.Done > 0 {
		b.bytes.SetTextContent(format.Size(ev.Done))
	}
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
func (p *progress) finish(img *msg.PullResult) {
	for _, l := range img.Layers {
		b := p.bar(l.Index, l.Digest)
		b.setState("done", "✓ verified", "digest and DiffID verified")
		b.fill.Style().SetProperty("width", "100%", "")
		b.bytes.SetTextContent(format.Size(l.Size) + " → " + format.Size(l.UncompressedSize))
		b.bytes.SetAttribute("title", "compressed → uncompressed")
		b.samples = nil
		b.rate.SetTextContent("")
	}
	p.root.Class().Add("collapsed")
}

// failed marks the layer a pull error names.
func (p *progress) failed(err error) {
	var info *msg.ErrorInfo
	if !errors.As(err, &info) || info.Layer < 0 {
		return
	}
	b := p.bar(info.Layer, info.Digest)
	b.setState("failed", "✗ "+strings.ReplaceAll(info.Kind, "-", " "), info.Message)
	b.rate.SetTextContent("")
}
