package registry

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/regscope/regscope/internal/regtest"
)

func TestTooManyRequests(t *testing.T) {
	var f regtest.Faults
	host := regtest.GGCRWith(t, f.Wrap)
	p := pushRandom(t, host, "test/img", 100, 1)
	var waits []time.Duration
	c := fastClient(Options{OnRetry: func(_ string, _ int, d time.Duration, err error) {
		if !errors.Is(err, ErrTooManyRequests) {
			t.Errorf("OnRetry cause %v, want ErrTooManyRequests", err)
		}
		waits = append(waits, d)
	}})

	// Retry-After 1s is honoured (the backoff alone would be milliseconds).
	f.Add(regtest.Fault{Kind: regtest.Status, Code: http.StatusTooManyRequests, Path: "/manifests/", Times: 1,
		Header: http.Header{"Retry-After": {"1"}}})
	start := time.Now()
	if _, err := c.Manifest(context.Background(), p.ref, "tag", manifestTypes, maxManifest); err != nil {
		t.Fatalf("Manifest after one 429: %v", err)
	}
	if len(waits) != 1 || waits[0] < time.Second || time.Since(start) < time.Second {
		t.Errorf("waits %v, elapsed %v; want one wait of at least 1s", waits, time.Since(start))
	}

	// A Retry-After beyond MaxBackoff ends the retries at once, with the registry's error.
	waits = nil
	f.Add(regtest.Fault{Kind: regtest.Status, Code: http.StatusTooManyRequests, Path: "/manifests/", Times: 1,
		Header: http.Header{"Retry-After": {"120"}}})
	_, err := c.Manifest(context.Background(), p.ref, "tag", manifestTypes, maxManifest)
	var re *Error
	if !errors.As(err, &re) || !errors.Is(err, ErrTooManyRequests) || re.RetryAfter != 2*time.Minute || len(waits) != 0 {
		t.Errorf("err = %v (waits %v), want ErrTooManyRequests with RetryAfter 2m and no retry", err, waits)
	}

	// 503s: retried MaxAttempts times in all, then the last error.
	f.Add(regtest.Fault{Kind: regtest.Status, Code: http.StatusServiceUnavailable, Path: p.ref.Path + "/manifests/"})
	c = fastClient(Options{MaxAttempts: 3})
	before := len(f.Seen("/manifests/"))
	_, err = c.Manifest(context.Background(), p.ref, "tag", manifestTypes, maxManifest)
	if !errors.As(err, &re) || re.StatusCode != 503 {
		t.Errorf("err = %v, want the 503", err)
	}
	if n := len(f.Seen("/manifests/")) - before; n != 3 {
		t.Errorf("%d manifest requests, want 3", n)
	}
}

func TestRetryStopsOnCancel(t *testing.T) {
	var f regtest.Faults
	host := regtest.GGCRWith(t, f.Wrap)
	p := pushRandom(t, host, "test/img", 100, 1)
	f.Add(regtest.Fault{Kind: regtest.Status, Code: http.StatusServiceUnavailable, Path: "/manifests/"})
	ctx, cancel := context.WithCancel(context.Background())
	c := NewClient(Options{Backoff: time.Hour, MaxBackoff: time.Hour, OnRetry: func(string, int, time.Duration, error) { cancel() }})
	_, err := c.Manifest(ctx, p.ref, "tag", manifestTypes, maxManifest)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

// refusal is a transport's error that no retry can help, as the page's
// relay transport reports the relay's refusals.
type refusal struct{}

func (refusal) Error() string   { return "relay refused the destination" }
func (refusal) Permanent() bool { return true }

type refusingTransport struct{ calls int }

func (t *refusingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	t.calls++
	return nil, refusal{}
}

func TestPermanentTransportErrorsAreNotRetried(t *testing.T) {
	rt := &refusingTransport{}
	c := NewClient(Options{Transport: rt, Backoff: time.Hour, MaxBackoff: time.Hour})
	r, _ := ParseRef("registry.example/img:tag")
	_, err := c.Manifest(context.Background(), r, "tag", manifestTypes, maxManifest)
	if !errors.As(err, new(refusal)) || rt.calls != 1 {
		t.Errorf("err = %v after %d calls, want the refusal after exactly one", err, rt.calls)
	}
}
