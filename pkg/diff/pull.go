package diff

import (
	"context"
	"sync"

	"github.com/regscope/regscope/pkg/pull"
)

// Pull pulls refA with oa and refB with ob at the same time, sharing the
// layers they have in common (each downloaded once: oa.Shared and
// ob.Shared are set to one new pull.Shared). When one pull fails the other
// is stopped, and the first failure is returned as a *SideError.
func Pull(ctx context.Context, refA, refB string, oa, ob pull.Options) (a, b *pull.Image, err error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	shared := pull.NewShared()
	oa.Shared, ob.Shared = shared, shared
	var wg sync.WaitGroup
	var errA, errB error
	wg.Go(func() {
		if a, errA = pull.Pull(ctx, refA, oa); errA != nil {
			cancel(&SideError{Side: "A", Err: errA})
		}
	})
	wg.Go(func() {
		if b, errB = pull.Pull(ctx, refB, ob); errB != nil {
			cancel(&SideError{Side: "B", Err: errB})
		}
	})
	wg.Wait()
	if errA != nil || errB != nil {
		return nil, nil, context.Cause(ctx)
	}
	return a, b, nil
}

// SideError is the failure of one side's pull. Its message is the pull's
// own, which names the reference.
type SideError struct {
	Side string // "A" or "B"
	Err  error
}

func (e *SideError) Error() string { return e.Err.Error() }
func (e *SideError) Unwrap() error { return e.Err }
