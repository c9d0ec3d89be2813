package pull

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/regscope/regscope/pkg/layers"
)

// LayerIndexes keeps the indexes of verified layers between pulls, so that
// a later pull of an image with the same layer (the same blob digest, and
// the same DiffID in its config) lists it without downloading, inflating
// and hashing the blob again. Options.Indexes sets one.
//
// An implementation must return only what it was given: it keeps indexes
// where something other than the pull could change them (the browser's
// storage), so it checks each one before returning it — with a MAC, say —
// and reports and drops one that fails, returning ok == false, after which
// the layer is pulled as usual.
type LayerIndexes interface {
	// LayerIndex returns the index kept for the layer with this blob
	// digest and DiffID, or ok == false.
	LayerIndex(blob, diffID digest.Digest) (x *LayerIndex, ok bool)
	// PutLayerIndex keeps x, the index of a layer whose blob digest and
	// DiffID the pull has just verified.
	PutLayerIndex(blob, diffID digest.Digest, x *LayerIndex)
	// DropLayerIndex removes an index LayerIndex returned that the pull
	// found unusable, with note saying why.
	DropLayerIndex(blob, diffID digest.Digest, note string)
}

// LayerIndex is what a pull keeps of one verified layer: its change set
// without file contents, and the stats of its uncompressed stream (the
// DiffID among them). The contents of a layer listed from its index are
// read from the blob again, verified, when first asked for.
type LayerIndex struct {
	Changes *layers.ChangeSet
	Stats   layers.Stats
	// Source says where a kept index came from and how it was checked,
	// e.g. "the verified cache (MAC checked)"; the pull's Checks name it.
	// It is not encoded.
	Source string
}

// indexVersion is the encoding's version; another one does not decode.
const indexVersion = 1

// indexDoc is the encoding of a LayerIndex.
type indexDoc struct {
	Version int            `json:"v"`
	Stats   layers.Stats   `json:"stats"`
	Entries []indexedEntry `json:"entries"`
}

// indexedEntry is one Entry without its Content: HasContent says whether
// it had one of its own (a regular file). A hardlink's content is its
// target's, which FS.Apply gives it again.
type indexedEntry struct {
	Path       string      `json:"p"`
	Type       layers.Type `json:"t"`
	Mode       fs.FileMode `json:"m"`
	Size       int64       `json:"s,omitempty"`
	UID        int         `json:"u,omitempty"`
	GID        int         `json:"g,omitempty"`
	Uname      string      `json:"un,omitempty"`
	Gname      string      `json:"gn,omitempty"`
	Link       string      `json:"l,omitempty"`
	Sec        int64       `json:"ts"`
	Nsec       int64       `json:"tn,omitempty"`
	Devmajor   int64       `json:"dj,omitempty"`
	Devminor   int64       `json:"dn,omitempty"`
	HasContent bool        `json:"c,omitempty"`
}

// MarshalBinary encodes x; file contents are not part of it.
func (x *LayerIndex) MarshalBinary() ([]byte, error) {
	doc := indexDoc{Version: indexVersion, Stats: x.Stats, Entries: make([]indexedEntry, len(x.Changes.Entries))}
	for i, e := range x.Changes.Entries {
		doc.Entries[i] = indexedEntry{Path: e.Path, Type: e.Type, Mode: e.Mode, Size: e.Size,
			UID: e.UID, GID: e.GID, Uname: e.Uname, Gname: e.Gname, Link: e.Link,
			Sec: e.ModTime.Unix(), Nsec: int64(e.ModTime.Nanosecond()),
			Devmajor: e.Devmajor, Devminor: e.Devminor, HasContent: e.Type == layers.TypeFile && e.Content != nil}
	}
	return json.Marshal(doc)
}

// ErrIndexEncoding is wrapped by every error of UnmarshalBinary.
var ErrIndexEncoding = errors.New("not a layer index")

// UnmarshalBinary decodes what MarshalBinary encoded. The entries that had
// content have a stand-in of its size, which reads nothing; it refuses an encoding that no verified layer
// could have produced (another version, unclean paths, unknown types,
// negative sizes, content on an entry that cannot have any).
func (x *LayerIndex) UnmarshalBinary(b []byte) error {
	var doc indexDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		return fmt.Errorf("%w: %v", ErrIndexEncoding, err)
	}
	if doc.Version != indexVersion {
		return fmt.Errorf("%w: version %d, want %d", ErrIndexEncoding, doc.Version, indexVersion)
	}
	if _, err := digest.Parse(string(doc.Stats.DiffID)); err != nil {
		return fmt.Errorf("%w: DiffID: %v", ErrIndexEncoding, err)
	}
	cs := &layers.ChangeSet{Entries: make([]*layers.Entry, len(doc.Entries))}
	for i, d := range doc.Entries {
		switch {
		case d.Path == "" || d.Path[0] != '/' || path.Clean(d.Path) != d.Path:
			return fmt.Errorf("%w: entry %d: path %q is not clean and absolute", ErrIndexEncoding, i, d.Path)
		case d.Type > layers.TypeOpaque:
			return fmt.Errorf("%w: entry %d (%s): unknown type %d", ErrIndexEncoding, i, d.Path, d.Type)
		case d.Size < 0:
			return fmt.Errorf("%w: entry %d (%s): negative size %d", ErrIndexEncoding, i, d.Path, d.Size)
		case d.HasContent && d.Type != layers.TypeFile:
			return fmt.Errorf("%w: entry %d (%s): a %s has no content of its own", ErrIndexEncoding, i, d.Path, d.Type)
		}
		cs.Entries[i] = &layers.Entry{Path: d.Path, Type: d.Type, Mode: d.Mode, Size: d.Size,
			UID: d.UID, GID: d.GID, Uname: d.Uname, Gname: d.Gname, Link: d.Link,
			ModTime: time.Unix(d.Sec, d.Nsec), Devmajor: d.Devmajor, Devminor: d.Devminor}
	}
	for i, d := range doc.Entries {
		if d.HasContent {
			cs.Entries[i].Content = unread(d.Size)
		}
	}
	x.Changes, x.Stats = cs, doc.Stats
	return nil
}

// errUnread is what the content of a decoded index answers: a pull gives
// such entries contents read from the blob again (restore.go).
var errUnread = errors.New("the content of a layer listed from its index has not been read")

// unread stands for the content of a decoded index's entry.
type unread int64

func (u unread) Size() int64                       { return int64(u) }
func (u unread) ReadAt([]byte, int64) (int, error) { return 0, errUnread }
