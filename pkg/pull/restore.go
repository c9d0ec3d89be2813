package pull

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/regscope/regscope/pkg/layers"
)

// Layers listed from a kept index (Options.Indexes). A layer whose blob
// digest and DiffID a pull verifies is kept as a LayerIndex; a later pull
// of an image whose manifest names the same blob and whose config names the
// same DiffID for it takes the layer's entries from the index instead of
// downloading, inflating and hashing the blob. Its Checks say so.
//
// Such a layer's file contents are not read at pull time: each regular
// file's Content reads the blob again — verified against its digest, its
// inflated stream against the DiffID, its entries against the index — the
// first time any file of the layer is read, and only then answers. A read
// that cannot be verified fails; it never returns other bytes.

// indexState is what a pull knows of the indexes: the config's DiffIDs and
// which blobs were listed from an index.
type indexState struct {
	diffIDs []digest.Digest // nil for schema1, whose configs list none

	mu       sync.Mutex
	restored map[digest.Digest]string // blob → LayerIndex.Source
}

// setDiffIDs records the config's DiffIDs, which select kept indexes.
func (p *puller) setDiffIDs(img *Image) {
	p.indexes = &indexState{restored: map[digest.Digest]string{}}
	if img.Config.Digest != "" {
		p.indexes.diffIDs = img.Image.RootFS.DiffIDs
	}
}

// restore lists layer i from its kept index, ok == false when there is
// none to use.
func (p *puller) restore(i int, d v1.Descriptor) (*layers.ChangeSet, layers.Stats, bool) {
	x := p.opts.Indexes
	if x == nil || p.indexes == nil || i >= len(p.indexes.diffIDs) {
		return nil, layers.Stats{}, false
	}
	want := p.indexes.diffIDs[i]
	idx, ok := x.LayerIndex(d.Digest, want)
	if !ok {
		return nil, layers.Stats{}, false
	}
	if idx.Changes == nil || idx.Stats.DiffID != want {
		x.DropLayerIndex(d.Digest, want, fmt.Sprintf("layer index %s is not that of DiffID %s and was dropped", d.Digest, want))
		return nil, layers.Stats{}, false
	}
	r := &rematerial{p: p, i: i, d: d, diffID: want, index: idx.Changes}
	cs := &layers.ChangeSet{Entries: make([]*layers.Entry, len(idx.Changes.Entries))}
	for j, e := range idx.Changes.Entries {
		c := *e
		c.Content = nil
		if e.Type == layers.TypeFile && e.Content != nil {
			c.Content = &lazyContent{r: r, j: j, size: e.Content.Size()}
		}
		cs.Entries[j] = &c
	}
	p.indexes.mu.Lock()
	p.indexes.restored[d.Digest] = idx.Source
	p.indexes.mu.Unlock()
	p.rep.emit(Event{Phase: PhaseLayers, Layer: i, Digest: d.Digest, State: Verifying, Done: d.Size, Total: d.Size,
		Message: "index from " + idx.Source})
	return cs, idx.Stats, true
}

// restoredFrom says where blob's entries came from: "" when they were read
// from the blob in this pull.
func (p *puller) restoredFrom(blob digest.Digest) string {
	if p.indexes == nil {
		return ""
	}
	p.indexes.mu.Lock()
	defer p.indexes.mu.Unlock()
	return p.indexes.restored[blob]
}

// keepIndex keeps the index of layer i, whose blob digest and DiffID have
// just been verified, unless it was itself listed from one.
func (p *puller) keepIndex(i int, d v1.Descriptor, cs *layers.ChangeSet, st layers.Stats) {
	if p.opts.Indexes == nil || p.indexes == nil || i >= len(p.indexes.diffIDs) || p.restoredFrom(d.Digest) != "" {
		return
	}
	p.opts.Indexes.PutLayerIndex(d.Digest, st.DiffID, &LayerIndex{Changes: cs, Stats: st})
}

// indexedChecks are the checks of layer i: layerChecks, with where its
// entries came from when they were listed from an index.
func (p *puller) indexedChecks(i int, d digest.Digest, img *Image) []Check {
	cs := layerChecks(i, d, img)
	if src := p.restoredFrom(d); src != "" {
		for k := range cs {
			cs[k].How = "verified when first pulled; index from " + src
		}
	}
	return cs
}

