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
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
)

// tinyModule writes a module whose two programs (./wasm/cmd/view and
// ./wasm/cmd/engine) are minimal js/wasm programs; viewSrc is the view's
// main file.
func tinyModule(t *testing.T, viewSrc string) string {
	t.Helper()
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/tiny\n\ngo 1.26\n"), 0o644))
	for name, src := range map[string]string{View: viewSrc, Engine: "package main\n\nfunc main() { println(\"engine\") }\n"} {
		d := filepath.Join(dir, filepath.FromSlash(Package(name)))
		must(t, os.MkdirAll(d, 0o755))
		must(t, os.WriteFile(filepath.Join(d, "main.go"), []byte(src), 0o644))
	}
	return dir
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// decode undoes a Content-Encoding.
func decode(t *testing.T, encoding string, body []byte) []byte {
	t.Helper()
	var r io.Reader
	switch encoding {
	case "":
		return body
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		must(t, err)
		r = zr
	case "br":
		r = brotli.NewReader(bytes.NewReader(body))
	default:
		t.Fatalf("unexpected encoding %q", encoding)
	}
	out, err := io.ReadAll(r)
	must(t, err)
	return out
}

// Build compiles both programs, keeps their encodings in the cache by
// content hash (a second build finds them: same versions, and the brotli
// made in between), and CompressBrotli gives each its brotli encoding.
func TestBuildBothProgramsAndCache(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles js/wasm programs")
	}
	mod := tinyModule(t, "package main\n\nfunc main() { println(\"view\") }\n")
	cache := t.TempDir()
	ctx := context.Background()
	b, err := Build(ctx, BuildOptions{ModuleDir: mod, CacheDir: cache})
	must(t, err)
	if b.View().Name() != View || b.Engine().Name() != Engine || b.View().ETag() == b.Engine().ETag() {
		t.Fatalf("programs %s %s, versions %s %s", b.View().Name(), b.Engine().Name(), b.View().ETag(), b.Engine().ETag())
	}
	for _, m := range b.Modules() {
		raw, err := m.Wasm()
		if err != nil || !bytes.HasPrefix(raw, []byte("\x00asm")) {
			t.Fatalf("%s is not wasm (err %v, prefix %q)", m.Name(), err, raw[:min(len(raw), 4)])
		}
		if m.Brotli() != nil {
			t.Fatalf("%s has a brotli encoding before any was made", m.Name())
		}
	}
	if !bytes.Contains(b.ExecJS(), []byte("Go")) {
		t.Fatal("wasm_exec.js looks wrong")
	}
	must(t, b.CompressBrotli(ctx))
	for _, m := range b.Modules() {
		raw, _ := m.Wasm()
		if got := decode(t, "br", m.Brotli()); !bytes.Equal(got, raw) {
			t.Fatalf("%s: the brotli encoding decodes to %d bytes, not the wasm's %d", m.Name(), len(got), len(raw))
		}
	}
	b2, err := Build(ctx, BuildOptions{ModuleDir: mod, CacheDir: cache})
	must(t, err)
	for i, m := range b2.Modules() {
		old := b.Modules()[i]
		if m.ETag() != old.ETag() || !bytes.Equal(m.Brotli(), old.Brotli()) {
			t.Fatalf("rebuild of %s: version %s vs %s, brotli from the cache %d bytes vs %d", m.Name(), m.ETag(), old.ETag(), len(m.Brotli()), len(old.Brotli()))
		}
	}
	kept, _ := filepath.Glob(filepath.Join(cache, "regscope-*.wasm.*"))
	if len(kept) != 4 {
		t.Fatalf("cache holds %q; want a gzip and a brotli per program", kept)
	}
}

