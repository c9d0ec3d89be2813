// Package engine is the page's worker half: it pulls images with pkg/pull and
// answers the view's questions about them (directory pages, stat, byte
// ranges, search, a layer's own changes). It holds no pipeline logic of its
// own. This file and its siblings without a build tag are plain Go (tested
// natively); the JavaScript glue is in the *_js.go files.
package engine

import (
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/regscope/regscope/pkg/inspect"
	"github.com/regscope/regscope/pkg/layers"
	"github.com/regscope/regscope/pkg/manifest"
	"github.com/regscope/regscope/pkg/pull"
	"github.com/regscope/regscope/wasm/msg"
)

// MaxSearchResults bounds a filename search.
const MaxSearchResults = 2000

// MaxPage bounds one ListRequest.
const MaxPage = 1000

// Engine answers questions about the image last pulled. Its methods are safe
// for concurrent use.
type Engine struct {
	mu    sync.Mutex
	img   *pull.Image
	gen   int                    // bumped by SetImage: lists computed before are stale
	lists map[string][]msg.Entry // computed sources, by Source.Key

	// merging is held for writing while a progressive pull applies a layer
	// to the image (see Progressive) and for reading while List, Stat and
	// Open look at its filesystem.
	merging sync.RWMutex
}

// SetImage makes img the image the engine answers about (nil: none). A
// progressive pull sets the same image again after each layer it merges.
func (e *Engine) SetImage(img *pull.Image) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.img = img
	e.gen++
	e.lists = map[string][]msg.Entry{}
}

// Image returns the current image, or an error a person can read.
func (e *Engine) Image() (*pull.Image, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.img == nil {
		return nil, &msg.ErrorInfo{Kind: msg.ErrNoImage, Message: "no image has been pulled", Layer: -1}
	}
	return e.img, nil
}

// Summary describes img for the view.
func Summary(img *pull.Image) *msg.PullResult {
	pinned := img.Pinned()
	r := &msg.PullResult{
		Ref:      img.Ref.String(),
		Name:     img.Ref.Name(),
		Digest:   string(pinned.Digest),
		Pinned:   pinned.String(),
		Platform: manifest.FormatPlatform(img.Platform),
		Manifest: blob(img.Manifest),
		Config:   blob(img.Config),
		Files:    img.FS.Len(),
		// What was verified is the pull's fact; the view shows the sentence as given.
		Verification: img.Checks.String(),
		Checks:       img.Checks,
	}
	if img.Index != nil {
		b := blob(*img.Index)
		r.Index = &b
	}
	for _, p := range img.Platforms {
		r.Platforms = append(r.Platforms, manifest.FormatPlatform(p))
	}
	for _, l := range img.Layers {
		ml := LayerOf(l)
		r.Layers = append(r.Layers, ml)
	}
	// Metadata only: O(entries), no content read. An error (a history naming
	// a layer the image lacks) cannot happen for a pulled image; the page
	// then simply shows no efficiency.
	if eff, err := inspect.Image(img); err == nil {
		r.Efficiency = eff
		for i := range r.Layers {
			r.Layers[i].AddedBytes = eff.Layers[i].Added
			r.Layers[i].WastedBytes = eff.Layers[i].Wasted
		}
	}
	return r
}

// LayerOf describes one verified layer for the view (without the byte
// shares, which inspect computes over the whole image).
func LayerOf(l pull.Layer) msg.Layer {
	ml := msg.Layer{
		Index: l.Index, Digest: string(l.Digest), MediaType: l.MediaType, Size: l.Size,
		DiffID: string(l.DiffID), UncompressedSize: l.UncompressedSize,
		Added: l.Stats.Added, Modified: l.Stats.Modified, Deleted: l.Stats.Deleted,
		FromIndex: l.FromIndex,
	}
	if l.Changes != nil {
		ml.Entries = len(l.Changes.Entries)
	}
	if l.History != nil {
		ml.CreatedBy, ml.Comment = l.History.CreatedBy, l.History.Comment
	}
	return ml
}

func blob(b pull.Blob) msg.Blob {
	return msg.Blob{Digest: string(b.Digest), MediaType: b.MediaType, Size: b.Size, Body: string(b.Body)}
}

// EntryOf converts a filesystem entry into a row.
func EntryOf(e *layers.Entry) msg.Entry {
	return msg.Entry{
		Path: e.Path, Type: e.Type.String(), Mode: uint32(e.Mode), Size: e.Size,
		UID: e.UID, GID: e.GID, Uname: e.Uname, Gname: e.Gname, Link: e.Link, Layer: e.Layer,
	}
}

