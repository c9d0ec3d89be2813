package registry

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/regscope/regscope/internal/regtest"
)

// The wait schedule: base doubled per attempt, capped, jittered into
// [d/2, d]. Checked at both ends of the jitter with a fixed randN, and for
// spread with the real one.
func TestBackoffSchedule(t *testing.T) {
	lo := func(time.Duration) time.Duration { return 0 }
	hi := func(n time.Duration) time.Duration { return n - 1 }
	const base, max = 100 * time.Millisecond, time.Second
	for _, tc := range []struct {
		attempt int
		d       time.Duration // before jitter
	}{
		{1, 100 * time.Millisecond}, {2, 200 * time.Millisecond}, {3, 400 * time.Millisecond},
		{4, 800 * time.Millisecond}, {5, time.Second}, {40, time.Second}, {62, time.Second}, {63, time.Second}, {1000, time.Second},
	} {
		if got := backoff(base, max, tc.attempt, lo); got != tc.d/2 {
			t.Errorf("attempt %d: shortest wait %v, want %v", tc.attempt, got, tc.d/2)
		}
		if got := backoff(base, max, tc.attempt, hi); got != tc.d {
			t.Errorf("attempt %d: longest wait %v, want %v", tc.attempt, got, tc.d)
		}
	}
	seen := map[time.Duration]bool{}
	for range 200 {
		d := backoff(base, max, 3, rand.N[time.Duration])
		if d < 200*time.Millisecond || d > 400*time.Millisecond {
			t.Fatalf("attempt 3: wait %v outside [200ms, 400ms]", d)
		}
		seen[d] = true
	}
	if len(seen) < 150 {
		t.Errorf("200 jittered waits took only %d distinct values", len(seen))
	}
}

// retryWait: what is retried, for how long, and what stops at once.
func TestRetryWait(t *testing.T) {
	c := NewClient(Options{Backoff: time.Millisecond, MaxBackoff: time.Second, MaxAttempts: 4})
	for _, tc := range []struct {
		name     string
		attempt  int
		err      error
		again    bool
		min, max time.Duration
	}{
		{"network error", 1, io.ErrUnexpectedEOF, true, 0, time.Millisecond},
		{"503", 2, &Error{StatusCode: 503}, true, time.Millisecond, 2 * time.Millisecond},
		{"429 Retry-After honoured", 1, &Error{StatusCode: 429, RetryAfter: 300 * time.Millisecond}, true, 300 * time.Millisecond, 300 * time.Millisecond},
		{"429 Retry-After beyond MaxBackoff", 1, &Error{StatusCode: 429, RetryAfter: 2 * time.Second}, false, 0, 0},
		{"stall", 1, &StallError{URL: "u", Timeout: time.Second}, true, 0, time.Millisecond},
		{"attempts exhausted", 4, io.ErrUnexpectedEOF, false, 0, 0},
		{"404", 1, &Error{StatusCode: 404}, false, 0, 0},
		{"401", 1, &Error{StatusCode: 401}, false, 0, 0},
		{"digest mismatch", 1, &DigestError{}, false, 0, 0},
		{"size mismatch", 1, &SizeError{}, false, 0, 0},
		{"redirect loop", 1, permanent(errors.New("loop")), false, 0, 0},
		{"cancelled", 1, fmt.Errorf("x: %w", context.Canceled), false, 0, 0},
		{"deadline", 1, context.DeadlineExceeded, false, 0, 0},
	} {
		d, again := c.retryWait(tc.attempt, tc.err)
		if again != tc.again || d < tc.min || d > tc.max {
			t.Errorf("%s: retryWait = %v, %v; want %v in [%v, %v]", tc.name, d, again, tc.again, tc.min, tc.max)
		}
	}
}

