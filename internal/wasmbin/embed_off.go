//go:build !embedwasm

package wasmbin

// Embedded returns the binary embedded at build time: nil, since this
// program was built without -tags embedwasm.
func Embedded() *Binary { return nil }
