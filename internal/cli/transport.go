package cli

import (
	"context"
	"net/http"
)

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
