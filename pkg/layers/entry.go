package layers

import (
	"io/fs"
	"strconv"
	"time"
)

// Type is the kind of an Entry.
type Type uint8

// The kinds of entries. TypeWhiteout and TypeOpaque appear only in a
// ChangeSet, never in an FS.
const (
	TypeFile     Type = iota // regular file
	TypeDir                  // directory
	TypeSymlink              // symbolic link; Link is the target as written
	TypeHardlink             // hard link to a regular file; Link is the target's clean absolute path
	TypeChar                 // character device
	TypeBlock                // block device
	TypeFIFO                 // named pipe
	TypeWhiteout             // ".wh.NAME": Path (NAME) is deleted
	TypeOpaque               // ".wh..wh..opq": Path (a directory) hides lower layers' contents
)

// String returns "file", "dir", "symlink", "hardlink", "char", "block",
// "fifo", "whiteout" or "opaque".
func (t Type) String() string {
	switch t {
	case TypeFile:
		return "file"
	case TypeDir:
		return "dir"
	case TypeSymlink:
		return "symlink"
	case TypeHardlink:
		return "hardlink"
	case TypeChar:
		return "char"
	case TypeBlock:
		return "block"
	case TypeFIFO:
		return "fifo"
	case TypeWhiteout:
		return "whiteout"
	case TypeOpaque:
		return "opaque"
	}
	return "Type(" + strconv.Itoa(int(t)) + ")"
}

// modeType returns the io/fs type bits for t (none for files and hardlinks).
func (t Type) modeType() fs.FileMode {
	switch t {
	case TypeDir:
		return fs.ModeDir
	case TypeSymlink:
		return fs.ModeSymlink
	case TypeChar:
		return fs.ModeDevice | fs.ModeCharDevice
	case TypeBlock:
		return fs.ModeDevice
	case TypeFIFO:
		return fs.ModeNamedPipe
	}
	return 0
}

// Entry is one path's metadata and, for regular files and hardlinks to
// them, its content.
type Entry struct {
	Path         string      // clean and absolute ("/etc/os-release"); for whiteouts the path deleted
	Type         Type        // what the entry is
	Mode         fs.FileMode // permission bits, setuid/setgid/sticky, and the type bits of Type
	Size         int64       // content length of files and hardlinks; 0 otherwise
	UID, GID     int         // numeric owner
	Uname, Gname string      // owner names, as recorded in the tar
	Link         string      // symlink target as written, or hardlink target (clean absolute path)
	ModTime      time.Time   // modification time
	Devmajor     int64       // device numbers of char and block devices
	Devminor     int64       //
	Layer        int         // index of the layer that provided this entry (set by FS.Apply)
	Content      Content     // regular files and hardlinks to them; nil otherwise
}

// IsDir reports whether e is a directory.
func (e *Entry) IsDir() bool { return e.Type == TypeDir }

// ChangeSet is one layer's own changes, in tar order, paths cleaned to stay
// inside the root. Whiteouts and opaque markers are kept as entries of type
// TypeWhiteout and TypeOpaque; aufs metadata (.wh..wh.*) is dropped.
type ChangeSet struct {
	Entries []*Entry
}
