//go:build !js

package pull_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/opencontainers/go-digest"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/tartest"
	"github.com/regscope/regscope/pkg/manifest"
	"github.com/regscope/regscope/pkg/pull"
	"github.com/regscope/regscope/pkg/registry"
)

// faultRun is the outcome of one pull against a faulty registry.
type faultRun struct {
	img     *pull.Image
	err     error
	retries []string // progress messages announcing a retry
	waits   []time.Duration
	elapsed time.Duration
	events  []pull.Event
}

// pullFaulty pulls ref with quick retries (1ms backoff, capped at 2s so a
// Retry-After of a second or two is honoured) and a 3s StallTimeout (the
// stall cases shorten it), collecting retry messages and the waits the
// client chose.
func pullFaulty(ctx context.Context, ref string, tweak func(*registry.Options)) faultRun {
	var (
		r  faultRun
		mu sync.Mutex
	)
	o := registry.Options{Backoff: time.Millisecond, MaxBackoff: 2 * time.Second, StallTimeout: 3 * time.Second,
		OnRetry: func(_ string, _ int, wait time.Duration, _ error) {
			mu.Lock()
			r.waits = append(r.waits, wait)
			mu.Unlock()
		}}
	if tweak != nil {
		tweak(&o)
	}
	start := time.Now()
	r.img, r.err = pull.Pull(ctx, ref, pull.Options{Registry: o, Progress: func(e pull.Event) {
		r.events = append(r.events, e)
		if strings.HasPrefix(e.Message, "retrying ") {
			r.retries = append(r.retries, e.Message)
		}
	}})
	r.elapsed = time.Since(start)
	return r
}

// gets counts the GET requests f saw for path.
func gets(f *regtest.Faults, path string) []regtest.Seen {
	var out []regtest.Seen
	for _, s := range f.Seen(path) {
		if s.Method == http.MethodGet {
			out = append(out, s)
		}
	}
	return out
}

