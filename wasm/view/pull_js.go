//go:build js

package view

import (
	"fmt"
	"syscall/js"
	"time"

	"github.com/regscope/regscope/wasm/msg"
)

// puller owns the pull: what was asked last, the request in flight, the
// credentials given in this tab, and the image it produced. Engine events
// reach the progress bars and the status; the result reaches the page.
type puller struct {
	p          *Page
	bars       *progress
	ref, plat  string // asked last
	cmp, cplat string // the image compared with (compare=, compare-platform=) asked last
	local      string // the local file's name, when that was asked last
	asked      bool
	id         int64 // the request in flight, 0 for none
	started    time.Time
	creds      []msg.Credential
	img        *msg.PullResult // nil before, during and after a failed pull
	merged     *msg.Merged     // the layers merged so far while the pull goes on; nil before the first
}

func newPuller(p *Page) *puller {
	return &puller{p: p, bars: newProgress(p, p.el("progress"))}
}

// has reports whether the last pull asked for ref and plat, and for the
// comparison the URL names.
func (u *puller) has(ref, plat string) bool {
	s := u.p.state()
	return u.asked && u.local == "" && u.ref == ref && u.plat == plat && u.cmp == s.Compare && u.cplat == s.ComparePlatform
}

// hasLocal reports whether the last pull opened the local file name.
func (u *puller) hasLocal(name string) bool { return u.asked && u.local == name }

// forget makes the next apply pull again.
func (u *puller) forget() { u.asked = false }

// stop cancels a pull in flight and drops the image.
func (u *puller) stop() {
	if u.id != 0 {
		u.p.c.cancel(u.id)
		u.id = 0
	}
	u.img, u.merged, u.asked = nil, nil, false
	u.bars.reset()
	setHidden(u.bars.root, true)
}

// credential adds a registry login and pulls again with it.
func (u *puller) credential(c msg.Credential) {
	u.creds = append(u.creds, c)
	u.forget()
	u.p.apply(u.p.state())
}

// start pulls ref for plat, cancelling any pull in flight.
func (u *puller) start(ref, plat string) {
	u.stop()
	u.ref, u.plat, u.local, u.asked = ref, plat, "", true
	u.begin("resolving " + ref + "…")
	req := msg.PullRequest{Ref: ref, Platform: plat, Credentials: u.creds}
	s := u.p.state()
	u.cmp, u.cplat = s.Compare, s.ComparePlatform
	if u.cmp != "" { // both images at once; A's answer is the same as a pull's
		u.id = u.p.c.ask(msg.KindCompare, msg.CompareRequest{PullRequest: req, Compare: u.cmp, ComparePlatform: u.cplat}, u.progress, u.done)
		return
	}
	u.id = u.p.c.ask(msg.KindPull, req, u.progress, u.done)
	u.p.c.onMerged(u.id, u.onMerged)
}

// onMerged shows the files of the layers merged so far, while the later
// ones still load (the progressive pull).
func (u *puller) onMerged(m msg.Merged) {
	first := u.merged == nil
	u.merged = &m
	u.p.partial(m, first)
}

// startLocal opens file (a JavaScript File) in the engine, cancelling any
// pull in flight. The file is read there, in slices; nothing is uploaded.
func (u *puller) startLocal(file js.Value) {
	u.stop()
	name := file.Get("name").String()
	u.ref, u.plat, u.cmp, u.cplat, u.local, u.asked = "", "", "", "", name, true
	u.begin("opening " + name + " (read in this tab, not uploaded)…")
	req := msg.LocalRequest{Name: name, Size: int64(file.Get("size").Float())}
	u.id = u.p.c.askFile(msg.KindLocal, req, file, u.progress, u.done)
}

// begin shows a pull starting.
func (u *puller) begin(what string) {
	u.started = time.Now()
	u.p.showImage(false)
	u.p.status.clearError()
	setHidden(u.bars.root, false)
	u.p.header.setLink(u.p.state())
	u.p.status.set("pulling", what)
}

// progress shows one engine event.
func (u *puller) progress(ev msg.Progress) {
	u.bars.event(ev)
	switch {
	case ev.Layer >= 0 && ev.Message != "":
		u.p.status.set("pulling", fmt.Sprintf("layer %d: %s", ev.Layer, ev.Message))
	case ev.Layer >= 0:
	case ev.Message != "":
		u.p.status.set("pulling", ev.Message)
	case ev.Phase != "":
		u.p.status.set("pulling", ev.Phase+"…")
	}
}

// done takes the pull's answer.
func (u *puller) done(r reply) {
	u.id = 0
	var img msg.PullResult
	if err := r.decode(&img); err != nil {
		if u.merged != nil { // nothing of a failed pull stays visible
			u.merged = nil
			u.p.showImage(false)
		}
		u.bars.failed(err)
		u.p.status.showError(err)
		return
	}
	u.img = &img
	u.bars.finish(&img)
	u.p.start.opened(u.ref)
	u.p.cache.refresh(false)
	took := time.Since(u.started)
	u.p.loaded(&img) // in several tasks: the status says verified once every view has drawn
	u.p.status.set("verified", fmt.Sprintf("✓ %s · %d layers · %d files · %.1f s",
		img.Verification, len(img.Layers), img.Files, took.Seconds()))
}
