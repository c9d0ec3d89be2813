package wasmbin

// Writes regscope.wasm.gz and wasm_exec.js beside this file for -tags embedwasm.
//go:generate go run ./gen