// Every fault a registry can throw at a blob or manifest, against
// go-containerregistry's registry behind a fault injector. The pull either
// completes with every digest verified, or fails with an error naming the
// blob and the cause, after a bounded number of requests.
func TestPullRegistryFaults(t *testing.T) {
	retryAt := func(d time.Duration) string { return time.Now().Add(d).UTC().Format(http.TimeFormat) }
	stall := func(o *registry.Options) { o.StallTimeout = 300 * time.Millisecond }
	type env struct {
		f    *regtest.Faults
		blob string          // BlobPath of the big layer
		big  digest.Digest   // its digest
		ds   []digest.Digest // all layer digests
	}
	for _, tc := range []struct {
		name   string
		faults func(e env) []regtest.Fault
		tweak  func(*registry.Options)
		ctx    time.Duration // deadline for the pull; 0 = none

		gets    int      // GETs of the big blob (exactly)
		retries int      // retry messages (exactly; -1 = don't check)
		fails   []string // substrings of the error; nil = must succeed ("BLOB" = the big blob's digest)
		is      error
		check   func(t *testing.T, e env, r faultRun)
	}{
		{name: "reset mid-blob, resumed", faults: func(e env) []regtest.Fault {
			return []regtest.Fault{{Kind: regtest.Reset, Path: e.blob, Offset: 100_000, Times: 2}}
		}, gets: 3, retries: 2, check: func(t *testing.T, e env, r faultRun) {
			g := gets(e.f, e.blob)
			if !strings.HasPrefix(g[1].Range, "bytes=100000-") || !strings.HasPrefix(g[2].Range, "bytes=200000-") {
				t.Errorf("ranges %q %q, want resumes at 100000 and 200000", g[1].Range, g[2].Range)
			}
		}},
		{name: "reset every time", faults: func(e env) []regtest.Fault {
			return []regtest.Fault{{Kind: regtest.Reset, Path: e.blob, Offset: 1000}}
		}, gets: 5, retries: 4, fails: []string{"layer 1", "BLOB", "connection reset"}},
		{name: "500/502/503 burst", faults: func(e env) []regtest.Fault {
			return []regtest.Fault{{Kind: regtest.Status, Code: 500, Path: e.blob, Times: 1},
				{Kind: regtest.Status, Code: 502, Path: e.blob, Times: 1}, {Kind: regtest.Status, Code: 503, Path: e.blob, Times: 1}}
		}, gets: 4, retries: 3},
		{name: "503 burst on the manifest", faults: func(e env) []regtest.Fault {
			return []regtest.Fault{{Kind: regtest.Status, Code: 503, Path: "/manifests/", Times: 3}}
		}, gets: 1, retries: 3},
		{name: "503 forever", faults: func(e env) []regtest.Fault {
			return []regtest.Fault{{Kind: regtest.Status, Code: 503, Path: e.blob}}
		}, gets: 5, retries: 4, fails: []string{"layer 1", "BLOB", "503 Service Unavailable"}},
		{name: "429 Retry-After seconds", faults: func(e env) []regtest.Fault {
			return []regtest.Fault{{Kind: regtest.Status, Code: 429, Path: e.blob, Times: 1, Header: http.Header{"Retry-After": {"1"}}}}
		}, gets: 2, retries: 1, check: func(t *testing.T, e env, r faultRun) {
			if r.waits[0] < time.Second || r.elapsed < time.Second {
				t.Errorf("waited %v (pull took %v), want the 1s asked for", r.waits, r.elapsed)
			}
		}},
		{name: "429 Retry-After HTTP date", faults: func(e env) []regtest.Fault {
			return []regtest.Fault{{Kind: regtest.Status, Code: 429, Path: e.blob, Times: 1, Header: http.Header{"Retry-After": {retryAt(1500 * time.Millisecond)}}}}
		}, gets: 2, retries: 1, check: func(t *testing.T, e env, r faultRun) {
			if r.waits[0] < 400*time.Millisecond {
				t.Errorf("waited %v, want until the date asked for (0.5–1.5s)", r.waits)
			}
		}},
		{name: "429 Retry-After beyond MaxBackoff", faults: func(e env) []regtest.Fault {
			return []regtest.Fault{{Kind: regtest.Status, Code: 429, Path: e.blob, Header: http.Header{"Retry-After": {retryAt(time.Hour)}}}}
		}, gets: 1, retries: 0, fails: []string{"layer 1", "BLOB", "429 Too Many Requests", "retry after"}, is: registry.ErrTooManyRequests},
		{name: "truncated under a correct Content-Length", faults: func(e env) []regtest.Fault {
			return []regtest.Fault{{Kind: regtest.Truncate, Path: e.blob, Offset: 77_777, Times: 1}}
		}, gets: 2, retries: 1},
		{name: "truncated every time", faults: func(e env) []regtest.Fault {
			return []regtest.Fault{{Kind: regtest.Truncate, Path: e.blob, Offset: 5000}}
		}, gets: 5, retries: 4, fails: []string{"layer 1", "BLOB", "unexpected EOF"}},
		{name: "Content-Length longer than the body", faults: func(e env) []regtest.Fault {
			return []regtest.Fault{{Kind: regtest.Length, Path: e.blob, Offset: 4096}}
		}, gets: 1, retries: 0},
		{name: "Content-Length shorter than the body", faults: func(e env) []regtest.Fault {
			return []regtest.Fault{{Kind: regtest.Length, Path: e.blob, Offset: -4096, Times: 1}}
		}, gets: 2, retries: 1},
		{name: "Content-Length always short", faults: func(e env) []regtest.Fault {
			return []regtest.Fault{{Kind: regtest.Length, Path: e.blob, Offset: -4096}}
		}, gets: 5, retries: 4, fails: []string{"layer 1", "BLOB", "body ended after"}},
		{name: "body stalls, resumed", faults: func(e env) []regtest.Fault {
			return []regtest.Fault{{Kind: regtest.Stall, Path: e.blob, Offset: 50_000, Times: 1}}
		}, tweak: stall, gets: 2, retries: 1, check: func(t *testing.T, e env, r faultRun) {
			if g := gets(e.f, e.blob); !strings.HasPrefix(g[1].Range, "bytes=50000-") {
				t.Errorf("second request Range %q, want a resume at 50000", g[1].Range)
			}
		}},
		{name: "no response headers", faults: func(e env) []regtest.Fault {
			return []regtest.Fault{{Kind: regtest.Hang, Path: e.blob, Times: 1}}
		}, tweak: stall, gets: 2, retries: 1},
		{name: "body stalls every time", faults: func(e env) []regtest.Fault {
			return []regtest.Fault{{Kind: regtest.Stall, Path: e.blob, Offset: 1000}}
		}, tweak: func(o *registry.Options) { stall(o); o.MaxAttempts = 3 }, gets: 3, retries: 2, fails: []string{"layer 1", "BLOB", "stalled"},
			check: func(t *testing.T, e env, r faultRun) {
				var se *registry.StallError
				if !errors.As(r.err, &se) || r.elapsed > 3*time.Second {
					t.Errorf("err %v after %v, want a StallError within about 3 × 300ms", r.err, r.elapsed)
				}
			}},
		{name: "very slow drip, bounded by the deadline", faults: func(e env) []regtest.Fault {
			return []regtest.Fault{{Kind: regtest.Drip, Path: e.blob, Offset: 10_000, Delay: 20 * time.Millisecond}}
		}, tweak: stall, ctx: 600 * time.Millisecond, gets: 1, retries: 0, fails: []string{"layer 1", "BLOB"}, is: context.DeadlineExceeded,
			check: func(t *testing.T, e env, r faultRun) {
				if r.elapsed > 3*time.Second {
					t.Errorf("pull took %v, want about the 600ms deadline", r.elapsed)
				}
			}},
		{name: "redirect loop", faults: func(e env) []regtest.Fault {
			return []regtest.Fault{{Kind: regtest.Redirect, Path: e.blob}}
		}, gets: 10, retries: 0, fails: []string{"layer 1", "/blobs/BLOB", "stopped after 10 redirects"}},
		{name: "Range ignored, resumed by skipping", faults: func(e env) []regtest.Fault {
			return []regtest.Fault{{Kind: regtest.Reset, Path: e.blob, Offset: 120_000, Times: 1}, {Kind: regtest.IgnoreRange, Path: e.blob}}
		}, gets: 2, retries: 1, check: func(t *testing.T, e env, r faultRun) {
			if g := gets(e.f, e.blob); !g[1].Fault || !strings.HasPrefix(g[1].Range, "bytes=120000-") {
				t.Errorf("second request %+v, want a Range the registry ignored", g[1])
			}
		}},
		{name: "corrupt byte in a resumed body, fetched again bypassing caches", faults: func(e env) []regtest.Fault {
			return []regtest.Fault{{Kind: regtest.Reset, Path: e.blob, Offset: 100_000, Times: 1}, {Kind: regtest.Corrupt, Path: e.blob, Offset: 10, Times: 1}}
		}, gets: 3, retries: 1, check: func(t *testing.T, e env, r faultRun) {
			g := gets(e.f, e.blob)
			if g[0].CacheControl != "" || g[1].CacheControl != "" || g[2].CacheControl != "no-cache" || g[2].Range != "" {
				t.Errorf("requests %+v, want the third whole and with Cache-Control: no-cache", g)
			}
			want := "layer 1: blob " + string(e.big) + ": digest mismatch"
			found := false
			for _, ev := range r.events {
				found = found || (ev.Layer == -1 && strings.HasPrefix(ev.Message, want+": want "+string(e.big)+", got sha256:") && strings.HasSuffix(ev.Message, "; fetching it again from the registry, bypassing caches"))
			}
			if !found {
				t.Errorf("no event %q…; fetching it again in %+v", want, r.events)
			}
		}},
		{name: "corrupt byte every time: fails after one fetch bypassing caches", faults: func(e env) []regtest.Fault {
			return []regtest.Fault{{Kind: regtest.Reset, Path: e.blob, Offset: 100_000, Times: 1}, {Kind: regtest.Corrupt, Path: e.blob, Offset: 10}}
		}, gets: 3, retries: 1, fails: []string{"layer 1", "BLOB", "digest mismatch"}},
		{name: "manifest as application/octet-stream", faults: func(e env) []regtest.Fault {
			return []regtest.Fault{{Kind: regtest.SetHeader, Path: "/manifests/", Header: http.Header{"Content-Type": {"application/octet-stream"}}}}
		}, gets: 1, retries: 0, check: func(t *testing.T, e env, r faultRun) {
			if r.img.Manifest.MediaType != manifest.MediaTypeOCIManifest {
				t.Errorf("decoded as %q, want the body's mediaType", r.img.Manifest.MediaType)
			}
		}},
		{name: "manifest as text/plain", faults: func(e env) []regtest.Fault {
			return []regtest.Fault{{Kind: regtest.SetHeader, Path: "/manifests/", Header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}}}}
		}, gets: 1, retries: 0},
		{name: "manifest type contradicting the body", faults: func(e env) []regtest.Fault {
			return []regtest.Fault{{Kind: regtest.SetHeader, Path: "/manifests/", Header: http.Header{"Content-Type": {manifest.MediaTypeDockerList}}}}
		}, gets: 0, retries: 0, fails: []string{"manifest sha256:", manifest.MediaTypeDockerList, manifest.MediaTypeOCIManifest}, is: manifest.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, ref, ds := twoLayers(t)
			e := env{f: f, blob: regtest.BlobPath(ds[1]), big: ds[1], ds: ds}
			for _, fl := range tc.faults(e) {
				f.Add(fl)
			}
			ctx := context.Background()
			if tc.ctx > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.ctx)
				defer cancel()
			}
			r := pullFaulty(ctx, ref, tc.tweak)
			if tc.fails == nil {
				if r.err != nil {
					t.Fatalf("pull: %v", r.err)
				}
				if len(r.img.Layers) != 2 || readFile(t, r.img, "lower") != "lower" || len(readFile(t, r.img, "upper")) != 1<<18 {
					t.Errorf("image incomplete: %+v", r.img.Layers)
				}
				const verified = "all 6 digests verified (the manifest, the config, 2 layer blobs, 2 DiffIDs)"
				if last := r.events[len(r.events)-1]; last.Phase != pull.PhaseDone || last.Message != verified {
					t.Errorf("last event %+v, want %q", last, verified)
				}
			} else {
				if r.img != nil || r.err == nil {
					t.Fatalf("pull returned an image (%v), want the error", r.err)
				}
				for _, s := range tc.fails {
					s = strings.ReplaceAll(s, "BLOB", string(e.big))
					if !strings.Contains(r.err.Error(), s) {
						t.Errorf("error %q does not name %q", r.err, s)
					}
				}
				if tc.is != nil && !errors.Is(r.err, tc.is) {
					t.Errorf("error %v is not %v", r.err, tc.is)
				}
				for _, ev := range r.events {
					if ev.Layer == 1 && ev.State == pull.Done {
						t.Errorf("layer 1 reported done: %+v", ev)
					}
				}
			}
			if n := len(gets(f, e.blob)); n != tc.gets {
				t.Errorf("%d GETs of the blob, want %d", n, tc.gets)
			}
			if tc.retries >= 0 && len(r.retries) != tc.retries {
				t.Errorf("%d retry messages, want %d: %q", len(r.retries), tc.retries, r.retries)
			}
			if len(r.retries) != len(r.waits) {
				t.Errorf("%d retry messages for %d waits", len(r.retries), len(r.waits))
			}
			if tc.check != nil {
				tc.check(t, e, r)
			}
		})
	}
}

