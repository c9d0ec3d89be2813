package pull

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/regscope/regscope/pkg/layers"
	"github.com/regscope/regscope/pkg/manifest"
	"github.com/regscope/regscope/pkg/registry"
)

// withRetryEvents makes the client's retries visible as progress messages,
// keeping any OnRetry the caller set.
func withRetryEvents(o registry.Options, rep *reporter) registry.Options {
	next := o.OnRetry
	o.OnRetry = func(url string, attempt int, wait time.Duration, err error) {
		rep.emit(Event{Phase: PhaseLayers, Layer: -1,
			Message: fmt.Sprintf("retrying %s in %s (attempt %d): %v", url, wait.Round(time.Millisecond), attempt+1, err)})
		if next != nil {
			next(url, attempt, wait, err)
		}
	}
	return o
}

// withRateLimitEvents reports a registry's pull quota as a progress message
// when it runs low ("docker.io: 3 of 100 pulls left per 6h"), keeping any
// OnRateLimit the caller set.
func withRateLimitEvents(o registry.Options, rep *reporter) registry.Options {
	next := o.OnRateLimit
	o.OnRateLimit = func(host string, r registry.RateLimit) {
		if r.Low() {
			rep.emit(Event{Phase: PhaseManifest, Layer: -1, Message: fmt.Sprintf("%s: %s", host, r)})
		}
		if next != nil {
			next(host, r)
		}
	}
	return o
}

// fetched is the outcome of reading one distinct blob.
type fetched struct {
	changes *layers.ChangeSet
	stats   layers.Stats
	err     error
	done    chan struct{}
}

// layers downloads every layer (each distinct digest once, at most
// Concurrency at a time), verifies digests and DiffIDs, and merges them in
// order into a new FS.
func (p *puller) layers(ctx context.Context, descs []v1.Descriptor, img *Image) error {
	// Deferred first, so it runs after cancel: no download outlives the
	// pull, and no progress event comes after Pull returns.
	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	p.setDiffIDs(img)
	p.rep.phase(PhaseLayers, fmt.Sprintf("fetching %d layers", len(descs)))
	return p.merge(ctx, descs, p.download(ctx, cancel, &wg, descs), img)
}

// download starts one reader per distinct digest, Concurrency at a time,
// and returns each layer's (possibly shared) outcome. The first failure
// cancels ctx with itself as the cause, stopping the others.
func (p *puller) download(ctx context.Context, cancel context.CancelCauseFunc, wg *sync.WaitGroup, descs []v1.Descriptor) []*fetched {
	byDigest := map[digest.Digest]*fetched{}
	order := make([]*fetched, len(descs))
	sem := make(chan struct{}, p.opts.Concurrency)
	for i, d := range descs {
		if f, ok := byDigest[d.Digest]; ok {
			order[i] = f
			continue
		}
		f := &fetched{done: make(chan struct{})}
		byDigest[d.Digest], order[i] = f, f
		p.rep.emit(Event{Phase: PhaseLayers, Layer: i, Digest: d.Digest, State: Waiting, Total: d.Size})
		wg.Go(func() {
			defer close(f.done)
			f.changes, f.stats, f.err = p.obtain(ctx, sem, i, d)
			if f.err == nil {
				f.err = p.budget.add(f.stats)
			}
			if f.err != nil {
				cancel(layerError(i, d, f.err))
			}
		})
	}
	return order
}

// obtain reads layer i, downloading it when no pull sharing Options.Shared
// already did, with at most Concurrency downloads at once.
func (p *puller) obtain(ctx context.Context, sem chan struct{}, i int, d v1.Descriptor) (*layers.ChangeSet, layers.Stats, error) {
	fetch := func() (*layers.ChangeSet, layers.Stats, error) {
		if cs, st, ok := p.restore(i, d); ok {
			return cs, st, nil
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return nil, layers.Stats{}, ctx.Err()
		}
		defer func() { <-sem }()
		return p.layer(ctx, i, d)
	}
	if p.opts.Shared == nil {
		return fetch()
	}
	return p.opts.Shared.read(ctx, d.Digest, fetch)
}