// ServeHTTP picks brotli when it is ready and accepted, else gzip when
// accepted, else the wasm itself, and every answer decodes to the same wasm.
func TestServeNegotiation(t *testing.T) {
	raw := bytes.Repeat([]byte("\x00asm\x01\x00\x00\x00 the program "), 200)
	m := NewModule(View, Compress(raw), nil)
	v := m.ETag()
	immutable, revalidate := "public, max-age=31536000, immutable", "no-cache"
	type want struct {
		status          int
		encoding, cache string
	}
	check := func(name, target, acceptEncoding, ifNoneMatch string, w want) {
		t.Helper()
		req := httptest.NewRequest("GET", target, nil)
		if acceptEncoding != "" {
			req.Header.Set("Accept-Encoding", acceptEncoding)
		}
		if ifNoneMatch != "" {
			req.Header.Set("If-None-Match", ifNoneMatch)
		}
		rec := httptest.NewRecorder()
		m.ServeHTTP(rec, req)
		res := rec.Result()
		body, _ := io.ReadAll(res.Body)
		wantHeader := http.Header{
			"Cache-Control":          {w.cache},
			"Etag":                   {`W/"` + v + `"`},
			"Vary":                   {"Accept-Encoding"},
			"X-Content-Type-Options": {"nosniff"},
		}
		if w.status == 200 {
			wantHeader["Content-Type"] = []string{"application/wasm"}
			wantHeader["Accept-Ranges"] = []string{"bytes"}
			if w.encoding != "" {
				wantHeader["Content-Encoding"] = []string{w.encoding} // and no Content-Length (net/http leaves it out for encoded bodies)
			} else {
				wantHeader["Content-Length"] = []string{strconv.Itoa(len(body))}
			}
		}
		if res.StatusCode != w.status || !reflect.DeepEqual(res.Header, wantHeader) {
			t.Errorf("%s: %d %v\nwant %d %v", name, res.StatusCode, res.Header, w.status, wantHeader)
			return
		}
		if w.status == 200 && !bytes.Equal(decode(t, w.encoding, body), raw) {
			t.Errorf("%s: the body does not decode to the wasm", name)
		}
	}
	// Before the brotli encoding is ready: gzip for every client that takes it.
	check("br and gzip, brotli not ready", "/view.wasm?v="+v, "gzip, deflate, br, zstd", "", want{200, "gzip", immutable})
	check("br only, brotli not ready", "/view.wasm", "br", "", want{200, "", revalidate})
	m.SetBrotli(CompressBrotli(raw))
	check("br and gzip", "/view.wasm?v="+v, "gzip, deflate, br, zstd", "", want{200, "br", immutable})
	check("br only", "/view.wasm", "br", "", want{200, "br", revalidate})
	check("br refused", "/view.wasm", "br;q=0, gzip", "", want{200, "gzip", revalidate})
	check("star", "/view.wasm", "*", "", want{200, "br", revalidate})
	check("star but not br", "/view.wasm", "*, br;q=0", "", want{200, "gzip", revalidate})
	check("gzip only", "/view.wasm?v="+v, "gzip", "", want{200, "gzip", immutable})
	check("stale version", "/view.wasm?v=old", "br", "", want{200, "br", revalidate})
	check("identity", "/view.wasm", "", "", want{200, "", revalidate})
	check("both refused", "/view.wasm", "gzip;q=0, br;q=0.000, identity", "", want{200, "", revalidate})
	check("revalidation", "/view.wasm", "br", `W/"`+v+`"`, want{304, "", revalidate})
}

func TestBuildErrorIsReported(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the compiler")
	}
	mod := tinyModule(t, "package main\n\nfunc main() { undefinedThing() }\n")
	src := Start(context.Background(), BuildOptions{ModuleDir: mod, CacheDir: t.TempDir()}, io.Discard)
	_, err := src.Wait(context.Background())
	if err == nil || !strings.Contains(err.Error(), "undefinedThing") || !strings.Contains(err.Error(), "building the page's wasm") {
		t.Fatalf("build error %v; want the compiler's message", err)
	}
	rec := httptest.NewRecorder()
	src.ServeEngine(rec, httptest.NewRequest("GET", "/engine.wasm", nil))
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

func TestAccepts(t *testing.T) {
	for _, tc := range []struct {
		ae, coding string
		want       bool
	}{
		{"", "gzip", false},
		{"gzip", "gzip", true},
		{"gzip, deflate, br", "gzip", true},
		{"gzip, deflate, br", "br", true},
		{"br;q=1.0, gzip;q=0.8", "gzip", true},
		{"GZIP", "gzip", true},
		{"BR", "br", true},
		{"gzip;q=0", "gzip", false},
		{"gzip; q=0.000", "gzip", false},
		{"br;q=0, gzip", "br", false},
		{"identity", "gzip", false},
		{"*", "br", true},
		{"*;q=0", "br", false},
		{"*, br;q=0", "br", false},
		{"br;q=0, *", "br", false},
		{"deflate, br, zstd", "gzip", false},
		{"gzip, deflate", "br", false},
	} {
		if got := accepts(tc.ae, tc.coding); got != tc.want {
			t.Errorf("accepts(%q, %q) = %v, want %v", tc.ae, tc.coding, got, tc.want)
		}
	}
}