// rematerial reads a restored layer's blob again, once it is first needed.
type rematerial struct {
	p      *puller
	i      int
	d      v1.Descriptor
	diffID digest.Digest
	index  *layers.ChangeSet

	mu       sync.Mutex
	contents []layers.Content // by entry, once read; nil until then
}

// Materialise reads the layer's blob (from the blob cache or the registry,
// its digest checked), checks its DiffID and that its entries are the
// index's, and returns entry j's verified content. progress, when set, is
// told how the read goes. A failure is returned to this call only; the
// next call tries again.
func (r *rematerial) content(ctx context.Context, j int, progress func(Event)) (layers.Content, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.contents == nil {
		q := *r.p
		q.rep = &reporter{fn: progress}
		q.rep.emit(Event{Phase: PhaseLayers, Layer: r.i, Digest: r.d.Digest, State: Waiting, Total: r.d.Size,
			Message: fmt.Sprintf("reading the contents of layer %d (listed from its index) and verifying them", r.i)})
		cs, st, err := q.layer(ctx, r.i, r.d)
		if err != nil {
			return nil, layerError(r.i, r.d, err)
		}
		if st.DiffID != r.diffID {
			return nil, &DiffIDError{Layer: r.i, Digest: r.d.Digest, Want: r.diffID, Got: st.DiffID}
		}
		if err := sameEntries(r.index, cs); err != nil {
			return nil, fmt.Errorf("layer %d (%s): %w", r.i, r.d.Digest, err)
		}
		contents := make([]layers.Content, len(cs.Entries))
		for k, e := range cs.Entries {
			contents[k] = e.Content
		}
		r.contents = contents
		q.rep.emit(Event{Phase: PhaseLayers, Layer: r.i, Digest: r.d.Digest, State: Done, Done: r.d.Size, Total: r.d.Size})
	}
	if c := r.contents[j]; c != nil {
		return c, nil
	}
	return nil, fmt.Errorf("layer %d (%s): entry %s has no content", r.i, r.d.Digest, r.index.Entries[j].Path)
}

// errIndexMismatch reports a layer whose entries are not its index's.
var errIndexMismatch = errors.New("the layer's entries are not those of its kept index")

// sameEntries checks that read lists what the index listed.
func sameEntries(index, read *layers.ChangeSet) error {
	if len(index.Entries) != len(read.Entries) {
		return fmt.Errorf("%w: %d entries, the index has %d", errIndexMismatch, len(read.Entries), len(index.Entries))
	}
	for k, e := range read.Entries {
		x := index.Entries[k]
		if e.Path != x.Path || e.Type != x.Type || (e.Type == layers.TypeFile && e.Size != x.Size) {
			return fmt.Errorf("%w: entry %d is %s %s, the index has %s %s", errIndexMismatch, k, e.Type, e.Path, x.Type, x.Path)
		}
	}
	return nil
}

// lazyContent is a restored file's content: verified bytes read from the
// blob again on first use.
type lazyContent struct {
	r    *rematerial
	j    int // the entry's position in the layer
	size int64
}

// Size implements layers.Content.
func (c *lazyContent) Size() int64 { return c.size }

// ReadAt implements layers.Content: it waits for the layer's contents.
func (c *lazyContent) ReadAt(b []byte, off int64) (int, error) {
	real, err := c.r.content(context.Background(), c.j, nil)
	if err != nil {
		return 0, err
	}
	return real.ReadAt(b, off)
}

// Materialise returns the verified content, reading the layer's blob
// again first if this is its first use, with progress told how that goes.
func (c *lazyContent) Materialise(ctx context.Context, progress func(Event)) (layers.Content, error) {
	return c.r.content(ctx, c.j, progress)
}

// Materialiser is a Content whose bytes are read and verified on first
// use (a layer listed from its kept index). A front end that wants to
// show that read's progress calls Materialise before reading; ReadAt alone
// waits for it too.
type Materialiser interface {
	layers.Content
	Materialise(ctx context.Context, progress func(Event)) (layers.Content, error)
}