// Stalls: no headers, or a body that stops, are abandoned after
// StallTimeout and retried (a blob resumes with Range); a live drip is not
// a stall, and the caller's deadline bounds it.
func TestStallTimeout(t *testing.T) {
	var f regtest.Faults
	host := regtest.GGCRWith(t, f.Wrap)
	p := pushRandom(t, host, "test/img", 100_000, 1)
	l := p.layers[0]
	path := regtest.BlobPath(l.Digest)
	client := func(attempts int) *Client {
		return fastClient(Options{StallTimeout: 150 * time.Millisecond, MaxAttempts: attempts})
	}

	t.Run("no headers", func(t *testing.T) {
		before := len(f.Seen("/manifests/"))
		f.Add(regtest.Fault{Kind: regtest.Hang, Path: "/manifests/"})
		t.Cleanup(func() { f = regtest.Faults{} })
		start := time.Now()
		_, err := client(2).Manifest(context.Background(), p.ref, "tag", manifestTypes, maxManifest)
		var se *StallError
		if !errors.As(err, &se) || se.Body || !strings.Contains(err.Error(), "/v2/test/img/manifests/tag") || !strings.Contains(err.Error(), "waiting for response headers") {
			t.Errorf("err = %v, want a StallError naming the manifest URL", err)
		}
		if n := len(f.Seen("/manifests/")) - before; n != 2 {
			t.Errorf("%d manifest requests, want 2 (MaxAttempts)", n)
		}
		if el := time.Since(start); el > 2*time.Second {
			t.Errorf("took %v, want about 2 × 150ms", el)
		}
	})
	t.Run("body stalls once, resumed", func(t *testing.T) {
		f.Add(regtest.Fault{Kind: regtest.Stall, Path: path, Offset: 30_000, Times: 1})
		t.Cleanup(func() { f = regtest.Faults{} })
		got, err := readBlob(t, client(3), p.ref, l)
		if err != nil || !bytes.Equal(got, p.blobs[l.Digest]) {
			t.Fatalf("read %d bytes, %v", len(got), err)
		}
		s := f.Seen(path)
		if len(s) != 2 || s[1].Range != fmt.Sprintf("bytes=30000-%d", l.Size-1) {
			t.Errorf("requests %+v, want a resume at byte 30000", s)
		}
	})
	t.Run("body always stalls", func(t *testing.T) {
		f.Add(regtest.Fault{Kind: regtest.Stall, Path: path, Offset: 10_000})
		f.Add(regtest.Fault{Kind: regtest.IgnoreRange, Path: path})
		t.Cleanup(func() { f = regtest.Faults{} })
		_, err := readBlob(t, client(3), p.ref, l)
		var se *StallError
		if !errors.As(err, &se) || !se.Body || !strings.Contains(err.Error(), "blob "+string(l.Digest)) {
			t.Errorf("err = %v, want a StallError naming the blob", err)
		}
		if n := len(f.Seen(path)); n != 3 {
			t.Errorf("%d blob requests, want 3 (MaxAttempts)", n)
		}
	})
	t.Run("drip bounded by the caller's deadline", func(t *testing.T) {
		f.Add(regtest.Fault{Kind: regtest.Drip, Path: path, Offset: 1000, Delay: 20 * time.Millisecond})
		t.Cleanup(func() { f = regtest.Faults{} })
		ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
		defer cancel()
		start := time.Now()
		rc, err := client(5).Blob(ctx, p.ref, l)
		if err != nil {
			t.Fatal(err)
		}
		n, err := io.Copy(io.Discard, rc)
		rc.Close()
		if !errors.Is(err, context.DeadlineExceeded) || n < 1000 || n >= l.Size {
			t.Errorf("read %d bytes, err %v; want the deadline, part way", n, err)
		}
		if el := time.Since(start); el > 2*time.Second {
			t.Errorf("took %v, want the 400ms deadline", el)
		}
		if n := len(f.Seen(path)); n != 1 {
			t.Errorf("%d requests, want 1: a live drip is not a stall, and the deadline is not retried", n)
		}
	})
}

// A redirect loop stops after 10 hops, names the blob, and is not retried.
func TestRedirectLoop(t *testing.T) {
	var f regtest.Faults
	host := regtest.GGCRWith(t, f.Wrap)
	p := pushRandom(t, host, "test/img", 1000, 1)
	l := p.layers[0]
	f.Add(regtest.Fault{Kind: regtest.Redirect, Path: regtest.BlobPath(l.Digest)})
	retries := 0
	_, err := readBlob(t, fastClient(Options{OnRetry: func(string, int, time.Duration, error) { retries++ }}), p.ref, l)
	if err == nil || !strings.Contains(err.Error(), "/blobs/"+string(l.Digest)) || !strings.Contains(err.Error(), "stopped after 10 redirects") {
		t.Errorf("err = %v, want the redirect loop naming the blob", err)
	}
	n := 0
	for _, s := range f.Seen(regtest.BlobPath(l.Digest)) {
		if s.Method == http.MethodGet {
			n++
		}
	}
	if n != 10 || retries != 0 {
		t.Errorf("%d GETs, %d retries; want 10 (net/http's limit) and none", n, retries)
	}
}