// tokenImage pushes a one-layer private image to a Distribution registry
// with token auth, behind a fault injector.
func tokenImage(t *testing.T) (*regtest.Registry, *regtest.Faults, string, digest.Digest) {
	reg := regtest.StartDistribution(t, regtest.Token)
	f := &regtest.Faults{}
	front := regtest.Front(t, reg.Host, f.Wrap)
	img := imagetest.Image(t, imagetest.OCI,
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "a", Body: "a"}),
		imagetest.Layer(t, imagetest.None, tartest.Entry{Name: "b", Body: strings.Repeat("b", 100_000)}))
	ref := front + "/private/img:1"
	regtest.Push(t, ref, img, remote.WithAuth(&authn.Basic{Username: regtest.User, Password: regtest.Password}))
	ls, _ := img.Layers()
	d, _ := ls[1].Digest()
	return reg, f, ref, digest.Digest(d.String())
}

func aliceFor(host string) func(string) (string, string, bool) {
	return func(h string) (string, string, bool) { return regtest.User, regtest.Password, h == host }
}

// Tokens that stop working mid-pull (the registry answers 401 after N
// requests, or the token service hands out one already expired) cost one
// new token each, and the pull completes.
func TestPullTokenExpiresMidPull(t *testing.T) {
	reg, f, ref, big := tokenImage(t)
	host := strings.SplitN(ref, "/", 2)[0]
	challenge := http.Header{"Www-Authenticate": {fmt.Sprintf(`Bearer realm=%q,service=%q,scope="repository:private/img:pull",error="invalid_token"`,
		reg.Issuer.URL, reg.Issuer.Service)}}
	for _, tc := range []struct {
		name   string
		arm    func()
		tokens int
	}{
		{"401 after 3 requests", func() {
			f.Add(regtest.Fault{Kind: regtest.Status, Code: 401, Path: "/private/img/", After: 3, Times: 1, Header: challenge})
		}, 2},
		{"token born expired", func() { reg.Issuer.ExpireNext(1) }, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(reg.Issuer.Requests())
			tc.arm()
			r := pullFaulty(context.Background(), ref, func(o *registry.Options) { o.Credentials = aliceFor(host) })
			if r.err != nil {
				t.Fatalf("pull: %v", r.err)
			}
			if len(r.img.Layers) != 2 || len(readFile(t, r.img, "b")) != 100_000 {
				t.Errorf("image incomplete")
			}
			if n := len(reg.Issuer.Requests()) - before; n != tc.tokens {
				t.Errorf("%d token requests, want %d (one re-authentication)", n, tc.tokens)
			}
		})
	}
	// A registry that refuses every token: one re-authentication per
	// request, then the 401 names what was refused.
	t.Run("every token refused", func(t *testing.T) {
		f.Add(regtest.Fault{Kind: regtest.Status, Code: 401, Path: regtest.BlobPath(big), Header: challenge})
		before, beforeGets := len(reg.Issuer.Requests()), len(gets(f, regtest.BlobPath(big)))
		r := pullFaulty(context.Background(), ref, func(o *registry.Options) { o.Credentials = aliceFor(host) })
		if !errors.Is(r.err, registry.ErrUnauthorized) || !strings.Contains(r.err.Error(), string(big)) {
			t.Errorf("err = %v, want ErrUnauthorized naming %s", r.err, big)
		}
		if n := len(reg.Issuer.Requests()) - before; n > 3 {
			t.Errorf("%d token requests, want at most 3 (the first, one re-auth for the blob, none for retries)", n)
		}
		if n := len(gets(f, regtest.BlobPath(big))) - beforeGets; n != 2 {
			t.Errorf("%d GETs of the blob, want 2 (the 401 and its one re-authenticated retry)", n)
		}
	})
}

