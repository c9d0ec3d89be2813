package layers

import "io/fs"

// LinkFS returns a view of f that also implements fs.ReadLinkFS (Go 1.25),
// whose Lstat returns an fs.FileInfo instead of an *Entry. Use it where
// io/fs helpers should see symlinks as symlinks: fs.Sub, fs.Lstat,
// fs.ReadLink, fstest.TestFS.
func (f *FS) LinkFS() fs.FS { return linkFS{f} }

type linkFS struct{ *FS }

var _ fs.ReadLinkFS = linkFS{}

// Lstat returns the FileInfo of name without following its last element.
func (l linkFS) Lstat(name string) (fs.FileInfo, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "lstat", Path: name, Err: fs.ErrInvalid}
	}
	n, _, err := l.resolve(name, false)
	if err != nil {
		return nil, &fs.PathError{Op: "lstat", Path: name, Err: err}
	}
	return fileInfo{name: baseName(name), e: n.e}, nil
}

// ReadLink returns the target of symlink name, as written.
func (l linkFS) ReadLink(name string) (string, error) {
	if !fs.ValidPath(name) {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
	}
	n, _, err := l.resolve(name, false)
	if err != nil {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: err}
	}
	if n.e.Type != TypeSymlink {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
	}
	return n.e.Link, nil
}
