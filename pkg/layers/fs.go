package layers

import (
	"io/fs"
	"path"
	"slices"
	"strings"
)

// FS is the merged filesystem of the layers applied to it, bottom first.
// It implements fs.FS, fs.ReadDirFS, fs.StatFS and fs.ReadFileFS with io/fs
// path rules ("etc/os-release"; "." is the root). Its own methods (Lstat,
// ReadDirEntries, Resolve, History, Removed) take absolute or relative
// paths alike. Build it from one goroutine (Apply, layer by layer); once
// built it may be read from many goroutines. Entries it returns are shared:
// do not modify them.
type FS struct {
	root    *node
	n       int                 // entries, root excluded
	history map[string][]Change // path → what later layers did to it
	removed map[string][]*Entry // directory → entries a later layer deleted from it
}

// node is one path in the merged tree.
type node struct {
	e        *Entry
	children map[string]*node // directories only
	ino      *inode           // regular files with more than one name (hardlinks) only
}

// sortedNames returns the names of n's children in lexical order.
func (n *node) sortedNames() []string {
	names := make([]string, 0, len(n.children))
	for name := range n.children {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// NewFS returns an empty filesystem: a root directory (mode 0755) and nothing else.
func NewFS() *FS {
	return &FS{
		root:    newDirNode("/", 0),
		history: map[string][]Change{},
		removed: map[string][]*Entry{},
	}
}

// newDirNode returns an implicit directory: mode 0755, owned by layer.
func newDirNode(p string, layer int) *node {
	return &node{
		e:        &Entry{Path: p, Type: TypeDir, Mode: fs.ModeDir | 0o755, Layer: layer},
		children: map[string]*node{},
	}
}

// Len returns the number of entries in the merged filesystem, the root excluded.
func (f *FS) Len() int { return f.n }

// absPath turns an io/fs or absolute name into a clean absolute path.
func absPath(name string) string {
	if name == "." || name == "" {
		return "/"
	}
	return path.Clean("/" + name)
}

// split returns the components of a clean absolute path ("/" has none).
func split(p string) []string {
	p = strings.TrimPrefix(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// lookup finds a clean absolute path lexically, following no symlink.
func (f *FS) lookup(p string) *node {
	cur := f.root
	for _, c := range split(p) {
		if cur.children == nil {
			return nil
		}
		cur = cur.children[c]
		if cur == nil {
			return nil
		}
	}
	return cur
}

// Walk calls fn for every entry, root excluded, in the order of
// fs.WalkDir: each directory before its children, names in lexical order.
// It stops at the first error fn returns and returns it.
func (f *FS) Walk(fn func(e *Entry) error) error {
	// An explicit stack, not recursion: a deep tree must not deepen the
	// goroutine stack (paths may be thousands of components deep when
	// MaxPathDepth is lifted).
	type frame struct {
		n     *node
		names []string
	}
	stack := []frame{{f.root, f.root.sortedNames()}}
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if len(top.names) == 0 {
			stack = stack[:len(stack)-1]
			continue
		}
		c := top.n.children[top.names[0]]
		top.names = top.names[1:]
		if err := fn(c.e); err != nil {
			return err
		}
		if c.children != nil {
			stack = append(stack, frame{c, c.sortedNames()})
		}
	}
	return nil
}

// History returns what layers after the one that first created name did to
// it, in order: Modified and Deleted carry the entry that was replaced or
// deleted; Added marks a path created again after a deletion.
func (f *FS) History(name string) []Change {
	return slices.Clone(f.history[absPath(name)])
}

// Removed returns the entries that were once in directory dir and that a
// later layer deleted (by whiteout, opaque directory or replacement of a
// parent), in the order they were deleted. The page shows them on request.
func (f *FS) Removed(dir string) []*Entry {
	return slices.Clone(f.removed[absPath(dir)])
}
