package engine

import (
	"context"
	"fmt"
	"path"
	"sync"

	"github.com/regscope/regscope/pkg/diff"
	"github.com/regscope/regscope/pkg/manifest"
	"github.com/regscope/regscope/pkg/pull"
	"github.com/regscope/regscope/wasm/msg"
)

// Comparison holds the last comparison: image B and the result. Image A is
// the engine's current image.
type Comparison struct {
	mu   sync.Mutex
	a, b *pull.Image
	res  *diff.Result
}

// Set keeps a comparison (nil images: none).
func (c *Comparison) Set(a, b *pull.Image, res *diff.Result) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.a, c.b, c.res = a, b, res
}

func (c *Comparison) get() (a, b *pull.Image, res *diff.Result, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.res == nil {
		return nil, nil, nil, &msg.ErrorInfo{Kind: msg.ErrNoImage, Message: "no comparison yet", Layer: -1}
	}
	return c.a, c.b, c.res, nil
}

// Compare pulls A and B at once (common layers downloaded once) and
// compares them.
func Compare(ctx context.Context, req msg.CompareRequest, oa, ob pull.Options) (a, b *pull.Image, res *diff.Result, err error) {
	oa.Platform = req.Platform
	ob.Platform = req.ComparePlatform
	if ob.Platform == "" {
		ob.Platform = req.Platform
	}
	a, b, err = diff.Pull(ctx, req.Ref, req.Compare, oa, ob)
	if err != nil {
		return nil, nil, nil, err
	}
	res, err = diff.Images(a, b, "/")
	if err != nil {
		return nil, nil, nil, err
	}
	return a, b, res, nil
}

// sideEvent turns an event of the pull of one side of a comparison into a
// whole-pull message starting with the side ("B: layer 2 verified"), so it
// cannot be mistaken for a layer of the current image; ok is false for the
// events not worth a message (byte counts, a layer's intermediate states).
func sideEvent(ev pull.Event, side string) (out pull.Event, ok bool) {
	switch {
	case ev.Layer < 0 && ev.Message != "":
		return pull.Event{Phase: ev.Phase, Layer: -1, Message: side + ": " + ev.Message}, true
	case ev.Layer >= 0 && ev.State == pull.Done:
		return pull.Event{Phase: ev.Phase, Layer: -1, Message: fmt.Sprintf("%s: layer %d verified", side, ev.Layer)}, true
	}
	return pull.Event{}, false
}

// Diff is the message for the kept comparison.
func (c *Comparison) Diff() (*msg.DiffResult, error) {
	_, b, res, err := c.get()
	if err != nil {
		return nil, err
	}
	r := &msg.DiffResult{A: res.A, B: res.B, Summary: res.Summary, Config: res.Config, Layers: res.Layers,
		Files: make([]msg.DiffFile, 0, len(res.Files))}
	for _, p := range b.Platforms {
		r.BPlatforms = append(r.BPlatforms, manifest.FormatPlatform(p))
	}
	for _, f := range res.Files {
		df := msg.DiffFile{Path: f.Path, Change: string(f.Change), Fields: f.Fields}
		if f.A != nil {
			e := EntryOf(f.A)
			df.A = &e
		}
		if f.B != nil {
			e := EntryOf(f.B)
			df.B = &e
		}
		r.Files = append(r.Files, df)
	}
	return r, nil
}

// DiffContent is the content diff of one path of the kept comparison.
func (c *Comparison) DiffContent(req msg.DiffContentRequest) (*diff.ContentDiff, error) {
	a, b, _, err := c.get()
	if err != nil {
		return nil, err
	}
	p := path.Clean("/" + req.Path)
	ea, _ := a.FS.Lstat(p)
	eb, _ := b.FS.Lstat(p)
	if ea == nil && eb == nil {
		return nil, notFound(p)
	}
	return diff.Content(p, ea, eb, req.MaxLines)
}
