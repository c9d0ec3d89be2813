//go:build !js

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/regscope/regscope/internal/wasmbin"
	"github.com/regscope/regscope/web"
)

// probeReport is what wasm/codec/probe posts to its page.
type probeReport struct {
	Workers int               `json:"workers"`
	Start   string            `json:"start"`
	Checks  []string          `json:"checks"`
	Figures map[string]string `json:"figures"`
	Stats   struct {
		Streams, BytesIn, Fallbacks int64
	} `json:"stats"`
}

// The probe's page and worker scripts: the worker runs probe.wasm and the
// page keeps what it posts in window.__probe.
const (
	probePage   = `<!doctype html><meta charset="utf-8"><title>codec probe</title><script src="probe-page.js"></script>`
	probePageJS = `"use strict";
const w = new Worker("probe-worker.js" + location.search);
w.onmessage = (e) => { window.__probe = e.data; };
w.onerror = (e) => { window.__probe = window.__probe || JSON.stringify({start: "probe worker: " + e.message}); };`
	probeWorkerJS = `"use strict";
importScripts("wasm_exec.js");
const go = new Go();
WebAssembly.instantiateStreaming(fetch("probe.wasm"), go.importObject).then((r) => go.run(r.instance));`
)

var probeBuild struct {
	once       sync.Once
	wasm, exec string
	err        error
}

// buildProbe builds wasm/codec/probe for the browser, once per test run.
func buildProbe(t testing.TB) (wasmPath, execJS string) {
	t.Helper()
	probeBuild.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		out := filepath.Join(env.tmp, "probe.wasm")
		cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "./wasm/codec/probe")
		cmd.Dir = env.root
		cmd.Env = append(cmd.Environ(), "GOOS=js", "GOARCH=wasm")
		if b, err := cmd.CombinedOutput(); err != nil {
			probeBuild.err = fmt.Errorf("building the codec probe: %v\n%s", err, b)
			return
		}
		js, err := wasmbin.ExecJS(ctx, "go")
		if err != nil {
			probeBuild.err = err
			return
		}
		probeBuild.wasm, probeBuild.exec = out, string(js)
	})
	if probeBuild.err != nil {
		t.Fatal(probeBuild.err)
	}
	return probeBuild.wasm, probeBuild.exec
}

// probeServer serves the probe under /sub/ beside the page's static files
// (codec.js and its vendored hash-wasm), as a copy of the page under a
// sub-path would be.
func probeServer(t testing.TB) string {
	wasmPath, execJS := buildProbe(t)
	static, err := fs.Sub(web.Static, "static")
	if err != nil {
		t.Fatal(err)
	}
	files := http.StripPrefix("/sub", http.FileServerFS(static))
	mux := http.NewServeMux()
	text := func(ctype, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", ctype)
			w.Write([]byte(body))
		}
	}
	mux.HandleFunc("GET /sub/{$}", text("text/html", probePage))
	mux.HandleFunc("GET /sub/probe-page.js", text("text/javascript", probePageJS))
	mux.HandleFunc("GET /sub/probe-worker.js", text("text/javascript", probeWorkerJS))
	mux.HandleFunc("GET /sub/wasm_exec.js", text("text/javascript", execJS))
	mux.HandleFunc("GET /sub/probe.wasm", func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, wasmPath) })
	mux.Handle("GET /sub/", files)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL + "/sub/"
}

// runCodecProbe opens the probe with query and returns its report.
func runCodecProbe(t testing.TB, tb *tab, query string, wait time.Duration) probeReport {
	t.Helper()
	tb.navigate(probeServer(t) + "?" + query)
	tb.waitFn(wait, "the codec probe's report", `() => window.__probe ? "ok" : ""`)
	var r probeReport
	if err := json.Unmarshal([]byte(eval[string](tb, `window.__probe`)), &r); err != nil {
		t.Fatal(err)
	}
	if r.Start != "" {
		t.Fatalf("the codec pool did not start: %s", r.Start)
	}
	return r
}

