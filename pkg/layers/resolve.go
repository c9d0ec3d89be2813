package layers

import (
	"errors"
	"io/fs"
	"path"
	"strings"
)

// maxHops is how many symlinks one lookup may follow, as in Linux (ELOOP).
const maxHops = 40

// ErrLoop is returned when resolving a path follows more than 40 symlinks.
// It wraps fs.ErrInvalid.
var ErrLoop = loopError{}

type loopError struct{}

func (loopError) Error() string { return "too many levels of symbolic links" }
func (loopError) Unwrap() error { return fs.ErrInvalid }

// errNotDir is returned when a path goes through a non-directory.
var errNotDir = errors.New("not a directory")

// resolve walks name (absolute or io/fs) from the root, following symlinks
// in every component, and in the last one too when followLast is set.
// Targets are resolved inside the root: ".." stops at "/" and absolute
// targets start again at the root. It returns the node and its path.
func (f *FS) resolve(name string, followLast bool) (*node, string, error) {
	type step struct {
		n    *node
		name string
	}
	stack := []step{{f.root, ""}}
	rest := split(absPath(name))
	hops := 0
	for len(rest) > 0 {
		c := rest[0]
		rest = rest[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
			continue
		}
		cur := stack[len(stack)-1].n
		if cur.children == nil {
			return nil, "", errNotDir
		}
		child := cur.children[c]
		if child == nil {
			return nil, "", fs.ErrNotExist
		}
		if child.e.Type == TypeSymlink && (len(rest) > 0 || followLast) {
			hops++
			if hops > maxHops {
				return nil, "", ErrLoop
			}
			target := child.e.Link
			if target == "" {
				return nil, "", fs.ErrNotExist
			}
			if strings.HasPrefix(target, "/") {
				stack = stack[:1]
			}
			rest = append(strings.Split(target, "/"), rest...)
			continue
		}
		stack = append(stack, step{child, c})
	}
	parts := make([]string, 0, len(stack))
	for _, s := range stack[1:] {
		parts = append(parts, s.name)
	}
	return stack[len(stack)-1].n, "/" + path.Join(parts...), nil
}

// Resolve returns the clean absolute path that name leads to after following
// every symlink in it (at most 40), all inside the image. The path it
// returns exists.
func (f *FS) Resolve(name string) (string, error) {
	_, p, err := f.resolve(name, true)
	if err != nil {
		return "", &fs.PathError{Op: "resolve", Path: name, Err: err}
	}
	return p, nil
}

// Lstat returns the entry at name, following symlinks in its parents but
// not in its last element.
func (f *FS) Lstat(name string) (*Entry, error) {
	n, _, err := f.resolve(name, false)
	if err != nil {
		return nil, &fs.PathError{Op: "lstat", Path: name, Err: err}
	}
	return n.e, nil
}

// ReadDirEntries returns the entries of directory name (symlinks in name are
// followed), sorted by name; symlinks among them are not followed.
func (f *FS) ReadDirEntries(name string) ([]*Entry, error) {
	n, _, err := f.resolve(name, true)
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
	}
	if n.children == nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errNotDir}
	}
	names := n.sortedNames()
	out := make([]*Entry, len(names))
	for i, c := range names {
		out[i] = n.children[c].e
	}
	return out, nil
}
