//go:build !js

package e2e

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// maxTask is the longest main-thread task the page may run during a pull.
const maxTask = time.Second

// bigWait bounds a pull of the ≈100 MB demo image in the page.
const bigWait = 4 * time.Minute

// bigRef is the ≈100 MB demo image on s.
func bigRef(s *server) string { return s.host + "/demo/big:latest" }

// warmBig makes the server generate demo/big (done on its first request)
// so that a measurement does not include the generation.
func warmBig(t testing.TB, s *server) {
	t.Helper()
	req, err := http.NewRequest(http.MethodHead, s.url+"/v2/demo/big/manifests/latest", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json")
	c := &http.Client{Timeout: 2 * time.Minute}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("warming demo/big: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("warming demo/big: HEAD %s: %s", req.URL, resp.Status)
	}
}

// summarize describes long tasks for a log line.
func summarize(tasks []longtask) string {
	if len(tasks) == 0 {
		return "no main-thread task over 50 ms"
	}
	d := make([]float64, len(tasks))
	var sum float64
	for i, lt := range tasks {
		d[i] = lt.Duration
		sum += lt.Duration
	}
	slices.Sort(d)
	var each []string
	for _, lt := range tasks {
		each = append(each, fmt.Sprintf("%.0f ms at %.0f ms", lt.Duration, lt.Start))
	}
	return fmt.Sprintf("%d tasks over 50 ms: median %.0f ms, longest %.0f ms, total %.0f ms (%s)",
		len(d), d[len(d)/2], d[len(d)-1], sum, strings.Join(each, ", "))
}

// longest is the longest task's duration.
func longest(tasks []longtask) time.Duration {
	var m float64
	for _, lt := range tasks {
		m = max(m, lt.Duration)
	}
	return time.Duration(m * float64(time.Millisecond))
}

// TestMainThreadResponsive pulls the showcase image and the ≈100 MB demo
// image in the page and fails if any main-thread task took over a second:
// the pipeline must run in the worker, not on the page's thread.
func TestMainThreadResponsive(t *testing.T) {
	warmBig(t, env.srv)
	for _, tc := range []struct {
		name, ref string
		wait      time.Duration
	}{
		{"showcase", showcase(env.srv), pullWait},
		{"big", bigRef(env.srv), bigWait},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tb := newTab(t)
			start := time.Now()
			tb.navigate(pageURL(env.srv, "image", tc.ref))
			tb.waitStatus(tc.wait, "verified")
			if ok := eval[bool](tb, `Array.isArray(window.__longtasks)`); !ok {
				t.Fatal("this browser does not report longtask entries")
			}
			tasks := tb.longtasks()
			t.Logf("%s: verified %v after navigation; %s", tc.ref, time.Since(start).Round(10*time.Millisecond), summarize(tasks))
			for _, lt := range tasks {
				if time.Duration(lt.Duration*float64(time.Millisecond)) > maxTask {
					t.Errorf("a main-thread task took %.0f ms (at %.0f ms, %s); the limit is %v", lt.Duration, lt.Start, lt.Name, maxTask)
				}
			}
			if s := tb.text("#status"); !strings.HasPrefix(s, "✓") {
				t.Errorf("#status reads %q", s)
			}
		})
	}
	// The control: a task that blocks the main thread is seen, so the check
	// above can fail.
	t.Run("control", func(t *testing.T) {
		tb := newTab(t)
		tb.navigate(env.srv.url + "/")
		eval[chromedp.Void](tb, `setTimeout(() => { const t0 = performance.now(); while (performance.now() - t0 < 1100) {} }, 0)`)
		tb.waitFn(10*time.Second, "a longtask entry over 1 s", `() =>
		  (window.__longtasks || []).some(e => e.duration > 1000) ? "ok" : ""`)
		if d := longest(tb.longtasks()); d <= maxTask {
			t.Errorf("longest task %v, want > %v", d, maxTask)
		}
	})
}