// merge waits for each layer in order, checks its DiffID against the
// config, and applies it to a new FS, which it sets on img with the layers.
func (p *puller) merge(ctx context.Context, descs []v1.Descriptor, order []*fetched, img *Image) error {
	fsys := layers.NewFS()
	img.FS = fsys // seen only through Options.Merged before Pull returns
	hist := manifest.LayerHistory(img.Image, len(descs))
	var diffIDs []digest.Digest
	for i, d := range descs {
		f := order[i]
		select {
		case <-f.done:
		case <-ctx.Done():
			cause := context.Cause(ctx)
			if errors.Is(cause, context.Canceled) || errors.Is(cause, context.DeadlineExceeded) {
				return layerError(i, d, cause) // the caller gave up: name the layer still unfinished
			}
			return cause
		}
		if f.err != nil {
			if cause := context.Cause(ctx); cause != nil {
				return cause // the first failure, not the cancellations it caused
			}
			return layerError(i, d, f.err)
		}
		if img.Config.Digest != "" {
			if want := img.Image.RootFS.DiffIDs[i]; want != f.stats.DiffID {
				err := &DiffIDError{Layer: i, Digest: d.Digest, Want: want, Got: f.stats.DiffID}
				p.rep.emit(Event{Phase: PhaseLayers, Layer: i, Digest: d.Digest, State: Failed, Err: err})
				return err
			}
		}
		if err := p.apply(img, Layer{Index: i, Digest: d.Digest, MediaType: d.MediaType, Size: d.Size,
			DiffID: f.stats.DiffID, UncompressedSize: f.stats.Size, History: hist[i], Changes: f.changes,
			FromIndex: p.restoredFrom(d.Digest)}); err != nil {
			return layerError(i, d, err)
		}
		diffIDs = append(diffIDs, f.stats.DiffID)
		img.Checks = append(img.Checks, p.indexedChecks(i, d.Digest, img)...)
		p.rep.emit(Event{Phase: PhaseLayers, Layer: i, Digest: d.Digest, State: Done, Done: d.Size, Total: d.Size})
		if p.opts.Merged != nil {
			p.opts.Merged(img, len(descs))
		}
		p.keepIndex(i, d, f.changes, f.stats)
	}
	if img.Config.Digest == "" { // schema1: the DiffIDs come from the content
		img.Image.RootFS = v1.RootFS{Type: "layers", DiffIDs: diffIDs}
	}
	return nil
}

// apply merges one verified layer into img under Options.Lock.
func (p *puller) apply(img *Image, l Layer) error {
	if p.opts.Lock != nil {
		p.opts.Lock.Lock()
		defer p.opts.Lock.Unlock()
	}
	// MaxEntries needs no check here: the budget counted every layer's
	// entries, which the merged tree can only have fewer of.
	st, err := img.FS.Apply(l.Index, l.Changes)
	if err != nil {
		return err
	}
	l.Stats = st
	img.Layers = append(img.Layers, l)
	return nil
}

// layer downloads one blob (or reads it from the cache) and reads it into a
// change set. The registry's reader (and the cache's) verifies the blob's
// size and digest; layers.Read drains it to the end so that check always
// runs. A blob that fails that check is read once more with caches
// bypassed (a mirror or proxy may have served it) before the layer fails.
func (p *puller) layer(ctx context.Context, i int, d v1.Descriptor) (*layers.ChangeSet, layers.Stats, error) {
	codec := p.opts.Codec
	cs, st, err := p.layerWith(ctx, i, d, &codec)
	if registry.IsCorrupt(err) && ctx.Err() == nil {
		p.rep.emit(Event{Phase: PhaseLayers, Layer: -1,
			Message: fmt.Sprintf("layer %d: %v; fetching it again from the registry, bypassing caches", i, registry.Corruption(err))})
		cs, st, err = p.layerWith(registry.WithoutCaches(ctx), i, d, &codec)
	}
	if err != nil {
		p.fail(ctx, Event{Phase: PhaseLayers, Layer: i, Digest: d.Digest, Total: d.Size}, err)
	}
	return cs, st, err
}

