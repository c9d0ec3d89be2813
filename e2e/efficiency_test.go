//go:build !js

package e2e

import (
	"context"
	"fmt"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/regscope/regscope/internal/format"
	"github.com/regscope/regscope/pkg/inspect"
	"github.com/regscope/regscope/pkg/layers"
	"github.com/regscope/regscope/pkg/pull"
)

// nativeEfficiency is pkg/inspect's report for ref, pulled natively: the
// oracle for the numbers the page shows.
func nativeEfficiency(t testing.TB, ref string) *inspect.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	img, err := pull.Pull(ctx, ref, pull.Options{Store: layers.DiscardStore()})
	if err != nil {
		t.Fatalf("native pull %s: %v", ref, err)
	}
	r, err := inspect.Image(img)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestEfficiency checks the Layers tab's efficiency line, per-layer byte
// columns and top lists against pkg/inspect run natively on the showcase
// image (which has a whiteout and an opaque directory), then follows a
// largest file to the viewer and a deleted path to the layer that removed it.
func TestEfficiency(t *testing.T) {
	t.Parallel()
	ref := showcase(env.srv)
	want := nativeEfficiency(t, ref)
	if want.Wasted == 0 || len(want.TopWasted) == 0 || len(want.Largest) == 0 {
		t.Fatalf("the showcase image wastes nothing or has no files: %+v", *want)
	}

	tb := newTab(t)
	tb.navigate(pageURL(env.srv, "image", ref, "view", "layers"))
	tb.waitStatus(pullWait, "verified")
	tb.waitSel(10*time.Second, "#efficiency")

	attrs := eval[map[string]string](tb, `Object.fromEntries([...document.querySelector("#efficiency").attributes].map(a => [a.name, a.value]))`)
	for k, v := range map[string]string{
		"data-content":      strconv.FormatInt(want.Content, 10),
		"data-wasted":       strconv.FormatInt(want.Wasted, 10),
		"data-wasted-files": strconv.Itoa(want.WastedFiles),
		"data-efficiency":   fmt.Sprintf("%.1f", want.Efficiency*100),
	} {
		if attrs[k] != v {
			t.Errorf("#efficiency %s = %q, want %q", k, attrs[k], v)
		}
	}
	line := fmt.Sprintf("content %s · wasted %s in %d files · efficiency %.1f%%",
		format.Size(want.Content), format.Size(want.Wasted), want.WastedFiles, want.Efficiency*100)
	if got := tb.text("#efficiency"); got != line {
		t.Errorf("#efficiency reads %q, want %q", got, line)
	}

	type cells struct{ Added, Wasted string }
	rows := eval[[]cells](tb, `[...document.querySelectorAll("#layers-table tr.layer")].map(r => ({Added: r.querySelector(".added-bytes").dataset.bytes, Wasted: r.querySelector(".wasted-bytes").dataset.bytes}))`)
	var wantRows []cells
	for _, l := range want.Layers {
		wantRows = append(wantRows, cells{strconv.FormatInt(l.Added, 10), strconv.FormatInt(l.Wasted, 10)})
	}
	if !reflect.DeepEqual(rows, wantRows) {
		t.Errorf("layer rows' added/wasted bytes %v, want %v", rows, wantRows)
	}

	type item struct{ Path, N string }
	largest := eval[[]item](tb, `[...document.querySelectorAll("#largest-files li")].map(l => ({Path: l.dataset.path, N: l.dataset.size}))`)
	var wantLargest []item
	for _, f := range want.Largest {
		wantLargest = append(wantLargest, item{f.Path, strconv.FormatInt(f.Size, 10)})
	}
	if !reflect.DeepEqual(largest, wantLargest) {
		t.Errorf("#largest-files lists %v, want %v", largest, wantLargest)
	}
	wasted := eval[[]item](tb, `[...document.querySelectorAll("#wasted-files li")].map(l => ({Path: l.dataset.path, N: l.dataset.bytes}))`)
	var wantWasted []item
	for _, w := range want.TopWasted {
		wantWasted = append(wantWasted, item{w.Path, strconv.FormatInt(w.Bytes, 10)})
	}
	if !reflect.DeepEqual(wasted, wantWasted) {
		t.Errorf("#wasted-files lists %v, want %v", wasted, wantWasted)
	}

	// A path deleted for good opens the layer that removed it.
	for _, w := range want.TopWasted {
		if w.Present {
			continue
		}
		remover := strconv.Itoa(w.Removers[len(w.Removers)-1])
		tb.click("#wasted-files summary")
		tb.click(fmt.Sprintf(`#wasted-files li[data-path=%q] a[data-goto-layer]`, w.Path))
		tb.waitAttr(10*time.Second, "#layer-changes", "data-layer", remover)
		// Its change list names the path or a directory above it (a
		// whiteout of a parent, an opaque marker).
		tb.waitFn(10*time.Second, "a change row for "+w.Path+" or a parent", `(p) => {
  const rows = [...document.querySelectorAll("#layer-changes .row[data-path]")].map(r => r.dataset.path);
  return rows.some(r => p === r || p.startsWith(r + "/")) ? "ok" : "";
}`, w.Path)
		break
	}

	// The largest file opens in the viewer.
	top := want.Largest[0].Path
	tb.click("#largest-files summary")
	tb.click(fmt.Sprintf(`#largest-files li[data-path=%q] a[data-open-path]`, top))
	tb.waitAttr(pullWait, "#viewer", "data-path", top)
	tb.waitAttr(10*time.Second, "#panels", "data-view", "files")
	if q := tb.query(); q.Get("path") != top {
		t.Errorf("after opening %s the location's query is %v", top, q)
	}
}
