//go:build embedwasm

package wasmbin

import _ "embed"

// The files written by `go generate ./internal/wasmbin`.
var (
	//go:embed regscope.wasm.gz
	embeddedGzip []byte
	//go:embed wasm_exec.js
	embeddedExecJS []byte
)

// Embedded returns the binary embedded at build time (-tags embedwasm).
func Embedded() *Binary { return FromGzip(embeddedGzip, embeddedExecJS) }
