// Command gen builds the page's two WebAssembly programs and writes
// view.wasm.gz, view.wasm.br, engine.wasm.gz, engine.wasm.br and
// wasm_exec.js into the current directory (internal/wasmbin, under
// `go generate`), for builds with -tags embedwasm. The brotli encodings are
// made here when the cache has none, which takes a minute or so.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/regscope/regscope/internal/wasmbin"
)

func main() {
	start := time.Now()
	ctx := context.Background()
	b, err := wasmbin.Build(ctx, wasmbin.BuildOptions{})
	if err == nil {
		err = b.CompressBrotli(ctx)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	files := map[string][]byte{"wasm_exec.js": b.ExecJS()}
	for _, m := range b.Modules() {
		files[m.Name()+".wasm.gz"], files[m.Name()+".wasm.br"] = m.Gzip(), m.Brotli()
	}
	for name, data := range files {
		if err := os.WriteFile(name, data, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	v, e := b.View(), b.Engine()
	fmt.Printf("wasmbin: wrote view.wasm (%d KB brotli, %d KB gzip, version %s), engine.wasm (%d KB brotli, %d KB gzip, version %s) and wasm_exec.js in %v\n",
		len(v.Brotli())>>10, len(v.Gzip())>>10, v.ETag(), len(e.Brotli())>>10, len(e.Gzip())>>10, e.ETag(),
		time.Since(start).Round(100*time.Millisecond))
}
