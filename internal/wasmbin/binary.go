// Package wasmbin obtains the page's two WebAssembly programs — the view
// (./wasm/cmd/view, run on the page's main thread) and the engine
// (./wasm/cmd/engine, run in a Web Worker) — compiled for GOOS=js
// GOARCH=wasm, and the Go runtime's wasm_exec.js, and serves them:
// precompressed (brotli when ready and accepted, else gzip), with a
// content-hash ETag and long-lived caching when requested by version.
//
// A plain build compiles both programs at start-up with the local Go
// toolchain (so `go run .` on a fresh clone works), serves them gzip'd at
// once and brotli'd once the background compression (cached by content
// hash in the cache directory, so only the first start pays) is done. A
// build with -tags embedwasm, after `go generate ./internal/wasmbin`,
// embeds the prebuilt files, both encodings included.
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
	"sync/atomic"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
)

// The programs of the page, by the name they are served under (/NAME.wasm).
const (
	View   = "view"   // the main thread's program: DOM, URL, drawing
	Engine = "engine" // the worker's program: the pipeline
)

// Brotli settings of the precompressed wasm: quality 11 (the best) with a
// 4 MiB window: 28–31% under gzip -9 in well under a minute for both
// programs; a 16 MiB window saves under 1% more (figures in
// e2e/BENCHMARK.md, "Start-up").
const (
	BrotliQuality = 11
	BrotliWindow  = 22
)

// Module is one compiled program, kept compressed: gzip always, brotli
// once compressed (at build time, from the cache, or in the background).
type Module struct {
	name string
	gz   []byte // gzip of the wasm, BestCompression
	etag string // hex, from the sha256 of gz: the version, same for every encoding
	br   atomic.Pointer[[]byte]

	rawOnce sync.Once
	raw     []byte // the wasm itself, for clients that accept neither encoding
	rawErr  error
}

// NewModule wraps an already gzip'd program named name (View or Engine)
// and, when br is not nil, its brotli encoding.
func NewModule(name string, gz, br []byte) *Module {
	sum := sha256.Sum256(gz)
	m := &Module{name: name, gz: gz, etag: hex.EncodeToString(sum[:12])}
	if br != nil {
		m.br.Store(&br)
	}
	return m
}

// Name is the program's name: View or Engine.
func (m *Module) Name() string { return m.name }

// ETag is the program's version: a content hash, used as ?v= by the page.
func (m *Module) ETag() string { return m.etag }

// Gzip returns the gzip'd wasm.
func (m *Module) Gzip() []byte { return m.gz }

// Brotli returns the brotli'd wasm, or nil while it is not compressed yet.
func (m *Module) Brotli() []byte {
	if p := m.br.Load(); p != nil {
		return *p
	}
	return nil
}

// SetBrotli records the brotli encoding of the wasm once it is ready.
func (m *Module) SetBrotli(br []byte) { m.br.Store(&br) }

// Wasm returns the wasm itself, uncompressed (kept once asked for).
func (m *Module) Wasm() ([]byte, error) {
	m.rawOnce.Do(func() { m.raw, m.rawErr = m.gunzip() })
	return m.raw, m.rawErr
}

// gunzip decompresses the wasm without keeping it.
func (m *Module) gunzip() ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(m.gz))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

// Binary is the compiled page: its two programs and their JS glue.
type Binary struct {
	view, engine *Module
	execJS       []byte // $(go env GOROOT)/lib/wasm/wasm_exec.js of the toolchain that built them
	cacheDir     string // where Build keeps encodings; "" = nowhere
}

// NewBinary puts the page together from its programs and wasm_exec.js.
func NewBinary(view, engine *Module, execJS []byte) *Binary {
	return &Binary{view: view, engine: engine, execJS: execJS}
}

// View is the main thread's program.
func (b *Binary) View() *Module { return b.view }

// Engine is the worker's program.
func (b *Binary) Engine() *Module { return b.engine }

// Modules are the view and the engine, in that order.
func (b *Binary) Modules() []*Module { return []*Module{b.view, b.engine} }

// ExecJS returns wasm_exec.js.
func (b *Binary) ExecJS() []byte { return b.execJS }

// Compress gzips a wasm binary at the best compression level.
func Compress(wasm []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(wasm)
	zw.Close()
	return buf.Bytes()
}

// CompressBrotli brotlis a wasm binary at BrotliQuality and BrotliWindow.
func CompressBrotli(wasm []byte) []byte {
	var buf bytes.Buffer
	w := brotli.NewWriterOptions(&buf, brotli.WriterOptions{Quality: BrotliQuality, LGWin: BrotliWindow})
	w.Write(wasm)
	w.Close()
	return buf.Bytes()
}

// ServeHTTP answers GET/HEAD for the wasm: application/wasm, brotli when
// the client accepts it and it is ready, else gzip when accepted, else the
// wasm itself; a weak ETag covering every encoding, Vary: Accept-Encoding,
// and immutable caching when the request names this version with
// ?v=<etag> (no-cache otherwise).
func (m *Module) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/wasm")
	h.Set("ETag", `W/"`+m.etag+`"`)
	h.Set("Vary", "Accept-Encoding")
	h.Set("X-Content-Type-Options", "nosniff")
	if r.URL.Query().Get("v") == m.etag {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	ae := r.Header.Get("Accept-Encoding")
	var body []byte
	switch br := m.Brotli(); {
	case br != nil && accepts(ae, "br"):
		h.Set("Content-Encoding", "br")
		body = br
	case accepts(ae, "gzip"):
		h.Set("Content-Encoding", "gzip")
		body = m.gz
	default:
		raw, err := m.Wasm()
		if err != nil {
			http.Error(w, m.name+".wasm: "+err.Error(), http.StatusInternalServerError)
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
	h.Set("ETag", `"`+b.view.etag+`-js"`)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(b.execJS))
}

// accepts reports whether an Accept-Encoding value admits coding (q > 0),
// by name or by "*".
func accepts(ae, coding string) bool {
	star := false
	for _, part := range strings.Split(ae, ",") {
		c, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		c = strings.ToLower(strings.TrimSpace(c))
		if c != coding && c != "*" {
			continue
		}
		q := strings.ReplaceAll(strings.ToLower(params), " ", "")
		ok := !(q == "q=0" || strings.HasPrefix(q, "q=0.0") && strings.Trim(q[len("q=0."):], "0") == "")
		if c == coding {
			return ok // the coding's own entry wins over "*"
		}
		star = ok
	}
	return star
}

// errorf is an error that names the programs being built.
func errorf(format string, args ...any) error {
	return fmt.Errorf("building the page's wasm: "+format, args...)
}
