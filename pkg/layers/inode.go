package layers

import "slices"

// inode is one regular file that hardlinks gave more than one name in the
// merged filesystem. names[0] is its regular-file entry; every other name
// is a hardlink whose Link is names[0]'s path. Names are kept in the order
// they were linked.
type inode struct {
	names []*node
}

// link makes n (just placed in the tree) a name of target's inode, the way
// an overlay mount shows a hard link: one file under several names. If
// target left the tree while n was being placed (n replaced it, or a parent
// of n's path), and no other name holds the inode, n is its last name and
// becomes a regular file.
func link(n *node, ino *inode) {
	if len(ino.names) == 0 {
		n.e.Type, n.e.Link = TypeFile, ""
		return
	}
	n.e.Link = ino.names[0].e.Path
	n.ino = ino
	ino.names = append(ino.names, n)
}

// inodeOf returns t's inode, creating it when t has a single name so far.
func inodeOf(t *node) *inode {
	if t.ino == nil {
		t.ino = &inode{names: []*node{t}}
	}
	return t.ino
}

// unlink takes n out of its inode as n leaves the tree and reports whether
// other names keep the inode, and so its content, in the filesystem. When
// n was the regular-file name, the first remaining name (in link order)
// becomes the regular file and the others hardlinks to it; a last
// remaining name is a plain regular file. Entries are replaced by updated
// copies, never modified: history records keep what was there.
func unlink(n *node) bool {
	ino := n.ino
	if ino == nil {
		return false
	}
	n.ino = nil
	i := slices.Index(ino.names, n)
	ino.names = slices.Delete(ino.names, i, i+1)
	if len(ino.names) == 0 {
		return false
	}
	if i == 0 {
		first := ino.names[0]
		e := *first.e
		e.Type, e.Link = TypeFile, ""
		first.e = &e
		for _, o := range ino.names[1:] {
			e := *o.e
			e.Link = first.e.Path
			o.e = &e
		}
	}
	if len(ino.names) == 1 {
		ino.names[0].ino = nil
	}
	return true
}
