// Package inspect measures how efficiently an image's layers use their
// bytes, the way dive does: how much file content each layer added, how
// much of it later layers overwrote or deleted (bytes still shipped in the
// image but invisible in the merged filesystem), and which paths and files
// are the largest.
//
// It reads only metadata (Entry.Size), never file contents, so it works on
// an image pulled with layers.DiscardStore. It is O(entries plus recorded
// changes) in time, and keeps only the top-N lists beyond per-path totals.
//
// The numbers, for an image whose layers are applied bottom first:
//
//   - Layer.Added: the sizes of the regular files in the layer's own change
//     set (every regular-file tar entry; hardlinks, directories, symlinks,
//     devices count 0).
//   - Wasted bytes: the Size of every regular file of a lower layer that a
//     later layer replaced (a new entry at its path, a directory or file put
//     over it, metadata re-declared) or deleted (whiteout, opaque
//     directory, deletion of a parent directory), as recorded by
//     layers.FS.History. A name removed while hardlinks keep its file under
//     other names wastes nothing (Change.Linked): the bytes are still in
//     the merged filesystem, where the remaining name is the regular file
//     (or a hardlink to it). When the last name goes, its Lost counts to
//     the layer of that name's entry, which may be the layer that linked
//     it rather than the one that wrote the bytes. Each such version counts once in Result.Wasted; it
//     counts in Layer.Wasted of the layer that removed it and in
//     Layer.Lost of the layer that wrote it. A file that a layer deletes and
//     puts back counts as replaced by that layer.
//   - Result.Content: the sizes of the regular files in the merged
//     filesystem (hardlinks 0: each file's bytes count once, under the name
//     that is its regular file).
//   - Result.Efficiency: Content / TotalAdded (1 for an image with no file
//     content). TotalAdded = Content + Wasted + SelfShadowed, where
//     SelfShadowed is content a layer wrote and itself replaced or removed
//     before its tar ended (a path twice in one tar); the merged filesystem
//     keeps no record of those, so they appear only in that difference.
package inspect

import (
	"cmp"
	"errors"
	"slices"

	"github.com/regscope/regscope/pkg/layers"
	"github.com/regscope/regscope/pkg/pull"
	"github.com/regscope/regscope/pkg/report"
)

// DefaultTop is how many wasted paths and largest files Image reports.
const DefaultTop = 20

// The report is plain data defined in pkg/report, so that programs that
// only show it (the page's view) need not link the pipeline.
type (
	// Result is the efficiency report of one image.
	Result = report.Efficiency
	// LayerBytes is one layer's share of the image's bytes.
	LayerBytes = report.LayerBytes
	// Wasted is one path whose content later layers replaced or deleted.
	Wasted = report.Wasted
	// File is one regular file of the merged filesystem.
	File = report.LargeFile
)

// Image computes the report for a pulled image with DefaultTop entries in
// each top list.
func Image(img *pull.Image) (*Result, error) {
	if img == nil || img.FS == nil {
		return nil, errors.New("inspect: image has no filesystem")
	}
	return Compute(img.FS, img.Layers, DefaultTop)
}

// Compute computes the report for fsys, the merged filesystem of ls, with
// top entries (at least 0) in each top list. Layer.Added comes from each
// layer's Changes (nil counts 0).
func Compute(fsys *layers.FS, ls []pull.Layer, top int) (*Result, error) {
	r := &Result{Layers: addedBytes(ls)}
	for _, l := range r.Layers {
		r.TotalAdded += l.Added
	}
	w := &waste{fsys: fsys, r: r, layers: len(ls), perPath: map[string]*Wasted{}, seen: map[string]bool{"/": true}}
	largest, dirs, err := w.present(top)
	if err != nil {
		return nil, err
	}
	if err := w.removed(dirs); err != nil {
		return nil, err
	}
	finish(r, w.order, largest, top)
	return r, nil
}

// addedBytes is each layer's regular-file content, from its change set
// (nil counts 0).
func addedBytes(ls []pull.Layer) []LayerBytes {
	out := make([]LayerBytes, len(ls))
	for i, l := range ls {
		out[i].Index = i
		if l.Changes == nil {
			continue
		}
		for _, e := range l.Changes.Entries {
			if e.Type == layers.TypeFile {
				out[i].Added += e.Size
			}
		}
	}
	return out
}

// finish derives the totals and the sorted top lists.
func finish(r *Result, order []*Wasted, largest *topN[File], top int) {
	r.WastedPaths = len(order)
	r.SelfShadowed = r.TotalAdded - r.Content - r.Wasted
	r.Efficiency = 1
	if r.TotalAdded > 0 {
		r.Efficiency = float64(r.Content) / float64(r.TotalAdded)
	}
	tw := newTopN(top, func(a, b *Wasted) int {
		return cmp.Or(cmp.Compare(a.Bytes, b.Bytes), cmp.Compare(b.Path, a.Path))
	})
	for _, w := range order {
		tw.push(w)
	}
	r.TopWasted = []Wasted{}
	for _, w := range tw.sorted() {
		r.TopWasted = append(r.TopWasted, *w)
	}
	r.Largest = largest.sorted()
	if r.Largest == nil {
		r.Largest = []File{}
	}
}

// count adds to r one removed version to the totals and to both layers' shares.
func count(r *Result, c layers.Change, n int) error {
	if c.Layer < 0 || c.Layer >= n || c.Entry.Layer < 0 || c.Entry.Layer >= n {
		return errors.New("inspect: " + c.Entry.Path + ": history names a layer the image does not have")
	}
	r.Wasted += c.Entry.Size
	r.WastedFiles++
	r.Layers[c.Layer].Wasted += c.Entry.Size
	r.Layers[c.Entry.Layer].Lost += c.Entry.Size
	return nil
}

// addSorted inserts v into the ascending set s.
func addSorted(s []int, v int) []int {
	i, found := slices.BinarySearch(s, v)
	if found {
		return s
	}
	return slices.Insert(s, i, v)
}
