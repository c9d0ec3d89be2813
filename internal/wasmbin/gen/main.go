// Command gen builds the page's WebAssembly and writes regscope.wasm.gz and
// wasm_exec.js into the current directory (internal/wasmbin, under
// `go generate`), for builds with -tags embedwasm.
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
	b, err := wasmbin.Build(context.Background(), wasmbin.BuildOptions{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for name, data := range map[string][]byte{"regscope.wasm.gz": b.Gzip(), "wasm_exec.js": b.ExecJS()} {
		if err := os.WriteFile(name, data, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	fmt.Printf("wasmbin: wrote regscope.wasm.gz (%d KB, version %s) and wasm_exec.js in %v\n",
		len(b.Gzip())>>10, b.ETag(), time.Since(start).Round(100*time.Millisecond))
}
