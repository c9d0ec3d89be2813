// Package wasmbin obtains the page's WebAssembly binary (the ./wasm package
// compiled for GOOS=js GOARCH=wasm) and the Go runtime's wasm_exec.js, and
// serves them: gzip-precompressed, with a content-hash ETag and long-lived
// caching when requested by version.
//
// A plain build compiles ./wasm at start-up with the local Go toolchain (so
// `go run .` on a fresh clone works). A build with -tags embedwasm, after
// `go generate ./internal/wasmbin`, embeds the prebuilt files instead.
package wasmbin

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
)

// Binary is a compiled page: the wasm (kept gzip'd) and its JS glue.
type Binary struct {
	gz     []byte // gzip of the wasm, BestCompression
	execJS []byte // $(go env GOROOT)/lib/wasm/wasm_exec.js of the toolchain that built it
	etag   string // hex, from the sha256 of gz

	rawOnce sync.Once
	raw     []byte // the wasm itself, for clients that do not accept gzip
	rawErr  error
}

// FromGzip wraps an already compressed wasm and its wasm_exec.js.
func FromGzip(gz, execJS []byte) *Binary {
	sum := sha256.Sum256(gz)
	return &Binary{gz: gz, execJS: execJS, etag: hex.EncodeToString(sum[:12])}
}

// Compress gzips a wasm binary at the best compression level.
func Compress(wasm []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(wasm)
	zw.Close()
	return buf.Bytes()
}

// ETag is the binary's version: a content hash, used as ?v= by the page.
func (b *Binary) ETag() string { return b.etag }

// Gzip returns the compressed wasm.
func (b *Binary) Gzip() []byte { return b.gz }

// ExecJS returns wasm_exec.js.
func (b *Binary) ExecJS() []byte { return b.execJS }

// Wasm returns the wasm itself, uncompressed.
func (b *Binary) Wasm() ([]byte, error) { return b.wasm() }

func (b *Binary) wasm() ([]byte, error) {
	b.rawOnce.Do(func() {
		zr, err := gzip.NewReader(bytes.NewReader(b.gz))
		if err != nil {
			b.rawErr = err
			return
		}
		b.raw, b.rawErr = io.ReadAll(zr)
	})
	return b.raw, b.rawErr
}

// ServeWasm answers GET/HEAD for the wasm: application/wasm, gzip when the
// client accepts it, a weak ETag covering both encodings, and immutable
// caching when the request names this version with ?v=<etag> (no-cache otherwise).
func (b *Binary) ServeWasm(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/wasm")
	h.Set("ETag", `W/"`+b.etag+`"`)
	h.Add("Vary", "Accept-Encoding")
	h.Set("X-Content-Type-Options", "nosniff")
	if r.URL.Query().Get("v") == b.etag {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	body := b.gz
	if acceptsGzip(r.Header.Get("Accept-Encoding")) {
		h.Set("Content-Encoding", "gzip")
	} else {
		raw, err := b.wasm()
		if err != nil {
			http.Error(w, "regscope.wasm: "+err.Error(), http.StatusInternalServerError)
			return
		}
		body = raw
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// ServeExecJS answers GET/HEAD for wasm_exec.js.
func (b *Binary) ServeExecJS(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", `"`+b.etag+`-js"`)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(b.execJS))
}

// acceptsGzip reports whether an Accept-Encoding value admits gzip (q > 0).
func acceptsGzip(ae string) bool {
	for _, part := range strings.Split(ae, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "gzip" && coding != "*" {
			continue
		}
		q := strings.ReplaceAll(strings.ToLower(params), " ", "")
		if q == "q=0" || strings.HasPrefix(q, "q=0.0") && strings.Trim(q[len("q=0."):], "0") == "" {
			return false
		}
		return true
	}
	return false
}

// errorf is an error that names the wasm package.
func errorf(format string, args ...any) error {
	return fmt.Errorf("building ./wasm: "+format, args...)
}
