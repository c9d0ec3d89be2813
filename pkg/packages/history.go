package packages

import (
	"fmt"
	"io"
	"strings"

	"github.com/regscope/regscope/pkg/layers"
)

// MaxDatabaseSize bounds each version of a database file read (64 MiB; the
// dpkg status of a large image is a few MiB).
const MaxDatabaseSize = 64 << 20

// history answers, for a database file, each layer's own version of it.
type history struct {
	changes []*layers.ChangeSet
}

// version is one layer's write of a file: its content, or deleted.
type version struct {
	layer   int
	data    []byte
	deleted bool
}

// versions returns the layers that wrote or removed name (absolute), bottom
// first. A whiteout or opaque marker above name, or a non-file entry at
// name, removes it; a file written by the same layer wins over a marker
// (tar order between them does not matter).
func (h *history) versions(name string) ([]version, error) {
	var out []version
	for i, cs := range h.changes {
		if cs == nil {
			continue
		}
		var written *layers.Entry
		removed := false
		for _, e := range cs.Entries {
			switch {
			case e.Path == name && e.Content != nil:
				written, removed = e, false
			case e.Path == name:
				written, removed = nil, true
			case removes(e, name):
				removed = true
			}
		}
		switch {
		case written != nil:
			b, err := readContent(written)
			if err != nil {
				return nil, fmt.Errorf("%s in layer %d: %w", name, i, err)
			}
			out = append(out, version{layer: i, data: b})
		case removed:
			out = append(out, version{layer: i, deleted: true})
		}
	}
	return out, nil
}

// removes reports whether e deletes name: a whiteout of name or of a
// directory above it, or an opaque marker on a directory above it.
func removes(e *layers.Entry, name string) bool {
	switch e.Type {
	case layers.TypeWhiteout:
		return e.Path == name || strings.HasPrefix(name, e.Path+"/")
	case layers.TypeOpaque:
		return strings.HasPrefix(name, e.Path+"/")
	}
	return false
}

func readContent(e *layers.Entry) ([]byte, error) {
	size := e.Content.Size()
	if size > MaxDatabaseSize {
		return nil, fmt.Errorf("%d bytes, more than the %d read", size, MaxDatabaseSize)
	}
	b := make([]byte, size)
	if _, err := e.Content.ReadAt(b, 0); err != nil && err != io.EOF {
		return nil, err
	}
	return b, nil
}

// layerOf finds the layer of each entry of db: from the top layer down,
// the entry keeps the layer of the lowest version in the unbroken run of
// versions whose record of it is identical. parse turns one version's
// bytes into entries; key names a package among them. Entries are updated
// in place.
func (h *history) layerOf(db string, current []entry, key func(Package) string, parse func([]byte) ([]entry, error)) error {
	vs, err := h.versions(db)
	if err != nil {
		return err
	}
	for i := range current {
		current[i].pkg.Layer = -1
	}
	pending := map[string]int{}
	for i, e := range current {
		pending[key(e.pkg)] = i
	}
	for j := len(vs) - 1; j >= 0 && len(pending) > 0; j-- {
		recs := map[string]string{}
		if !vs[j].deleted {
			old, err := parse(vs[j].data)
			if err != nil {
				return fmt.Errorf("%s as layer %d wrote it: %w", db, vs[j].layer, err)
			}
			for _, e := range old {
				recs[key(e.pkg)] = e.record
			}
		}
		for k, i := range pending {
			if rec, ok := recs[k]; ok && rec == current[i].record {
				current[i].pkg.Layer = vs[j].layer
				continue
			}
			delete(pending, k)
		}
	}
	return nil
}
