//go:build !js

package layers

// Test sizes natively; size_js_test.go has smaller ones for the wasm run.
const (
	oracleImages = 30
	benchMB      = 50
)

// manyEntries is the near-realistic entry count of TestHostileManyEntries.
const manyEntries = 200_000