// layerWith is layerOnce with *codec. When the codec's gzip inflater cannot
// decode the layer (layers.ErrGunzipFallback), it says so in a progress
// message and reads the layer again from its start with Go's inflater (and
// the codec's SHA-256), which *codec keeps for any later attempt. The
// failed attempt took nothing from the budget: layers.Read gave back the
// contents it had stored, and the budget counts only layers read whole.
func (p *puller) layerWith(ctx context.Context, i int, d v1.Descriptor, codec *layers.Codec) (*layers.ChangeSet, layers.Stats, error) {
	cs, st, err := p.layerOnce(ctx, i, d, *codec)
	if codec.Gunzip == nil || !errors.Is(err, layers.ErrGunzipFallback) || ctx.Err() != nil {
		return cs, st, err
	}
	p.rep.emit(Event{Phase: PhaseLayers, Layer: -1, Digest: d.Digest,
		Message: fmt.Sprintf("layer %d: the platform's gzip inflater cannot decode it (%s); inflating it again from its start with Go's", i, fallbackReason(err))})
	codec.Gunzip = nil
	return p.layerOnce(ctx, i, d, *codec)
}

// fallbackReason is what the inflater said when it gave up: the message of
// the innermost error wrapping layers.ErrGunzipFallback, without that
// error's own words.
func fallbackReason(err error) string {
	reason := ""
	for e := err; e != nil && e != layers.ErrGunzipFallback; e = errors.Unwrap(e) {
		if errors.Is(e, layers.ErrGunzipFallback) {
			reason = e.Error()
		}
	}
	reason = strings.TrimPrefix(strings.TrimPrefix(reason, layers.ErrGunzipFallback.Error()), ": ")
	if reason == "" {
		return layers.ErrGunzipFallback.Error()
	}
	return reason
}

// layerOnce is one attempt of layer, reading with codec.
func (p *puller) layerOnce(ctx context.Context, i int, d v1.Descriptor, codec layers.Codec) (*layers.ChangeSet, layers.Stats, error) {
	ev := Event{Phase: PhaseLayers, Layer: i, Digest: d.Digest, State: Downloading, Total: d.Size}
	p.rep.emit(ev)
	var cs *layers.ChangeSet
	var st layers.Stats
	var c *counter
	err := p.withBlob(ctx, PhaseLayers, d, func(r io.Reader) error {
		c = &counter{r: r, ev: ev, rep: p.rep, step: 256 << 10}
		var err error
		cs, st, err = codec.Read(c, d.MediaType, p.opts.Store, p.opts.Limits)
		return err
	})
	if err != nil {
		return nil, layers.Stats{}, err
	}
	ev.Done, ev.State = c.ev.Done, Verifying
	p.rep.emit(ev)
	return cs, st, nil
}

// blobVerdict returns the blob's own verdict in place of err when decoding
// failed short of the blob's end because the blob is not what its digest
// says (a cache serving corrupt bytes makes gunzip fail long before the
// digest is known): it reads rc to the end and returns its *DigestError or
// *SizeError, naming err as the symptom. A limit or a cancelled pull reads
// no further.
func blobVerdict(ctx context.Context, rc io.Reader, err error) error {
	var le *layers.LimitError
	if registry.IsCorrupt(err) || errors.As(err, &le) || ctx.Err() != nil {
		return err
	}
	if _, derr := io.Copy(io.Discard, rc); registry.IsCorrupt(derr) {
		return fmt.Errorf("%w (decoding had failed: %v)", derr, err)
	}
	return err
}

// fail reports a layer's own failure. A layer stopped because the pull was
// cancelled (by the caller, or because another layer failed) is not one.
func (p *puller) fail(ctx context.Context, ev Event, err error) {
	if ctx.Err() != nil {
		return
	}
	ev.State, ev.Err = Failed, err
	p.rep.emit(ev)
}

func layerError(i int, d v1.Descriptor, err error) error {
	return fmt.Errorf("layer %d (%s): %w", i, d.Digest, err)
}

// DiffIDError reports a layer whose uncompressed content does not match the
// DiffID the config lists for it.
type DiffIDError struct {
	Layer     int
	Digest    digest.Digest
	Want, Got digest.Digest
}

func (e *DiffIDError) Error() string {
	return fmt.Sprintf("layer %d (%s): DiffID mismatch: the config says %s, the content is %s", e.Layer, e.Digest, e.Want, e.Got)
}
