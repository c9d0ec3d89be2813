//go:build js

package layers

// Test sizes under GOOS=js (Node), where everything runs ~5x slower.
const (
	oracleImages = 8
	benchMB      = 8
)

// manyEntries is the near-realistic entry count of TestHostileManyEntries.
const manyEntries = 20_000
