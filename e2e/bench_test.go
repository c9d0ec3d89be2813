//go:build !js

package e2e

import (
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// verifiedRecorder notes, in milliseconds since the navigation started, when
// #status first reads data-state=verified, and when the engine first says a
// layer is verified and merged (its first msg.Merged message): from then on
// the engine answers about that layer's files.
const verifiedRecorder = `(() => {
  const mark = () => {
    const s = document.getElementById("status");
    if (s && s.dataset.state === "verified" && window.__verifiedAt === undefined) window.__verifiedAt = performance.now();
  };
  new MutationObserver(mark).observe(document, {subtree: true, childList: true, attributes: true, attributeFilter: ["data-state"]});
  const W = window.Worker;
  window.Worker = function (...args) {
    const w = new W(...args);
    w.addEventListener("message", (e) => {
      if (e.data && e.data.kind === "merged" && window.__mergedAt === undefined) window.__mergedAt = performance.now();
    });
    return w;
  };
  window.Worker.prototype = W.prototype;
})();`

// pageRun is one page load's figures, in seconds since navigation.
type pageRun struct{ verified, firstMerged float64 }

// openPage loads ref in tb and waits for "all verified".
func openPage(b *testing.B, tb *tab, s *server, ref string) pageRun {
	b.Helper()
	tb.navigate(pageURL(s, "image", ref))
	tb.waitStatus(bigWait, "verified")
	r := pageRun{verified: eval[float64](tb, `window.__verifiedAt ?? -1`) / 1000, firstMerged: eval[float64](tb, `window.__mergedAt ?? -1`) / 1000}
	if r.verified < 0 || r.firstMerged < 0 {
		b.Fatalf("the page recorded verified at %.3fs, first layer merged at %.3fs", r.verified, r.firstMerged)
	}
	return r
}

// BenchmarkPageVsNative pulls the ≈100 MB demo image (demo/big, served by
// the embedded registry on loopback) in headless Chromium, from navigation
// to "all verified", then opens it again in the same tab; in the same run
// it pulls it natively (`regscope pull --no-cache`) and with crane
// (`crane export REF -`, when REGSCOPE_BENCH_CRANE names its binary). It
// reports the times, page ÷ native, the first layer merged ÷ all verified,
// second open ÷ first, the wasm's transfer size and the longest main-thread
// task; figures, not assertions.
//
//	GOBIN=$PWD/bin go install github.com/google/go-containerregistry/cmd/crane@v0.22.1
//	REGSCOPE_BENCH_CRANE=$PWD/bin/crane go test -run '^$' -bench PageVsNative -benchtime 1x -count 3 ./e2e/
func BenchmarkPageVsNative(b *testing.B) {
	s := env.srv
	ref := bigRef(s)
	warmBig(b, s)
	view, engine := wasmTransferSize(b, s, "view"), wasmTransferSize(b, s, "engine")

	var first, second pageRun
	var nativeTotal, craneTotal, longestTask time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		tb := newTab(b)
		if _, err := chromedp.Call(tb.ctx, page.AddScriptToEvaluateOnNewDocument,
			page.AddScriptToEvaluateOnNewDocumentParams{Source: verifiedRecorder}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		r := openPage(b, tb, s, ref)
		b.StopTimer()
		longestTask = max(longestTask, longest(tb.longtasks()))
		r2 := openPage(b, tb, s, ref)
		first.verified, first.firstMerged = first.verified+r.verified, first.firstMerged+r.firstMerged
		second.verified += r2.verified

		start := time.Now()
		nativePull(b, ref)
		nativeTotal += time.Since(start)
		if crane := os.Getenv("REGSCOPE_BENCH_CRANE"); crane != "" {
			start = time.Now()
			runCmd(b, crane, "export", "--insecure", ref, "-")
			craneTotal += time.Since(start)
		}
		b.StartTimer()
	}
	n := float64(b.N)
	pageS, nativeS := first.verified/n, nativeTotal.Seconds()/n
	b.ReportMetric(pageS, "page-s")
	b.ReportMetric(nativeS, "native-s")
	b.ReportMetric(pageS/nativeS, "page/native")
	b.ReportMetric(first.firstMerged/first.verified, "first-merged/verified")
	b.ReportMetric(second.verified/first.verified, "second/first")
	b.ReportMetric(float64(view.n), "view-wasm-bytes")
	b.ReportMetric(float64(engine.n), "engine-wasm-bytes")
	b.ReportMetric(float64(longestTask)/float64(time.Millisecond), "longest-task-ms")
	if craneTotal > 0 {
		b.ReportMetric(craneTotal.Seconds()/n, "crane-export-s")
	}
	b.Logf("%s: page %.2fs (navigation → all verified; first layer merged at %.2fs; second open %.2fs), native %.2fs, crane export %.2fs, page/native %.1f; wasm transferred: view %d bytes (%s), engine %d bytes (%s); longest main-thread task %v",
		ref, pageS, first.firstMerged/n, second.verified/n, nativeS, craneTotal.Seconds()/n, pageS/nativeS,
		view.n, view.encoding, engine.n, engine.encoding, longestTask.Round(time.Millisecond))
}

// runCmd runs a peer's command, its output discarded.
func runCmd(b *testing.B, name string, args ...string) {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), bigWait)
	defer cancel()
	var stderr strings.Builder
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	if err := cmd.Run(); err != nil {
		b.Fatalf("%s %v: %v\n%s", name, args, err, stderr.String())
	}
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

// transfer is how many bytes of a wasm program the server sends, in which encoding.
type transfer struct {
	n        int64
	encoding string
}

// wasmTransferSize is the number of bytes of /NAME.wasm as the server sends
// them to a client accepting what Chromium accepts; brotli once the
// server's background compression is done (waited for up to 5 minutes),
// else gzip.
func wasmTransferSize(b *testing.B, s *server, name string) transfer {
	b.Helper()
	c := &http.Client{Transport: &http.Transport{DisableCompression: true}, Timeout: time.Minute}
	deadline := time.Now().Add(5 * time.Minute)
	for {
		req, err := http.NewRequest(http.MethodGet, s.url+"/"+name+".wasm", nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Accept-Encoding", "gzip, deflate, br, zstd")
		resp, err := c.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil {
			b.Fatal(err)
		}
		enc := resp.Header.Get("Content-Encoding")
		if resp.StatusCode != http.StatusOK || enc != "br" && enc != "gzip" {
			b.Fatalf("GET /%s.wasm: %s, Content-Encoding %q", name, resp.Status, enc)
		}
		if enc == "br" || time.Now().After(deadline) {
			return transfer{n, enc}
		}
		time.Sleep(time.Second)
	}
}
