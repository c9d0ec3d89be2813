package layers

import (
	"fmt"
	"path"
)

// Apply lays one layer's change set on top of the filesystem, following the
// overlay rules in the package documentation, and sets Layer on each entry
// of cs. Layers must be applied in order, bottom first. On error (a hardlink
// to a missing path or to a directory) the filesystem is left part-applied
// and should be discarded.
func (f *FS) Apply(layer int, cs *ChangeSet) (ApplyStats, error) {
	a := &applier{f: f, layer: layer, counted: map[string]bool{}}
	for _, e := range cs.Entries {
		e.Layer = layer
		switch e.Type {
		case TypeWhiteout:
			a.whiteout(e.Path)
		case TypeOpaque:
			a.opaque(e.Path)
		default:
			if err := a.put(e); err != nil {
				return a.st, err
			}
		}
	}
	return a.st, nil
}

// applier holds the state of one Apply.
type applier struct {
	f     *FS
	layer int
	st    ApplyStats
	// counted holds the paths whose deletion this layer counted in
	// st.Deleted (the top of a whiteout, the children an opaque marker hid).
	counted map[string]bool
}

// record appends a change to p's history; linked says e's content stays
// in the filesystem under another name.
func (a *applier) record(p string, k ChangeKind, e *Entry, linked bool) {
	a.f.history[p] = append(a.f.history[p], Change{Layer: a.layer, Kind: k, Entry: e, Linked: linked})
}

// added counts a new path, noting re-creation in its history. A path this
// very layer deleted (by a whiteout or an opaque marker) and now puts back
// was modified, not deleted and added: its Deleted record becomes a
// Modified one and it leaves its directory's Removed list.
func (a *applier) added(p string) {
	a.f.n++
	h := a.f.history[p]
	if n := len(h); n > 0 && h[n-1].Layer == a.layer && h[n-1].Kind == Deleted {
		h[n-1].Kind = Modified
		a.unremove(path.Dir(p), h[n-1].Entry)
		a.st.Modified++
		if a.counted[p] {
			a.st.Deleted--
			delete(a.counted, p)
		}
		return
	}
	a.st.Added++
	if len(h) > 0 {
		a.record(p, Added, nil, false)
	}
}

// unremove takes e out of dir's Removed list.
func (a *applier) unremove(dir string, e *Entry) {
	r := a.f.removed[dir]
	for i, x := range r {
		if x == e {
			a.f.removed[dir] = append(r[:i:i], r[i+1:]...)
			return
		}
	}
}

// replaced counts and records that n's entry is being replaced, unless it
// came from this very layer (duplicates within a layer: last wins, silently).
func (a *applier) replaced(n *node) {
	linked := unlink(n)
	if n.e.Layer == a.layer {
		return
	}
	a.st.Modified++
	a.record(n.e.Path, Modified, n.e, linked)
}

// dropChildren deletes everything under n, recording each descendant as
// Deleted in its history and in its directory's Removed list. It uses an
// explicit stack: depth must not grow the goroutine stack.
func (a *applier) dropChildren(n *node) {
	stack := []*node{n}
	for len(stack) > 0 {
		d := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, name := range d.sortedNames() {
			c := d.children[name]
			a.gone(d.e.Path, c)
			if len(c.children) > 0 {
				stack = append(stack, c)
			}
		}
	}
	if n.children != nil {
		n.children = map[string]*node{}
	}
}

// gone records the deletion of node c from directory dir.
func (a *applier) gone(dir string, c *node) {
	a.f.n--
	linked := unlink(c)
	if c.e.Layer == a.layer && len(a.f.history[c.e.Path]) == 0 {
		return // created and deleted by this layer: never visible
	}
	a.record(c.e.Path, Deleted, c.e, linked)
	a.f.removed[dir] = append(a.f.removed[dir], c.e)
}

// whiteout deletes p and its subtree, if p exists (lexically).
func (a *applier) whiteout(p string) {
	if p == "/" {
		return
	}
	parent := a.f.lookup(path.Dir(p))
	if parent == nil || parent.children == nil {
		return
	}
	name := path.Base(p)
	c := parent.children[name]
	if c == nil {
		return
	}
	if c.e.Layer != a.layer {
		a.st.Deleted++
		a.counted[p] = true
	}
	a.dropChildren(c)
	delete(parent.children, name)
	a.gone(parent.e.Path, c)
}

