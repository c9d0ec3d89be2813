//go:build embedwasm

package wasmbin

import _ "embed"

// The files written by `go generate ./internal/wasmbin`.
var (
	//go:embed view.wasm.gz
	embeddedViewGzip []byte
	//go:embed view.wasm.br
	embeddedViewBrotli []byte
	//go:embed engine.wasm.gz
	embeddedEngineGzip []byte
	//go:embed engine.wasm.br
	embeddedEngineBrotli []byte
	//go:embed wasm_exec.js
	embeddedExecJS []byte
)

// Embedded returns the binary embedded at build time (-tags embedwasm).
func Embedded() *Binary {
	return NewBinary(NewModule(View, embeddedViewGzip, embeddedViewBrotli),
		NewModule(Engine, embeddedEngineGzip, embeddedEngineBrotli), embeddedExecJS)
}
