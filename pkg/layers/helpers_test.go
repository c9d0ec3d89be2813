package layers

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"
	"testing"

	"github.com/regscope/regscope/internal/tartest"
	"github.com/regscope/regscope/pkg/manifest"
)

// readLayer reads an uncompressed tar built from entries.
func readLayer(t testing.TB, entries []tartest.Entry) *ChangeSet {
	t.Helper()
	cs, _, err := Read(bytes.NewReader(tartest.Layer(t, entries)), manifest.MediaTypeOCILayer, nil, Limits{})
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return cs
}

// build applies each list of entries as one layer, bottom first.
func build(t testing.TB, layers ...[]tartest.Entry) (*FS, []ApplyStats) {
	t.Helper()
	f := NewFS()
	var stats []ApplyStats
	for i, l := range layers {
		st, err := f.Apply(i, readLayer(t, l))
		if err != nil {
			t.Fatalf("Apply layer %d: %v", i, err)
		}
		stats = append(stats, st)
	}
	return f, stats
}

// dump lists the merged filesystem one entry a line:
// "path type perm layer [->link] [=content]".
func dump(t testing.TB, f *FS) string {
	t.Helper()
	var lines []string
	err := f.Walk(func(e *Entry) error {
		s := fmt.Sprintf("%s %s %v %d", e.Path, e.Type, e.Mode, e.Layer)
		if e.Link != "" {
			s += " ->" + e.Link
		}
		if e.Content != nil {
			b, err := io.ReadAll(io.NewSectionReader(e.Content, 0, e.Content.Size()))
			if err != nil {
				return err
			}
			s += " =" + string(b)
		}
		lines = append(lines, s)
		return nil
	})
	if err != nil {
		t.Fatalf("Walk: %v", err)
	}
	return strings.Join(lines, "\n")
}

// paths lists the merged filesystem's paths, sorted.
func paths(t testing.TB, f *FS) string {
	t.Helper()
	var ps []string
	if err := f.Walk(func(e *Entry) error { ps = append(ps, e.Path); return nil }); err != nil {
		t.Fatal(err)
	}
	sort.Strings(ps)
	return strings.Join(ps, " ")
}
