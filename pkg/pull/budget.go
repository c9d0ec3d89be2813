package pull

import (
	"fmt"
	"sync"

	"github.com/regscope/regscope/pkg/layers"
)

// budget applies Limits to an image as a whole: layers.Read bounds each
// layer, the budget bounds their sum, counted as each distinct layer
// finishes reading (layers read concurrently). File content (MaxStored) is
// bounded by a layers.LimitStore shared by the Reads instead, so that it
// stops before storing rather than after.
type budget struct {
	lim     layers.Limits // with defaults
	mu      sync.Mutex
	entries int64 // Stats.Entries + Stats.Parents
	meta    int64 // Stats.MetaBytes
}

func newBudget(lim layers.Limits) *budget { return &budget{lim: lim.WithDefaults()} }

// add counts one layer's stats and fails once the image goes over a limit.
func (b *budget) add(st layers.Stats) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.entries += int64(st.Entries + st.Parents)
	b.meta += st.MetaBytes
	switch {
	case layers.Exceeds(b.entries, int64(b.lim.MaxEntries)):
		return fmt.Errorf("the image's layers together: %w", &layers.LimitError{Limit: "MaxEntries", Max: int64(b.lim.MaxEntries), Value: b.entries})
	case layers.Exceeds(b.meta, b.lim.MaxMetaBytes):
		return fmt.Errorf("the image's layers together: %w", &layers.LimitError{Limit: "MaxMetaBytes", Max: b.lim.MaxMetaBytes, Value: b.meta})
	}
	return nil
}
