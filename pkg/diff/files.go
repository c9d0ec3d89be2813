package diff

import (
	"io/fs"
	"slices"
	"strings"

	"github.com/regscope/regscope/pkg/layers"
)

// Change is how a path differs between A and B.
type Change string

// The kinds of Change.
const (
	Added    Change = "added"    // only in B
	Removed  Change = "removed"  // only in A
	Modified Change = "modified" // in both, with Fields differing
)

// File is one changed path. A is nil for added paths, B for removed ones.
type File struct {
	Path   string
	Change Change
	Fields []string // for Modified: what differs, alphabetically; nil otherwise
	A, B   *layers.Entry
}

// Files compares the merged filesystems a and b under root ("/" for all;
// root itself included), returning the changed paths sorted by path (byte
// order, as `ls --json`).
func Files(a, b *layers.FS, root string) ([]File, error) {
	ea, eb := entries(a, root), entries(b, root)
	var out []File
	i, j := 0, 0
	for i < len(ea) || j < len(eb) {
		switch {
		case j == len(eb) || (i < len(ea) && ea[i].Path < eb[j].Path):
			out = append(out, File{Path: ea[i].Path, Change: Removed, A: ea[i]})
			i++
		case i == len(ea) || eb[j].Path < ea[i].Path:
			out = append(out, File{Path: eb[j].Path, Change: Added, B: eb[j]})
			j++
		default:
			fields, err := Fields(ea[i], eb[j])
			if err != nil {
				return nil, err
			}
			if len(fields) > 0 {
				out = append(out, File{Path: ea[i].Path, Change: Modified, Fields: fields, A: ea[i], B: eb[j]})
			}
			i, j = i+1, j+1
		}
	}
	return out, nil
}

// entries lists f's entries at or under root, sorted by path.
func entries(f *layers.FS, root string) []*layers.Entry {
	var out []*layers.Entry
	_ = f.Walk(func(e *layers.Entry) error { // fn never fails
		if within(root, e.Path) {
			out = append(out, e)
		}
		return nil
	})
	slices.SortFunc(out, func(x, y *layers.Entry) int { return strings.Compare(x.Path, y.Path) })
	return out
}

// within reports whether p is root or below it.
func within(root, p string) bool {
	return root == "/" || p == root || strings.HasPrefix(p, root+"/")
}

// permBits are the mode bits compared as "mode".
const permBits = fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky

// Fields returns what differs between two entries of one path,
// alphabetically (see the package documentation).
func Fields(a, b *layers.Entry) ([]string, error) {
	var out []string
	ta, tb := kind(a), kind(b)
	if ta == layers.TypeFile && tb == layers.TypeFile {
		same, err := sameContent(a, b)
		if err != nil {
			return nil, err
		}
		if !same {
			out = append(out, "content")
		}
	}
	if a.GID != b.GID {
		out = append(out, "gid")
	}
	if linkOf(a) != linkOf(b) {
		out = append(out, "link")
	}
	if a.Mode&permBits != b.Mode&permBits {
		out = append(out, "mode")
	}
	if a.Size != b.Size {
		out = append(out, "size")
	}
	if ta != tb {
		out = append(out, "type")
	}
	if a.UID != b.UID {
		out = append(out, "uid")
	}
	return out, nil
}

// kind is e's type for comparison: a hardlink is the regular file it names.
func kind(e *layers.Entry) layers.Type {
	if e.Type == layers.TypeHardlink {
		return layers.TypeFile
	}
	return e.Type
}

// linkOf is the link compared: a symlink's target; nothing for hardlinks.
func linkOf(e *layers.Entry) string {
	if e.Type == layers.TypeSymlink {
		return e.Link
	}
	return ""
}
