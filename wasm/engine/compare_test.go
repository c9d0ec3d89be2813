package engine

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/regscope/regscope/internal/difftest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/pkg/pull"
	"github.com/regscope/regscope/wasm/msg"
)

// The engine's comparison answers what pkg/diff finds, as messages that
// survive JSON.
func TestCompare(t *testing.T) {
	cases := difftest.Push(t, regtest.GGCR(t))
	var c difftest.Case
	for _, x := range cases {
		if x.Name == "platforms" {
			c = x
		}
	}
	req := msg.CompareRequest{PullRequest: msg.PullRequest{Ref: c.A, Platform: c.PlatformA}, Compare: c.B, ComparePlatform: c.PlatformB}
	a, b, res, err := Compare(context.Background(), req, pull.Options{}, pull.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var cmp Comparison
	if _, err := cmp.Diff(); err == nil || err.Error() != "no-image: no comparison yet" {
		t.Fatalf("Diff before any comparison: %v", err)
	}
	cmp.Set(a, b, res)
	d, err := cmp.Diff()
	if err != nil {
		t.Fatal(err)
	}
	js, _ := json.Marshal(d)
	var got msg.DiffResult
	if err := json.Unmarshal(js, &got); err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, f := range got.Files {
		s := f.Change + " " + f.Path
		if f.Change == "modified" {
			s += " " + strings.Join(f.Fields, ",")
		}
		files = append(files, s)
	}
	if strings.Join(files, "; ") != strings.Join(c.Files, "; ") {
		t.Errorf("files %q, want %q", files, c.Files)
	}
	if got.B.Platform != "linux/arm64" || got.A.Platform != "linux/amd64" || strings.Join(got.BPlatforms, " ") != "linux/amd64 linux/arm64" {
		t.Errorf("sides %+v / %+v, B offers %v", got.A, got.B, got.BPlatforms)
	}
	if len(got.Config.Changes) != 1 || got.Config.Changes[0].Field != "platform" || *got.Config.Changes[0].B != "linux/arm64" {
		t.Errorf("config %+v", got.Config)
	}
	if f := got.Files[1]; f.A != nil || f.B == nil || f.B.Path != "/etc/arm" || f.B.Type != "file" {
		t.Errorf("added file %+v", f)
	}

	cd, err := cmp.DiffContent(msg.DiffContentRequest{Path: "etc/arch", MaxLines: 0})
	if err != nil {
		t.Fatal(err)
	}
	if want := "--- a/etc/arch\n+++ b/etc/arch\n@@ -1 +1 @@\n-amd64\n+arm64\n"; cd.Unified != want || !cd.Text {
		t.Errorf("content diff %q, want %q", cd.Unified, want)
	}
	if _, err := cmp.DiffContent(msg.DiffContentRequest{Path: "/nowhere"}); err == nil {
		t.Error("no error for a path in neither image")
	}
}

func TestSideEvent(t *testing.T) {
	for _, tc := range []struct {
		in   pull.Event
		want string // "" = dropped
	}{
		{pull.Event{Phase: pull.PhaseManifest, Layer: -1, Message: "fetching manifest of x"}, "B: fetching manifest of x"},
		{pull.Event{Phase: pull.PhaseLayers, Layer: 2, State: pull.Downloading, Done: 10, Total: 20}, ""},
		{pull.Event{Phase: pull.PhaseLayers, Layer: 2, State: pull.Done, Done: 20, Total: 20}, "B: layer 2 verified"},
		{pull.Event{Phase: pull.PhaseConfig, Layer: -1}, ""},
	} {
		out, ok := sideEvent(tc.in, "B")
		if ok != (tc.want != "") || out.Message != tc.want || (ok && out.Layer != -1) {
			t.Errorf("%+v → %+v %v, want %q", tc.in, out, ok, tc.want)
		}
	}
}
