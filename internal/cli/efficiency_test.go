//go:build !js

package cli

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/regscope/regscope/internal/format"
	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/tartest"
	"github.com/regscope/regscope/pkg/inspect"
)

// inspectImage pushes three layers: /big and /w1…/w6 deleted by layer 1,
// /f overwritten by layers 1 and 2, /keep untouched.
func inspectImage(t *testing.T, host string) string {
	ref := host + "/cli/inspect:1"
	l0 := []tartest.Entry{
		{Name: "big", Body: strings.Repeat("x", 3000)},
		{Name: "f", Body: "aaaa"},
		{Name: "keep", Body: "k"},
	}
	l1 := []tartest.Entry{{Name: ".wh.big"}, {Name: "f", Body: "bbbbbb"}}
	for i := 1; i <= 6; i++ {
		l0 = append(l0, tartest.Entry{Name: fmt.Sprintf("w%d", i), Body: "w"})
		l1 = append(l1, tartest.Entry{Name: fmt.Sprintf(".wh.w%d", i)})
	}
	regtest.Push(t, ref, imagetest.Image(t, imagetest.OCI,
		imagetest.Layer(t, imagetest.Gzip, l0...),
		imagetest.Layer(t, imagetest.Gzip, l1...),
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "f", Body: "cc"}),
	))
	return ref
}

func TestCLIPullEfficiency(t *testing.T) {
	ref := inspectImage(t, regtest.GGCR(t))

	code, out, errs := run(t, nil, "pull", "--json", ref)
	if code != 0 {
		t.Fatalf("pull --json: exit %d: %s", code, errs)
	}
	var s summary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("pull --json: %v\n%s", err, out)
	}
	e := s.Efficiency
	if e == nil {
		t.Fatalf("pull --json has no efficiency object:\n%s", out)
	}
	if e.Content != 3 || e.TotalAdded != 3019 || e.Wasted != 3016 || e.WastedFiles != 9 || e.WastedPaths != 8 || e.Efficiency != 3.0/3019 {
		t.Errorf("totals %+v", *e)
	}
	wantLayers := []inspect.LayerBytes{{Index: 0, Added: 3011, Lost: 3010}, {Index: 1, Added: 6, Wasted: 3010, Lost: 6}, {Index: 2, Added: 2, Wasted: 6}}
	if !reflect.DeepEqual(e.Layers, wantLayers) {
		t.Errorf("layers %+v, want %+v", e.Layers, wantLayers)
	}
	if len(e.TopWasted) != 8 || e.TopWasted[0].Path != "/big" || e.TopWasted[1].Path != "/f" || e.TopWasted[1].Count != 2 || e.TopWasted[2].Path != "/w1" {
		t.Errorf("top wasted %+v", e.TopWasted)
	}
	if len(e.Largest) != 2 || e.Largest[0] != (inspect.File{Path: "/f", Size: 2, Layer: 2}) || e.Largest[1] != (inspect.File{Path: "/keep", Size: 1, Layer: 0}) {
		t.Errorf("largest %+v", e.Largest)
	}
	// The JSON names are part of the output's contract.
	for _, k := range []string{`"efficiency": {`, `"content": 3,`, `"wasted": 3016,`, `"topWasted": [`, `"largest": [`, `"removers": [`} {
		if !strings.Contains(out, k) {
			t.Errorf("pull --json lacks %s", k)
		}
	}

	code, out, errs = run(t, nil, "pull", ref)
	if code != 0 {
		t.Fatalf("pull: exit %d: %s", code, errs)
	}
	for _, re := range []string{
		`(?m)^content +3 B$`,
		`(?m)^wasted +` + regexp.QuoteMeta(format.Size(3016)) + ` \(9 files overwritten or deleted by later layers\)$`,
		`(?m)^efficiency +0\.1%$`,
		`(?m)^wasted space \(top 5\)$`,
		`(?m)^` + regexp.QuoteMeta(format.Size(3000)) + ` +1 +0 +1 +/big$`,
		`(?m)^10 B +2 +0,1 +1,2 +/f$`,
		`(?m)^1 B +1 +0 +1 +/w3$`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("pull output does not match %s:\n%s", re, out)
		}
	}
	if strings.Contains(out, "/w4") {
		t.Errorf("pull lists more than 5 wasted paths:\n%s", out)
	}
}
