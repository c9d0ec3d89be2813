package layers

import (
	"errors"
	"io"
	"io/fs"
	"path"
	"time"
)

// The io/fs interfaces FS implements.
var (
	_ fs.FS         = (*FS)(nil)
	_ fs.ReadDirFS  = (*FS)(nil)
	_ fs.StatFS     = (*FS)(nil)
	_ fs.ReadFileFS = (*FS)(nil)
)

// errIsDir is returned when reading a directory as a file.
var errIsDir = errors.New("is a directory")

// open resolves an io/fs name, following every symlink.
func (f *FS) open(op, name string) (*node, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	n, _, err := f.resolve(name, true)
	if err != nil {
		return nil, &fs.PathError{Op: op, Path: name, Err: err}
	}
	return n, nil
}

// Open opens name (an io/fs path), following symlinks inside the image.
// Files implement io.ReaderAt and io.Seeker; directories fs.ReadDirFile.
func (f *FS) Open(name string) (fs.File, error) {
	n, err := f.open("open", name)
	if err != nil {
		return nil, err
	}
	info := fileInfo{name: baseName(name), e: n.e}
	if n.children != nil {
		return &dir{info: info, n: n}, nil
	}
	var c io.ReaderAt = emptyContent{}
	if n.e.Content != nil {
		c = n.e.Content
	}
	return &file{info: info, SectionReader: io.NewSectionReader(c, 0, n.e.Size)}, nil
}

// Stat returns the FileInfo of name, following symlinks. Its Sys method
// returns the *Entry.
func (f *FS) Stat(name string) (fs.FileInfo, error) {
	n, err := f.open("stat", name)
	if err != nil {
		return nil, err
	}
	return fileInfo{name: baseName(name), e: n.e}, nil
}

// ReadFile returns the contents of name, following symlinks.
func (f *FS) ReadFile(name string) ([]byte, error) {
	n, err := f.open("readfile", name)
	if err != nil {
		return nil, err
	}
	if n.children != nil {
		return nil, &fs.PathError{Op: "readfile", Path: name, Err: errIsDir}
	}
	b := make([]byte, n.e.Size)
	if n.e.Content == nil {
		return b, nil
	}
	if _, err := n.e.Content.ReadAt(b, 0); err != nil && err != io.EOF {
		return nil, &fs.PathError{Op: "readfile", Path: name, Err: err}
	}
	return b, nil
}

// ReadDir returns the entries of directory name (symlinks in name are
// followed) sorted by name; like os.ReadDir, entries are not followed.
func (f *FS) ReadDir(name string) ([]fs.DirEntry, error) {
	n, err := f.open("readdir", name)
	if err != nil {
		return nil, err
	}
	if n.children == nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errNotDir}
	}
	return dirEntries(n), nil
}

func dirEntries(n *node) []fs.DirEntry {
	names := n.sortedNames()
	out := make([]fs.DirEntry, len(names))
	for i, c := range names {
		out[i] = fileInfo{name: c, e: n.children[c].e}
	}
	return out
}

// fileInfo is an Entry seen through io/fs, under the name it was opened by.
// It is both an fs.FileInfo and an fs.DirEntry.
type fileInfo struct {
	name string
	e    *Entry
}

func (i fileInfo) Name() string               { return i.name }
func (i fileInfo) Size() int64                { return i.e.Size }
func (i fileInfo) Mode() fs.FileMode          { return i.e.Mode }
func (i fileInfo) ModTime() time.Time         { return i.e.ModTime }
func (i fileInfo) IsDir() bool                { return i.e.Type == TypeDir }
func (i fileInfo) Sys() any                   { return i.e }
func (i fileInfo) Type() fs.FileMode          { return i.e.Mode.Type() }
func (i fileInfo) Info() (fs.FileInfo, error) { return i, nil }
func (i fileInfo) String() string             { return fs.FormatFileInfo(i) }

// file is an open non-directory. Reads come from the entry's Content.
type file struct {
	info fileInfo
	*io.SectionReader
}

func (f *file) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *file) Close() error               { return nil }

// dir is an open directory.
type dir struct {
	info    fileInfo
	n       *node
	entries []fs.DirEntry // filled on the first ReadDir
	off     int
}

func (d *dir) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *dir) Close() error               { return nil }
func (d *dir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.info.e.Path, Err: errIsDir}
}

// ReadDir implements fs.ReadDirFile.
func (d *dir) ReadDir(count int) ([]fs.DirEntry, error) {
	if d.entries == nil {
		d.entries = dirEntries(d.n)
	}
	rest := d.entries[d.off:]
	if count <= 0 {
		d.off = len(d.entries)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	if count > len(rest) {
		count = len(rest)
	}
	d.off += count
	return rest[:count], nil
}

// emptyContent stands in for entries without content (devices, fifos).
type emptyContent struct{}

func (emptyContent) ReadAt([]byte, int64) (int, error) { return 0, io.EOF }

// baseName is the name an io/fs path is opened under ("." for the root).
func baseName(name string) string { return path.Base(name) }