// TestCodecPool drives the page's codec workers (web/static/codec.js through
// wasm/codec) in Chromium from a worker under a sub-path: every SHA-256
// and inflate equals Go's, and so does the digest a gunzip's worker gives
// of what it inflated (layers.Summer), at once on every worker;
// concatenated gzip members and trailing bytes fail as
// layers.ErrGunzipFallback; corrupt,
// truncated and failing sources fail as Go's reader would.
func TestCodecPool(t *testing.T) {
	tb := newTab(t)
	r := runCodecProbe(t, tb, "mode=check", 3*time.Minute)
	cores := eval[int](tb, `navigator.hardwareConcurrency`)
	if want := max(1, min(cores, 4)); r.Workers != want {
		t.Errorf("the pool runs %d workers on %d cores, want %d", r.Workers, cores, want)
	}
	want := []string{
		"sha256 of 0 bytes: ok",
		"sha256 of 1 bytes: ok",
		"sha256 of 64 bytes: ok",
		"sha256 of 262143 bytes: ok",
		"sha256 of 262144 bytes: ok",
		"sha256 of 5242887 bytes: ok",
		"sha256 of 34603008 bytes: ok",
		"sum keeps the state: ok",
		"reset starts again: ok",
		"16 hashes at once: ok",
		"gunzip of 0 bytes: ok",
		"gunzip digest of 0 bytes: ok",
		"gunzip of 1000 bytes: ok",
		"gunzip digest of 1000 bytes: ok",
		"gunzip of 20971520 bytes: ok",
		"gunzip digest of 20971520 bytes: ok",
		"gunzip of 34603008 bytes: ok",
		"gunzip digest of 34603008 bytes: ok",
		"8 gunzips at once: ok",
		"concatenated members fall back: ok",
		"trailing bytes fall back: ok",
		"corrupt data fails: ok",
		"truncated data is an unexpected EOF: ok",
		"the source's error is Read's: ok",
		"closed midway, the pool goes on: ok",
		"fallback error text: gzip: Junk found after end of compressed data.",
		"corrupt error text: gzip: The compressed data was not valid: incorrect data check.",
	}
	if !slices.Equal(r.Checks, want) {
		t.Errorf("the probe's checks:\n%s\nwant:\n%s", strings.Join(r.Checks, "\n"), strings.Join(want, "\n"))
	}
	if r.Stats.Fallbacks != 3 {
		t.Errorf("the pool counted %d fallbacks, want 3", r.Stats.Fallbacks)
	}
}

// BenchmarkCodec measures, in Chromium on this machine, SHA-256 and gzip
// through the codec pool beside Go's own in wasm and crypto.subtle's
// one-shot digest (wasm/codec/probe, ?mode=bench): MB/s of the bytes hashed
// or inflated out, over REGSCOPE_BENCH_CODEC_MIB (default 64) MiB of text.
//
//	go test -run '^$' -bench Codec -benchtime 1x -count 1 ./e2e/
func BenchmarkCodec(b *testing.B) {
	tb := newTab(b)
	mib := "64"
	if v := os.Getenv("REGSCOPE_BENCH_CODEC_MIB"); v != "" {
		mib = v
	}
	for i := 0; i < b.N; i++ {
		r := runCodecProbe(b, tb, "mode=bench&mib="+mib, 10*time.Minute)
		// Each figure is a metric (b.Log would cut the table at ten lines).
		for k, v := range r.Figures {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				b.Fatalf("figure %s: %v", k, err)
			}
			unit := strings.NewReplacer(" ", "-", ",", "", "(", "", ")", "", "+", "and", ".", "").Replace(k)
			if !strings.HasSuffix(k, " MiB") {
				unit += "-MB/s"
			}
			b.ReportMetric(f, unit)
		}
		b.ReportMetric(float64(r.Workers), "workers")
	}
}
