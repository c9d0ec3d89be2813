package inspect

import (
	"cmp"

	"github.com/regscope/regscope/pkg/layers"
)

// waste walks every path an image ever had — the merged filesystem, then
// what later layers deleted — and counts each removed file version once.
type waste struct {
	fsys    *layers.FS
	r       *Result
	layers  int
	perPath map[string]*Wasted
	order   []*Wasted // perPath's values in the order found
	seen    map[string]bool
}

// present walks the merged filesystem: its content, its largest files,
// the versions its present paths lost. It returns the top list and the
// directories whose Removed lists are still to read.
func (w *waste) present(top int) (*topN[File], []string, error) {
	largest := newTopN(top, func(a, b File) int {
		return cmp.Or(cmp.Compare(a.Size, b.Size), cmp.Compare(b.Path, a.Path))
	})
	dirs := []string{"/"}
	err := w.fsys.Walk(func(e *layers.Entry) error {
		if e.Type == layers.TypeFile {
			w.r.Content += e.Size
			largest.push(File{Path: e.Path, Size: e.Size, Layer: e.Layer})
		}
		if e.Type == layers.TypeDir {
			dirs = append(dirs, e.Path)
		}
		return w.visit(e.Path, true)
	})
	return largest, dirs, err
}

// removed visits the deleted paths, reachable only through their
// directory's Removed list (a deleted directory's own list holds its
// subtree), with an explicit stack.
func (w *waste) removed(dirs []string) error {
	expanded := map[string]bool{}
	for len(dirs) > 0 {
		d := dirs[len(dirs)-1]
		dirs = dirs[:len(dirs)-1]
		if expanded[d] {
			continue
		}
		expanded[d] = true
		for _, e := range w.fsys.Removed(d) {
			if err := w.visit(e.Path, false); err != nil {
				return err
			}
			if e.Type == layers.TypeDir && !expanded[e.Path] {
				dirs = append(dirs, e.Path)
			}
		}
	}
	return nil
}

// visit counts the regular-file versions later layers removed from p
// (once per path). A name removed while hardlinks keep its file wastes
// nothing.
func (w *waste) visit(p string, present bool) error {
	if w.seen[p] {
		return nil
	}
	w.seen[p] = true
	for _, c := range w.fsys.History(p) {
		if c.Kind == layers.Added || c.Linked || c.Entry == nil || c.Entry.Type != layers.TypeFile {
			continue
		}
		if err := count(w.r, c, w.layers); err != nil {
			return err
		}
		x := w.perPath[p]
		if x == nil {
			x = &Wasted{Path: p, Present: present}
			w.perPath[p] = x
			w.order = append(w.order, x)
		}
		x.Bytes += c.Entry.Size
		x.Count++
		x.Writers = addSorted(x.Writers, c.Entry.Layer)
		x.Removers = addSorted(x.Removers, c.Layer)
	}
	return nil
}