// opaque hides what lower layers put under directory p, keeping what this
// layer put there (whether before or after the marker in the tar).
func (a *applier) opaque(p string) {
	n := a.ensureDir(p)
	for _, name := range n.sortedNames() {
		c := n.children[name]
		lower := c.e.Layer != a.layer
		a.prune(n, name, c)
		if lower && n.children[name] == nil {
			a.st.Deleted++
			a.counted[path.Join(p, name)] = true
		}
	}
}

// prune removes from c (child name of dir) everything lower layers put
// there, keeping this layer's entries and the directories leading to them.
// Children are pruned before their directory (post-order), with an explicit
// stack rather than recursion.
func (a *applier) prune(dir *node, name string, c *node) {
	type frame struct {
		dir   *node
		name  string
		c     *node
		names []string // c's children still to prune
	}
	stack := []frame{{dir, name, c, c.sortedNames()}}
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if len(top.names) > 0 {
			cn := top.names[0]
			top.names = top.names[1:]
			child := top.c.children[cn]
			stack = append(stack, frame{top.c, cn, child, child.sortedNames()})
			continue
		}
		f := *top
		stack = stack[:len(stack)-1]
		if f.c.e.Layer == a.layer {
			continue
		}
		if len(f.c.children) > 0 {
			// A lower directory kept only to hold this layer's entries: it
			// becomes the implicit directory this layer would have created.
			a.replaced(f.c)
			f.c.e = newDirNode(f.c.e.Path, a.layer).e
			continue
		}
		delete(f.dir.children, f.name)
		a.gone(f.dir.e.Path, f.c)
	}
}

// ensureDir returns the directory at p, creating missing directories and
// replacing non-directories (symlinks included: they are never followed)
// on the way, all as implicit directories of this layer.
func (a *applier) ensureDir(p string) *node {
	cur := a.f.root
	for _, c := range split(p) {
		child := cur.children[c]
		switch {
		case child == nil:
			child = newDirNode(path.Join(cur.e.Path, c), a.layer)
			cur.children[c] = child
			a.added(child.e.Path)
		case child.e.Type != TypeDir:
			a.replaced(child)
			child = newDirNode(child.e.Path, a.layer)
			cur.children[c] = child
		}
		cur = child
	}
	return cur
}

// put adds or replaces one entry (not a whiteout or opaque marker).
func (a *applier) put(e *Entry) error {
	ne := *e
	var ino *inode // the file a hardlink names
	if e.Type == TypeHardlink {
		t := a.f.lookup(e.Link)
		switch {
		case t == nil:
			return fmt.Errorf("layer %d: hardlink %q: target %q does not exist", a.layer, e.Path, e.Link)
		case t.e.Type == TypeDir:
			return fmt.Errorf("layer %d: hardlink %q: target %q is a directory", a.layer, e.Path, e.Link)
		case t.e.Type == TypeFile || t.e.Type == TypeHardlink:
			ne.Content, ne.Size = t.e.Content, 0
			if t.e.Content != nil {
				ne.Size = t.e.Content.Size()
			}
			ino = inodeOf(t)
		default:
			// A link to a symlink, device or fifo is that inode again.
			ne = *t.e
			ne.Path, ne.Layer = e.Path, a.layer
		}
		e.Content, e.Size = ne.Content, ne.Size
	}
	if e.Path == "/" {
		a.replaced(a.f.root)
		ne.Path = "/"
		a.f.root.e = &ne
		return nil
	}
	n := a.place(&ne)
	if ino != nil {
		link(n, ino)
	}
	return nil
}

// place puts ne at its path, creating parents, replacing what was there
// (a directory over a directory keeps its children), and returns its node.
func (a *applier) place(ne *Entry) *node {
	parent := a.ensureDir(path.Dir(ne.Path))
	name := path.Base(ne.Path)
	old := parent.children[name]
	if old != nil && old.e.Type == TypeDir && ne.Type == TypeDir {
		a.replaced(old)
		old.e = ne
		return old
	}
	if old != nil {
		a.replaced(old)
		a.dropChildren(old)
	}
	n := &node{e: ne}
	if ne.Type == TypeDir {
		n.children = map[string]*node{}
	}
	parent.children[name] = n
	if old == nil {
		a.added(ne.Path)
	}
	return n
}
