package pull

import (
	"context"
	"errors"
	"sync"

	"github.com/opencontainers/go-digest"

	"github.com/regscope/regscope/pkg/layers"
)

// Shared lets pulls that run together share their layers: a blob with the
// same digest is downloaded, verified and read once, by the first pull that
// needs it; the others wait for it and each merge their own copy of its
// change set (file contents are shared, never copied). Set the same Shared
// in the Options of every such pull (regscope's diff does for its two
// images). The contents live in the Store of the pull that downloaded
// them, and count against that pull's Limits.MaxStored only.
//
// A layer whose download stopped because its pull was cancelled is
// downloaded again by a pull still waiting for it. A layer that failed for
// any other reason (a digest mismatch, say) fails every pull that needs it.
type Shared struct {
	mu     sync.Mutex
	layers map[digest.Digest]*sharedLayer
}

// NewShared returns an empty Shared.
func NewShared() *Shared {
	return &Shared{layers: map[digest.Digest]*sharedLayer{}}
}

// sharedLayer is one blob's outcome, read once. changes is never merged
// itself: each pull merges a copy (FS.Apply sets fields on the entries).
type sharedLayer struct {
	changes *layers.ChangeSet
	stats   layers.Stats
	err     error
	done    chan struct{}
}

// read returns the change set of blob dg: read by fetch when this is the
// first pull to ask, else the copy of what another pull read (waiting for
// it while it is under way).
func (s *Shared) read(ctx context.Context, dg digest.Digest, fetch func() (*layers.ChangeSet, layers.Stats, error)) (*layers.ChangeSet, layers.Stats, error) {
	s.mu.Lock()
	l, waiting := s.layers[dg]
	if !waiting {
		l = &sharedLayer{done: make(chan struct{})}
		s.layers[dg] = l
	}
	s.mu.Unlock()
	if !waiting {
		l.changes, l.stats, l.err = fetch()
		close(l.done)
	} else {
		select {
		case <-l.done:
		case <-ctx.Done():
			return nil, layers.Stats{}, ctx.Err()
		}
	}
	if l.err != nil {
		if waiting && ctx.Err() == nil && (errors.Is(l.err, context.Canceled) || errors.Is(l.err, context.DeadlineExceeded)) {
			return fetch() // its pull gave up; this one has not
		}
		return nil, layers.Stats{}, l.err
	}
	return cloneChanges(l.changes), l.stats, nil
}

// cloneChanges copies the change set's entries (not their contents).
func cloneChanges(cs *layers.ChangeSet) *layers.ChangeSet {
	out := &layers.ChangeSet{Entries: make([]*layers.Entry, len(cs.Entries))}
	for i, e := range cs.Entries {
		c := *e
		out.Entries[i] = &c
	}
	return out
}
