package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/regscope/regscope/pkg/registry"
)

// explain adds to the refusals people meet most what they can do about
// them; other errors, and nil, pass unchanged.
func explain(err error, domain string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, registry.ErrTooManyRequests):
		return fmt.Errorf("%w — %s is limiting pulls: wait for its window to pass, or log in (-u/-p, docker login) for a higher limit", err, domain)
	case errors.Is(err, registry.ErrUnauthorized):
		return fmt.Errorf("%w — %s refused access: the image is private or does not exist, or the credentials given do not grant it (-u/-p, REGSCOPE_USERNAME/REGSCOPE_PASSWORD, docker login)", err, domain)
	}
	return err
}

// transportKey carries the HTTP transport registry requests go through.
type transportKey struct{}

// WithTransport returns a context under which Run's commands reach
// registries through rt rather than the system's transport: for tests that
// serve registries under their real host names (a resolver and CA of
// their own), never used by the program itself.
func WithTransport(ctx context.Context, rt http.RoundTripper) context.Context {
	return context.WithValue(ctx, transportKey{}, rt)
}

// transport is the transport WithTransport set on ctx, or nil (the system's).
func transport(ctx context.Context) http.RoundTripper {
	rt, _ := ctx.Value(transportKey{}).(http.RoundTripper)
	return rt
}
