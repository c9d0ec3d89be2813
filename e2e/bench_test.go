//go:build !js

package e2e

import (
	"context"
	"io"
	"net/http"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// verifiedRecorder notes, in milliseconds since the navigation started, when
// #status first reads data-state=verified.
const verifiedRecorder = `(() => {
  const mark = () => {
    const s = document.getElementById("status");
    if (s && s.dataset.state === "verified" && window.__verifiedAt === undefined) window.__verifiedAt = performance.now();
  };
  new MutationObserver(mark).observe(document, {subtree: true, childList: true, attributes: true, attributeFilter: ["data-state"]});
})();`

// BenchmarkPageVsNative pulls the ≈100 MB demo image (demo/big, served by
// the embedded registry on loopback) in headless Chromium, from navigation
// to "all verified", and with the native CLI (`regscope pull`) in the same
// run. It reports both times, their ratio, the wasm's transfer size and the
// longest main-thread task; figures, not assertions.
//
//	go test -run '^$' -bench PageVsNative -benchtime 1x -count 3 ./e2e/
func BenchmarkPageVsNative(b *testing.B) {
	s := env.srv
	ref := bigRef(s)
	warmBig(b, s)
	gz := wasmTransferSize(b, s)

	var pageTotal, nativeTotal, longestTask time.Duration
	var seenWasm float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		tb := newTab(b)
		if _, err := chromedp.Call(tb.ctx, page.AddScriptToEvaluateOnNewDocument,
			page.AddScriptToEvaluateOnNewDocumentParams{Source: verifiedRecorder}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		tb.navigate(pageURL(s, "image", ref))
		tb.waitStatus(bigWait, "verified")
		b.StopTimer()
		ms := eval[float64](tb, `window.__verifiedAt ?? -1`)
		if ms < 0 {
			b.Fatal("the page never recorded data-state=verified")
		}
		pageTotal += time.Duration(ms * float64(time.Millisecond))
		longestTask = max(longestTask, longest(tb.longtasks()))
		seenWasm = eval[float64](tb, `(performance.getEntriesByType("resource").find(e => e.name.includes("regscope.wasm")) || {}).encodedBodySize || 0`)

		start := time.Now()
		nativePull(b, ref)
		nativeTotal += time.Since(start)
		b.StartTimer()
	}
	n := float64(b.N)
	pageS, nativeS := pageTotal.Seconds()/n, nativeTotal.Seconds()/n
	b.ReportMetric(pageS, "page-s")
	b.ReportMetric(nativeS, "native-s")
	b.ReportMetric(pageS/nativeS, "page/native")
	b.ReportMetric(float64(gz), "wasm-gzip-bytes")
	b.ReportMetric(float64(longestTask)/float64(time.Millisecond), "longest-task-ms")
	b.Logf("%s: page %.2fs (navigation → all verified), native %.2fs, ratio %.1f; wasm %d bytes gzip'd (the browser saw %.0f); longest main-thread task %v",
		ref, pageS, nativeS, pageS/nativeS, gz, seenWasm, longestTask.Round(time.Millisecond))
}

// nativePull runs `regscope pull ref` with the built binary.
func nativePull(b *testing.B, ref string) {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), bigWait)
	defer cancel()
	cmd := exec.CommandContext(ctx, env.bin, "pull", "--no-cache", ref) // every run downloads, as the page's first open
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("regscope pull %s: %v\n%s", ref, err, out)
	}
}

// wasmTransferSize is the number of bytes of /regscope.wasm as the server
// sends them to a client accepting gzip.
func wasmTransferSize(b *testing.B, s *server) int64 {
	b.Helper()
	req, err := http.NewRequest(http.MethodGet, s.url+"/regscope.wasm", nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", "gzip")
	c := &http.Client{Transport: &http.Transport{DisableCompression: true}, Timeout: time.Minute}
	resp, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		b.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "gzip" {
		b.Fatalf("GET /regscope.wasm: %s, Content-Encoding %q", resp.Status, resp.Header.Get("Content-Encoding"))
	}
	return n
}
