package wasmbin

// Writes view.wasm.{gz,br}, engine.wasm.{gz,br} and wasm_exec.js beside this
// file for -tags embedwasm.
//go:generate go run ./gen