// List answers one page of a source.
func (e *Engine) List(req msg.ListRequest) (*msg.ListResult, error) {
	e.merging.RLock()
	defer e.merging.RUnlock()
	img, err := e.Image()
	if err != nil {
		return nil, err
	}
	key := req.Source.Key()
	e.mu.Lock()
	all, ok := e.lists[key]
	gen := e.gen
	e.mu.Unlock()
	if !ok {
		all, err = build(img, req.Source)
		if err != nil {
			return nil, err
		}
		e.mu.Lock()
		if e.gen == gen {
			e.lists[key] = all
		}
		e.mu.Unlock()
	}
	limit := req.Limit
	if limit <= 0 || limit > MaxPage {
		limit = MaxPage
	}
	off := min(max(req.Offset, 0), len(all))
	end := min(off+limit, len(all))
	return &msg.ListResult{Total: len(all), Offset: off, Entries: all[off:end]}, nil
}

func build(img *pull.Image, s msg.Source) ([]msg.Entry, error) {
	switch {
	case s.Layer != nil:
		return layerChanges(img, *s.Layer)
	case s.Search != "":
		return search(img.FS, s.Search), nil
	default:
		return directory(img.FS, s.Dir, s.Deleted)
	}
}

func notFound(p string) error {
	return &msg.ErrorInfo{Kind: msg.ErrNotFound, Message: fmt.Sprintf("%s: no such file or directory in this image", p), Layer: -1}
}

// unresolved explains why p could not be resolved: a symlink loop (or a
// chain over 40 hops) is said as such, anything else is not found.
func unresolved(p string, err error) error {
	if errors.Is(err, layers.ErrLoop) {
		return &msg.ErrorInfo{Kind: msg.ErrOther, Message: fmt.Sprintf("%s: too many levels of symbolic links (a loop, or a chain over 40 links)", p), Layer: -1}
	}
	return notFound(p)
}

// directory lists dir (following a symlink to a directory). With deleted it
// also lists what later layers deleted from it and every overwritten version
// of its entries, each marked with the layer that did it.
func directory(fsys *layers.FS, dir string, deleted bool) ([]msg.Entry, error) {
	dir = path.Clean("/" + dir)
	real, err := fsys.Resolve(dir)
	if err != nil {
		return nil, unresolved(dir, err)
	}
	ents, err := fsys.ReadDirEntries(real)
	if err != nil {
		return nil, notFound(dir)
	}
	var out []msg.Entry
	for _, en := range ents {
		row := EntryOf(en)
		row.Path = path.Join(dir, path.Base(en.Path)) // as seen from the path asked, through symlinks
		out = append(out, row)
		if !deleted {
			continue
		}
		for _, c := range fsys.History(en.Path) {
			if c.Entry != nil && (c.Kind == layers.Modified || c.Kind == layers.Deleted) {
				old := EntryOf(c.Entry)
				old.Path = row.Path
				old.Change, old.By = "overwritten", c.Layer
				if c.Kind == layers.Deleted {
					old.Change = "deleted"
				}
				out = append(out, old)
			}
		}
	}
	if deleted {
		seen := map[string]bool{}
		for _, en := range fsys.Removed(real) {
			row := EntryOf(en)
			row.Path = path.Join(dir, path.Base(en.Path))
			row.Change, row.By = "deleted", deletedBy(fsys, en)
			k := fmt.Sprintf("%s\x00%d", row.Path, row.Layer)
			if seen[k] {
				continue
			}
			seen[k] = true
			out = append(out, row)
		}
		// Current entries first within a name, then what they replaced.
		sort.SliceStable(out, func(i, j int) bool { return path.Base(out[i].Path) < path.Base(out[j].Path) })
	}
	return out, nil
}

// deletedBy finds the layer that deleted en.
func deletedBy(fsys *layers.FS, en *layers.Entry) int {
	for _, c := range fsys.History(en.Path) {
		if c.Kind == layers.Deleted && c.Entry != nil && c.Entry.Layer == en.Layer {
			return c.Layer
		}
	}
	for _, c := range fsys.History(en.Path) {
		if c.Kind == layers.Deleted {
			return c.Layer
		}
	}
	return -1
}

