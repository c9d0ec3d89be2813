//go:build !js

// Package pagepull pulls an image the way the page does, natively, for
// tests and benchmarks of the server's relay.
package pagepull

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/regscope/regscope/pkg/layers"
	"github.com/regscope/regscope/pkg/pull"
	"github.com/regscope/regscope/wasm/fetch"
)

// Pull pulls ref the way the page does, natively: the same pipeline
// (pkg/pull, every digest and DiffID verified, file contents kept), its
// registry traffic routed by wasm/fetch's Transport through the relay of
// the server at origin ("http://127.0.0.1:8080"). Retries wait 50ms at
// first; progress, when set, receives the pull's events.
func Pull(ctx context.Context, origin, ref string, progress func(pull.Event)) (*pull.Image, error) {
	return PullWith(ctx, origin, ref, pull.Options{Progress: progress})
}

// PullWith is Pull with o's options (credentials, store, progress, limits).
// o.Registry.Transport, when set, is the base transport under the page's
// routing (a client with its own source address, say); backoff and user
// agent are Pull's.
func PullWith(ctx context.Context, origin, ref string, o pull.Options) (*pull.Image, error) {
	u, err := url.Parse(origin)
	if err != nil {
		return nil, err
	}
	base := o.Registry.Transport
	if base == nil {
		t := &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 8}
		defer t.CloseIdleConnections()
		base = t
	}
	o.Registry.Transport = fetch.New(base, u, u)
	o.Registry.Backoff = 50 * time.Millisecond
	o.Registry.UserAgent = "regscope-page-equivalent"
	if o.Store == nil {
		o.Store = layers.MemStore()
	}
	return pull.Pull(ctx, ref, o)
}
