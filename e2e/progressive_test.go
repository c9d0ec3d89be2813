//go:build !js

package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/tartest"
)

// gate holds GET requests whose path contains a string, once armed, until
// it is opened: a registry that is slow to send one blob, wrapping the real
// registry.
type gate struct {
	path  string
	armed atomic.Bool
	once  sync.Once
	open  chan struct{}
}

func (g *gate) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if g.armed.Load() && r.Method == http.MethodGet && strings.Contains(r.URL.Path, g.path) {
			select {
			case <-g.open:
			case <-r.Context().Done():
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (g *gate) release() { g.once.Do(func() { close(g.open) }) }

// TestProgressiveFiles: while the last layer of an image is still on its
// way, the files of the layers merged so far are listed and open, marked
// "layer 2 still loading"; when it arrives the list grows in place — the
// scroll position, the selected row and the open file (the same element,
// not drawn again) survive.
func TestProgressiveFiles(t *testing.T) {
	t.Parallel()
	var many []tartest.Entry
	for i := range 300 {
		many = append(many, tartest.Entry{Name: fmt.Sprintf("a/f%03d.txt", i), Body: "file\n"})
	}
	l0 := imagetest.Layer(t, imagetest.Gzip, append(many, tartest.Entry{Name: "a/two.txt", Body: "two\n"})...)
	l1 := imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "a/three.txt", Body: "three\n"})
	l2 := imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "a/zzz-last.txt", Body: "last\n"})
	d2, err := l2.Digest()
	if err != nil {
		t.Fatal(err)
	}
	g := &gate{path: regtest.BlobPath(digest.Digest(d2.String())), open: make(chan struct{})}
	t.Cleanup(g.release)
	host := regtest.GGCRWith(t, g.wrap)
	ref := host + "/e2e/progressive:v1"
	regtest.Push(t, ref, imagetest.Image(t, imagetest.OCI, l0, l1, l2))
	g.armed.Store(true)
	srv := startServerT(t, "--insecure-registry", host)

	tb := newTab(t)
	tb.navigate(pageURL(srv, "image", ref, "path", "/a/two.txt"))
	tb.waitAttr(pullWait, "#tree", "data-loading", "2-2")
	if note := tb.text("#tree-loading"); note != "layer 2 still loading" {
		t.Errorf("#tree-loading reads %q, want \"layer 2 still loading\"", note)
	}
	if got := tb.viewerText("/a/two.txt"); got != "two\n" {
		t.Errorf("the open file reads %q while layer 2 loads, want \"two\\n\"", got)
	}
	if st := tb.attr("#status", "data-state"); st != "pulling" {
		t.Errorf("#status[data-state] = %q while layer 2 loads, want pulling", st)
	}
	// Scroll the list to its end (where layer 1's file is) and mark the open file's element.
	eval[bool](tb, `(() => { const t = document.querySelector("#tree"); t.scrollTop = t.scrollHeight; t.dispatchEvent(new Event("scroll")); document.querySelector("#viewer pre").__before = true; return true; })()`)
	tb.waitSel(10*time.Second, `#tree .row[data-path="/a/three.txt"]`)
	tb.waitSel(10*time.Second, `#tree .row.sel[data-path="/a/two.txt"]`)
	top := eval[float64](tb, `document.querySelector("#tree").scrollTop`)

	g.release()
	tb.waitStatus(pullWait, "verified")
	tb.waitSel(10*time.Second, `#tree .row[data-path="/a/zzz-last.txt"]`)
	if v := tb.attr("#tree", "data-loading"); v != "" {
		t.Errorf("#tree[data-loading] = %q after the pull, want none", v)
	}
	if hidden := eval[bool](tb, `document.querySelector("#tree-loading").hidden`); !hidden {
		t.Errorf("#tree-loading still reads %q after the pull", tb.text("#tree-loading"))
	}
	if got := eval[float64](tb, `document.querySelector("#tree").scrollTop`); got < top-1 || top < 100 {
		t.Errorf("the list's scroll position went from %.0f to %.0f when the last layer merged", top, got)
	}
	if same := eval[bool](tb, `document.querySelector("#viewer pre")?.__before === true`); !same {
		t.Error("the open file was drawn again when the last layer merged")
	}
	if p := tb.attr("#viewer", "data-path"); p != "/a/two.txt" {
		t.Errorf("#viewer shows %q after the pull, want /a/two.txt", p)
	}
	if n := eval[int](tb, `document.querySelectorAll('#tree .row.sel[data-path="/a/two.txt"]').length`); n != 1 {
		t.Errorf("after the merge %d rows are selected as /a/two.txt, want 1", n)
	}
}