// layerChanges lists layer n's own change set, each row marked added,
// modified, deleted (whiteout) or opaque.
func layerChanges(img *pull.Image, n int) ([]msg.Entry, error) {
	if n < 0 || n >= len(img.Layers) {
		return nil, &msg.ErrorInfo{Kind: msg.ErrNotFound, Message: fmt.Sprintf("layer %d: the image has %d layers", n, len(img.Layers)), Layer: -1}
	}
	cs := img.Layers[n].Changes
	if cs == nil {
		return nil, nil
	}
	out := make([]msg.Entry, 0, len(cs.Entries))
	for _, en := range cs.Entries {
		row := EntryOf(en)
		row.Layer, row.By = n, -1
		switch en.Type {
		case layers.TypeWhiteout:
			row.Change = "deleted"
		case layers.TypeOpaque:
			row.Change = "opaque"
		default:
			row.Change = "added"
			if existedBefore(img.FS.History(en.Path), n) {
				row.Change = "modified"
			}
		}
		out = append(out, row)
	}
	return out, nil
}

// existedBefore reports whether the path with history h was present in the
// filesystem just below layer n, that is whether layer n's entry for it
// modified rather than added it. Later layers' changes do not matter; a
// path layer n itself deleted and put again (an opaque directory's marker
// before its new children, or a whiteout before the entry) existed before.
// The path was first created by the layer of the entry its first change
// replaced; with no history at all, by the layer that lists it.
func existedBefore(h []layers.Change, n int) bool {
	if len(h) == 0 || h[0].Entry == nil {
		return false
	}
	present := h[0].Entry.Layer < n
	for _, c := range h {
		if c.Layer >= n {
			break
		}
		present = c.Kind != layers.Deleted
	}
	return present
}

// search finds entries whose name contains q (case-insensitively); when q
// contains a '/', the whole path is matched instead.
func search(fsys *layers.FS, q string) []msg.Entry {
	q = strings.ToLower(strings.TrimSpace(q))
	var out []msg.Entry
	errEnough := errors.New("enough")
	fsys.Walk(func(en *layers.Entry) error {
		s := path.Base(en.Path)
		if strings.Contains(q, "/") {
			s = en.Path
		}
		if strings.Contains(strings.ToLower(s), q) {
			out = append(out, EntryOf(en))
			if len(out) >= MaxSearchResults {
				return errEnough
			}
		}
		return nil
	})
	return out
}

// Stat answers a path's metadata, where it resolves to, and its history.
func (e *Engine) Stat(req msg.StatRequest) (*msg.StatResult, error) {
	e.merging.RLock()
	defer e.merging.RUnlock()
	img, err := e.Image()
	if err != nil {
		return nil, err
	}
	p := path.Clean("/" + req.Path)
	en, err := img.FS.Lstat(p)
	if err != nil {
		return nil, notFound(p)
	}
	r := &msg.StatResult{Entry: EntryOf(en)}
	if real, err := img.FS.Resolve(p); err == nil {
		r.Resolved = real
	}
	for _, c := range img.FS.History(en.Path) {
		mc := msg.Change{Layer: c.Layer, Kind: c.Kind.String()}
		if c.Entry != nil {
			old := EntryOf(c.Entry)
			mc.Entry = &old
		}
		r.History = append(r.History, mc)
	}
	return r, nil
}

// Open resolves a read: the file's content and the range [off, off+n) to send.
func (e *Engine) Open(req msg.ReadRequest) (*msg.ReadResult, layers.Content, error) {
	e.merging.RLock()
	defer e.merging.RUnlock()
	img, err := e.Image()
	if err != nil {
		return nil, nil, err
	}
	p := path.Clean("/" + req.Path)
	real, err := img.FS.Resolve(p)
	if err != nil {
		return nil, nil, unresolved(p, err)
	}
	en, err := img.FS.Lstat(real)
	if err != nil {
		return nil, nil, notFound(p)
	}
	if en.Type == layers.TypeHardlink && en.Content == nil && en.Link != "" {
		if t, err := img.FS.Lstat(en.Link); err == nil {
			en = t
		}
	}
	if en.Type == layers.TypeDir {
		return nil, nil, &msg.ErrorInfo{Kind: msg.ErrOther, Message: p + " is a directory", Layer: -1}
	}
	r := &msg.ReadResult{Path: p, Resolved: real, Size: en.Size}
	c := en.Content
	if c == nil {
		return r, nil, nil // devices, fifos, empty files: no bytes
	}
	r.Size = c.Size()
	off := min(max(req.Offset, 0), r.Size)
	n := r.Size - off
	if req.Limit >= 0 && req.Limit < n {
		n = req.Limit
	}
	r.Offset, r.N = off, n
	return r, c, nil
}

// ReadAll reads the range Open chose into memory.
func ReadAll(r *msg.ReadResult, c layers.Content) ([]byte, error) {
	if c == nil || r.N == 0 {
		return []byte{}, nil
	}
	b := make([]byte, r.N)
	if n, err := c.ReadAt(b, r.Offset); n < len(b) {
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("reading %s: %w", r.Path, err)
	}
	return b, nil
}
