package e2e

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/tartest"
)

// nativeLs is `regscope ls ref dir`: one "MODE NAME LAYER" line per entry,
// sorted, the oracle for the page's rows.
func nativeLs(t testing.TB, ref, dir string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, env.bin, "ls", "--no-cache", ref, dir)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("regscope ls %s %s: %v\n%s", ref, dir, err, stderr.String())
	}
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		f := strings.Fields(line) // mode uid/gid size date time layer path [link to|-> target]
		if len(f) < 7 {
			t.Fatalf("regscope ls line %q", line)
		}
		out = append(out, f[0]+" "+path.Base(f[6])+" "+f[5])
	}
	slices.Sort(out)
	return out
}

// treeRows are the rows the files view shows for the directory it shows:
// their whole text, and "MODE NAME LAYER" to compare with nativeLs.
func (tb *tab) treeRows() (text, short []string) {
	tb.t.Helper()
	type row struct{ Text, Mode, Name, Layer string }
	rows := eval[[]row](tb, `[...document.querySelectorAll("#tree .row[data-path]")].map(r => ({
  Text: r.textContent, Mode: r.querySelector(".mode").textContent,
  Name: r.dataset.path.split("/").pop(), Layer: r.querySelector(".lyr").textContent}))`)
	for _, r := range rows {
		text = append(text, r.Text)
		short = append(short, r.Mode+" "+r.Name+" "+r.Layer)
	}
	slices.Sort(text)
	slices.Sort(short)
	return text, short
}

// fromCache is what the sentence says of layers listed from their indexes.
const fromCache = "verified when first pulled; index from the verified cache (MAC checked)"

// sameOrCarried reports whether the page's sentence got is want, or want
// followed by the layers an earlier open of the image in the same browser
// left indexed in the verified cache ("; layer 0, layer 2 verified when
// first pulled; …"): tests that share a server share its origin's cache.
func sameOrCarried(got, want string) bool {
	rest, ok := strings.CutPrefix(got, want)
	if !ok || rest == "" {
		return ok
	}
	list, ok1 := strings.CutPrefix(rest, "; ")
	list, ok2 := strings.CutSuffix(list, " "+fromCache)
	if !ok1 || !ok2 {
		return false
	}
	for _, l := range strings.Split(list, ", ") {
		n, ok := strings.CutPrefix(l, "layer ")
		if _, err := strconv.Atoi(n); !ok || err != nil {
			return false
		}
	}
	return true
}

