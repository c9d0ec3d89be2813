package engine

import "testing"

// The summary carries pkg/inspect's report, and each layer its added and
// wasted bytes from it.
func TestSummaryEfficiency(t *testing.T) {
	e := pulled(t)
	img, _ := e.Image()
	sum := Summary(img)
	eff := sum.Efficiency
	if eff == nil {
		t.Fatal("summary has no efficiency")
	}
	// Layer 0: os-release (7) + old.conf (4) + bin/sh (4); layer 1 replaces
	// os-release (7) and deletes old.conf (4); layer 2: 1500 one-byte files.
	if eff.Content != 1511 || eff.TotalAdded != 1522 || eff.Wasted != 11 || eff.WastedFiles != 2 {
		t.Errorf("efficiency totals %+v", *eff)
	}
	for i, want := range [][2]int64{{15, 0}, {7, 11}, {1500, 0}} {
		if l := sum.Layers[i]; l.AddedBytes != want[0] || l.WastedBytes != want[1] {
			t.Errorf("layer %d: added %d wasted %d bytes, want %d %d", i, l.AddedBytes, l.WastedBytes, want[0], want[1])
		}
	}
}
