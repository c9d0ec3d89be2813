//go:build !js

package wasmbin

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
)

// tinyModule writes a module whose ./wasm is a minimal js/wasm program.
func tinyModule(t *testing.T, mainSrc string) string {
	t.Helper()
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/tiny\n\ngo 1.26\n"), 0o644))
	must(t, os.MkdirAll(filepath.Join(dir, "wasm"), 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "wasm", "main.go"), []byte(mainSrc), 0o644))
	return dir
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestBuildAndServe(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles a js/wasm program")
	}
	mod := tinyModule(t, "package main\n\nfunc main() { println(\"hi\") }\n")
	cache := t.TempDir()
	b, err := Build(context.Background(), BuildOptions{ModuleDir: mod, CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := b.wasm()
	if err != nil || !bytes.HasPrefix(raw, []byte("\x00asm")) {
		t.Fatalf("built binary is not wasm (err %v, prefix %q)", err, raw[:min(len(raw), 4)])
	}
	if !bytes.Contains(b.ExecJS(), []byte("Go")) {
		t.Fatal("wasm_exec.js looks wrong")
	}
	// A second build reuses the cached gzip: same bytes, same version.
	b2, err := Build(context.Background(), BuildOptions{ModuleDir: mod, CacheDir: cache})
	if err != nil || b2.ETag() != b.ETag() {
		t.Fatalf("rebuild: %v, version %s vs %s", err, b2.ETag(), b.ETag())
	}

	for _, tc := range []struct {
		name, target, acceptEncoding, ifNoneMatch string
		status                                    int
		encoding, cache                           string
	}{
		{"gzip, versioned", "/regscope.wasm?v=" + b.ETag(), "gzip, deflate, br", "", 200, "gzip", "public, max-age=31536000, immutable"},
		{"identity, unversioned", "/regscope.wasm", "", "", 200, "", "no-cache"},
		{"stale version", "/regscope.wasm?v=old", "gzip", "", 200, "gzip", "no-cache"},
		{"gzip refused", "/regscope.wasm", "gzip;q=0, identity", "", 200, "", "no-cache"},
		{"revalidation", "/regscope.wasm", "gzip", `W/"` + b.ETag() + `"`, 304, "", "no-cache"},
	} {
		req := httptest.NewRequest("GET", tc.target, nil)
		if tc.acceptEncoding != "" {
			req.Header.Set("Accept-Encoding", tc.acceptEncoding)
		}
		if tc.ifNoneMatch != "" {
			req.Header.Set("If-None-Match", tc.ifNoneMatch)
		}
		rec := httptest.NewRecorder()
		b.ServeWasm(rec, req)
		res := rec.Result()
		if res.StatusCode != tc.status || res.Header.Get("Content-Encoding") != tc.encoding || res.Header.Get("Cache-Control") != tc.cache {
			t.Errorf("%s: %d, encoding %q, cache %q", tc.name, res.StatusCode, res.Header.Get("Content-Encoding"), res.Header.Get("Cache-Control"))
			continue
		}
		if res.StatusCode != 200 {
			continue
		}
		if ct := res.Header.Get("Content-Type"); ct != "application/wasm" {
			t.Errorf("%s: Content-Type %q", tc.name, ct)
		}
		body, _ := io.ReadAll(res.Body)
		if tc.encoding == "gzip" {
			zr, err := gzip.NewReader(bytes.NewReader(body))
			must(t, err)
			body, _ = io.ReadAll(zr)
		}
		if !bytes.Equal(body, raw) {
			t.Errorf("%s: body differs from the built binary", tc.name)
		}
	}

	rec := httptest.NewRecorder()
	b.ServeExecJS(rec, httptest.NewRequest("GET", "/wasm_exec.js", nil))
	if rec.Code != 200 || !bytes.Equal(rec.Body.Bytes(), b.ExecJS()) || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/javascript") {
		t.Errorf("wasm_exec.js: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
}

func TestBuildErrorIsReported(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the compiler")
	}
	mod := tinyModule(t, "package main\n\nfunc main() { undefinedThing() }\n")
	src := Start(context.Background(), BuildOptions{ModuleDir: mod, CacheDir: t.TempDir()}, io.Discard)
	_, err := src.Wait(context.Background())
	if err == nil || !strings.Contains(err.Error(), "undefinedThing") || !strings.Contains(err.Error(), "building ./wasm") {
		t.Fatalf("build error %v; want the compiler's message", err)
	}
	rec := httptest.NewRecorder()
	src.ServeWasm(rec, httptest.NewRequest("GET", "/regscope.wasm", nil))
	if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), "undefinedThing") {
		t.Fatalf("serving after a failed build: %d %q", rec.Code, rec.Body.String())
	}
}

func TestFindModule(t *testing.T) {
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module "+ModulePath+"\n"), 0o644))
	sub := filepath.Join(dir, "a", "b")
	must(t, os.MkdirAll(sub, 0o755))
	if got, err := FindModule(sub); err != nil || got != dir {
		t.Fatalf("FindModule(%s) = %q, %v; want %q", sub, got, err, dir)
	}
	if _, err := FindModule(t.TempDir()); err == nil || !strings.Contains(err.Error(), "embedwasm") {
		t.Fatalf("FindModule outside the module: %v; want advice on -tags embedwasm", err)
	}
}

func TestAcceptsGzip(t *testing.T) {
	for ae, want := range map[string]bool{
		"":                     false,
		"gzip":                 true,
		"gzip, deflate, br":    true,
		"br;q=1.0, gzip;q=0.8": true,
		"GZIP":                 true,
		"gzip;q=0":             false,
		"gzip; q=0.000":        false,
		"identity":             false,
		"*":                    true,
		"deflate, br, zstd":    false,
	} {
		if got := acceptsGzip(ae); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", ae, got, want)
		}
	}
}