// A Content-Length that lies: longer than the body (the response ends
// short of it), shorter (the server stops early). Either way the bytes are
// resumed and the digest checked over all of them.
func TestWrongContentLength(t *testing.T) {
	var f regtest.Faults
	host := regtest.GGCRWith(t, f.Wrap)
	p := pushRandom(t, host, "test/img", 50_000, 1)
	l := p.layers[0]
	path := regtest.BlobPath(l.Digest)
	for _, tc := range []struct {
		name     string
		faults   []regtest.Fault
		requests int
		fails    string
	}{
		{name: "longer", faults: []regtest.Fault{{Kind: regtest.Length, Path: path, Offset: 1000, Times: 1}}, requests: 1},
		{name: "shorter, once", faults: []regtest.Fault{{Kind: regtest.Length, Path: path, Offset: -1000, Times: 1}}, requests: 2},
		{name: "longer, always", faults: []regtest.Fault{{Kind: regtest.Length, Path: path, Offset: 1000}}, requests: 1},
		{name: "shorter, always", faults: []regtest.Fault{{Kind: regtest.Length, Path: path, Offset: -20_000}}, requests: 3,
			fails: fmt.Sprintf("body ended after %d of %d bytes", l.Size-20_000, l.Size)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f = regtest.Faults{}
			for _, fl := range tc.faults {
				f.Add(fl)
			}
			got, err := readBlob(t, fastClient(Options{MaxAttempts: 3}), p.ref, l)
			if tc.fails == "" && (err != nil || !bytes.Equal(got, p.blobs[l.Digest])) {
				t.Errorf("read %d bytes, %v", len(got), err)
			}
			if tc.fails != "" && (err == nil || !strings.Contains(err.Error(), tc.fails) || !strings.Contains(err.Error(), string(l.Digest))) {
				t.Errorf("err = %v, want %q naming the blob", err, tc.fails)
			}
			if n := len(f.Seen(path)); n != tc.requests {
				t.Errorf("%d requests, want %d", n, tc.requests)
			}
		})
	}
}

// A registry that echoes request headers in its error bodies cannot make
// the client print the credentials it sent.
func TestErrorBodiesRedacted(t *testing.T) {
	const pass = "s3cr3t-Pa55"
	basic := base64.StdEncoding.EncodeToString([]byte(regtest.User + ":" + pass))
	echo := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			authz := r.Header.Get("Authorization")
			switch {
			case authz == "":
				w.Header().Set("WWW-Authenticate", `Basic realm="echo"`)
				w.WriteHeader(http.StatusUnauthorized)
			case strings.Contains(r.URL.Path, "/manifests/json"):
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprintf(w, `{"errors":[{"code":"DENIED %s","message":"you sent %q, that is %s"}]}`, authz, authz, pass)
			case strings.Contains(r.URL.Path, "/manifests/"):
				w.WriteHeader(http.StatusInternalServerError)
				fmt.Fprintf(w, "bad request; Authorization: %s; user:pass %s:%s", authz, regtest.User, pass)
			default:
				next.ServeHTTP(w, r)
			}
		})
	}
	host := regtest.GGCRWith(t, echo)
	r, _ := ParseRef(host + "/test/img:json")
	c := fastClient(Options{MaxAttempts: 1, Credentials: func(string) (string, string, bool) { return regtest.User, pass, true }})
	for _, tag := range []string{"json", "text"} {
		_, err := c.Manifest(context.Background(), r, tag, manifestTypes, maxManifest)
		if err == nil || !strings.Contains(err.Error(), redacted) {
			t.Fatalf("%s: err = %v, want an error with the echo redacted", tag, err)
		}
		for _, secret := range []string{pass, basic} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("%s: error %q contains a secret", tag, err)
			}
		}
	}
}

func TestRedactSecrets(t *testing.T) {
	req := func(authz string) *http.Request {
		r, _ := http.NewRequest(http.MethodGet, "http://x/", nil)
		if authz != "" {
			r.Header.Set("Authorization", authz)
		}
		return r
	}
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("u:pw"))
	for _, tc := range []struct {
		in, authz, want string
	}{
		{"token abc.def.ghi here", "Bearer abc.def.ghi", "token [redacted] here"},
		{"echo: Bearer abc", "Bearer abc", "echo: [redacted]"},
		{"pw and u:pw and " + basic[6:], basic, "[redacted] and [redacted] and [redacted]"},
		{"nothing sent", "", "nothing sent"},
	} {
		if got := redactSecrets(tc.in, req(tc.authz)); got != tc.want {
			t.Errorf("redactSecrets(%q, %q) = %q, want %q", tc.in, tc.authz, got, tc.want)
		}
	}
	if got := redactSecrets("x", nil); got != "x" {
		t.Errorf("nil request: %q", got)
	}
}