// TestRevisitFromIndexes: the second open of an image in the same browser
// lists its layers from their indexes in the verified cache — no blob GET
// for them, the same rows as the first open and as `regscope ls`, the
// layer rows marked "from cache" and the sentence saying what was verified
// when; a file of such a layer reads its right bytes (its contents
// verified from the cached blob); a tampered index is caught by its MAC,
// reported and dropped, and that layer pulled again.
func TestRevisitFromIndexes(t *testing.T) {
	t.Parallel()
	f := &regtest.Faults{}
	host := regtest.GGCRWith(t, f.Wrap)
	ref := host + "/e2e/revisit:v1"
	doc := strings.Repeat("read from a layer listed from its index\n", 200)
	img := imagetest.Image(t, imagetest.OCI,
		imagetest.Layer(t, imagetest.Gzip,
			tartest.Entry{Name: "etc/", Type: tar.TypeDir},
			tartest.Entry{Name: "etc/motd", Body: "first layer\n"},
			tartest.Entry{Name: "hello.txt", Body: "hello\n"}),
		imagetest.Layer(t, imagetest.Gzip,
			tartest.Entry{Name: "doc.txt", Body: doc, Mode: 0o600, UID: 7, GID: 8},
			tartest.Entry{Name: "doc.link", Type: tar.TypeLink, Link: "doc.txt"},
			tartest.Entry{Name: "hello.txt", Body: "hello again\n"}))
	regtest.Push(t, ref, img)
	ls, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	var blobs, diffIDs []string
	for _, l := range ls {
		d, _ := l.Digest()
		id, _ := l.DiffID()
		blobs, diffIDs = append(blobs, d.String()), append(diffIDs, id.String())
	}
	gets := func() map[string]int {
		n := map[string]int{}
		for _, b := range blobs {
			for _, s := range f.Seen(regtest.BlobPath(digest.Digest(b))) {
				if s.Method == "GET" {
					n[b]++
				}
			}
		}
		return n
	}
	native := nativeLs(t, ref, "/")
	if got := nativeCat(t, ref, "/doc.link", "--no-cache"); got != doc {
		t.Fatalf("regscope cat /doc.link = %q…", got[:min(40, len(got))])
	}
	base := gets() // the native ls's GETs
	s := startServerT(t, "--insecure-registry", host)
	open := func() *tab {
		tb := newTab(t)
		tb.navigate(pageURL(s, "image", ref))
		tb.waitStatus(pullWait, "verified")
		tb.waitAttr(10*time.Second, "#tree", "data-dir", "/")
		tb.waitSel(10*time.Second, `#tree .row[data-path="/doc.txt"]`)
		return tb
	}
	since := func(before map[string]int) map[string]int {
		now, d := gets(), map[string]int{}
		for k, v := range now {
			if v != before[k] {
				d[k] = v - before[k]
			}
		}
		return d
	}
	state := func(tb *tab, layer int) string {
		return tb.text(fmt.Sprintf(`#progress-bars .layer-bar[data-layer="%d"] .st`, layer))
	}
	const verifiedSentence = "all 6 digests verified (the manifest, the config, 2 layer blobs, 2 DiffIDs)"

	tb := open()
	firstRows, firstShort := tb.treeRows()
	if !slices.Equal(firstShort, native) {
		t.Errorf("first open lists\n%s\nregscope ls lists\n%s", strings.Join(firstShort, "\n"), strings.Join(native, "\n"))
	}
	if got := since(base); got[blobs[0]] != 1 || got[blobs[1]] != 1 {
		t.Fatalf("first open GETs %v; want each layer once", got)
	}
	if got := tb.pageSentence(); got != verifiedSentence {
		t.Errorf("first open says %q", got)
	}
	tb.waitAttr(10*time.Second, "#cache-usage", "data-entries", "5") // config, 2 blobs, 2 layer indexes

	before := gets()
	tb = open()
	if got := since(before); len(got) != 0 {
		t.Errorf("second open GETs layer blobs %v; want none", got)
	}
	rows, _ := tb.treeRows()
	if !slices.Equal(rows, firstRows) {
		t.Errorf("second open lists\n%s\nfirst open listed\n%s", strings.Join(rows, "\n"), strings.Join(firstRows, "\n"))
	}
	if got, want := tb.pageSentence(), verifiedSentence+"; layer 0, layer 1 "+fromCache; got != want {
		t.Errorf("second open says %q\nwant %q", got, want)
	}
	for i := range blobs {
		if got := state(tb, i); got != "✓ from cache" {
			t.Errorf("layer %d row state %q, want ✓ from cache", i, got)
		}
	}
	tb.click(`#tree .row[data-path="/doc.link"]`)
	if got := tb.viewerText("/doc.link"); got != doc {
		t.Errorf("/doc.link of a layer listed from its index reads %q…, want %q…", got[:min(40, len(got))], doc[:40])
	}
	if got := since(before); len(got) != 0 {
		t.Errorf("reading /doc.link GET layer blobs %v; want none (its blob is in the verified cache)", got)
	}

	// A byte of layer 1's index changed: its MAC no longer checks out.
	key, _ := json.Marshal(s.url + "/.regscope-cache/" + host + "/layer-index/" + blobs[1] + "/" + diffIDs[1])
	if !eval[bool](tb, fmt.Sprintf(`(async () => {
  const c = await caches.open("regscope-verified");
  const r = await c.match(%s);
  if (!r) return false;
  const b = new Uint8Array(await r.arrayBuffer());
  b[b.length - 3] ^= 1;
  await c.put(%[1]s, new Response(b));
  return true;
})()`, key)) {
		t.Fatalf("no layer index kept under %s", key)
	}
	before = gets()
	tb = open()
	if got := since(before); len(got) != 0 {
		t.Errorf("after tampering, GETs %v; want none (layer 1 pulled from its cached blob)", got)
	}
	rows, _ = tb.treeRows()
	if !slices.Equal(rows, firstRows) {
		t.Errorf("after tampering, lists\n%s\nwant\n%s", strings.Join(rows, "\n"), strings.Join(firstRows, "\n"))
	}
	if got, want := tb.pageSentence(), verifiedSentence+"; layer 0 "+fromCache; got != want {
		t.Errorf("after tampering, says %q\nwant %q", got, want)
	}
	if a, b := state(tb, 0), state(tb, 1); a != "✓ from cache" || b != "✓ verified" {
		t.Errorf("after tampering, layer states %q, %q; want ✓ from cache, ✓ verified", a, b)
	}
	tb.waitAttr(10*time.Second, "#cache-usage", "data-dropped", "1")
	if got, want := tb.text("#cache-note"), "layer index "+blobs[1]+" failed its MAC check and was dropped"; got != want {
		t.Errorf("#cache-note = %q, want %q", got, want)
	}
	tb.waitAttr(10*time.Second, "#cache-usage", "data-entries", "5") // the index kept again
}