// The token endpoint failing under a pull: a 5xx burst is retried, a dead
// endpoint ends the pull with an error naming the realm.
func TestPullTokenEndpointFails(t *testing.T) {
	reg, _, ref, _ := tokenImage(t)
	host := strings.SplitN(ref, "/", 2)[0]
	tf := &reg.Issuer.Faults

	tf.Add(regtest.Fault{Kind: regtest.Status, Code: 503, Path: "/token", Times: 2})
	r := pullFaulty(context.Background(), ref, func(o *registry.Options) { o.Credentials = aliceFor(host) })
	if r.err != nil || len(r.retries) != 2 {
		t.Errorf("503 twice: %v, retries %q; want success after 2 retries", r.err, r.retries)
	}

	*tf = regtest.Faults{}
	tf.Add(regtest.Fault{Kind: regtest.Status, Code: 502, Path: "/token"})
	r = pullFaulty(context.Background(), ref, func(o *registry.Options) { o.Credentials = aliceFor(host) })
	if r.err == nil || !strings.Contains(r.err.Error(), "token from "+reg.Issuer.URL) || !strings.Contains(r.err.Error(), "502") {
		t.Errorf("502 always: %v, want an error naming the realm %s", r.err, reg.Issuer.URL)
	}
	if n := len(tf.Seen("/token")); n != 5 {
		t.Errorf("%d token requests, want 5 (MaxAttempts)", n)
	}
	*tf = regtest.Faults{}
}
