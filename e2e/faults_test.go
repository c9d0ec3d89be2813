//go:build !js

package e2e

import (
	"archive/tar"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/tartest"
)

// faultFixture is a server whose relay may reach one registry (ggcr's, in
// process) wrapped by regtest.Faults, and a good image on that registry
// that every case pulls after its failure, in the same tab.
type faultFixture struct {
	srv    *server
	host   string // the registry, allowed with --insecure-registry
	faults *regtest.Faults
	good   string // a clean image: /good.txt holds goodBody
}

const goodBody = "a good image, pulled after a failure in the same tab\n"

func newFaultFixture(t *testing.T) *faultFixture {
	t.Helper()
	f := &faultFixture{faults: &regtest.Faults{}}
	f.host = regtest.GGCRWith(t, f.faults.Wrap)
	f.good = f.host + "/e2e/good:v1"
	regtest.Push(t, f.good, smallImage(t, "good.txt", goodBody))
	f.srv = startServerT(t, "--insecure-registry", f.host)
	return f
}

// push pushes img as repo:v1 on the fixture's registry and returns the reference.
func (f *faultFixture) push(t *testing.T, repo string, img v1.Image) string {
	t.Helper()
	ref := f.host + "/" + repo + ":v1"
	regtest.Push(t, ref, img)
	return ref
}

// TestPageFaults pulls through the relay from a registry that misbehaves
// (a reset mid-blob with a 503 burst, a 429 asking for an hour, a manifest
// served as application/octet-stream) and images made to hurt (a tar cut
// mid-entry, a 10 GB declared size, path traversal, a symlink loop). Each
// case checks what the page shows, then that the same tab still pulls a
// good image and shows its file.
func TestPageFaults(t *testing.T) {
	t.Parallel()
	f := newFaultFixture(t)
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, f *faultFixture) *tab
	}{
		{"reset mid-blob and 503 burst", testFaultResetAnd503},
		{"429 beyond the client's cap", testFault429},
		{"manifest as application/octet-stream", testFaultManifestType},
		{"tar truncated mid-entry", testFaultTruncatedTar},
		{"declared 10 GB file", testFaultDeclaredSize},
		{"path traversal", testFaultTraversal},
		{"symlink loop", testFaultSymlinkLoop},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tb := tc.run(t, f)
			if !t.Failed() {
				pullAnother(t, tb, f.good, "/good.txt", goodBody)
			}
		})
	}
}

// pullAnother types ref into #ref-input of a tab that has just shown a
// failure, pulls it with #pull-button, and expects every digest verified,
// no error, and path's text in the viewer once its row is clicked.
func pullAnother(t *testing.T, tb *tab, ref, path, want string) {
	t.Helper()
	run(tb, 10*time.Second, "type "+ref+" and pull", chromedp.Steps(
		chromedp.Evaluate[chromedp.Void](`(() => { const i = document.querySelector("#ref-input"); i.value = ""; i.focus(); })()`),
		chromedp.SendKeys(chromedp.CSS("#ref-input"), ref),
		chromedp.Click(chromedp.CSS("#pull-button")),
	))
	tb.waitFn(10*time.Second, "the location naming "+ref, `(ref) =>
	  new URLSearchParams(location.search).get("image") === ref ? "ok" : ""`, ref)
	// The row exists only once the good image is pulled: a "verified" left
	// over from the case's own pull cannot pass for it.
	sel := `#tree .row[data-path="` + path + `"]`
	tb.waitSel(pullWait, sel)
	tb.waitStatus(10*time.Second, "verified")
	tb.click(sel)
	if got := tb.viewerText(path); got != want {
		t.Errorf("after the failure, %s %s: viewer shows %q, want %q", ref, path, got, want)
	}
	if kind, hidden := tb.attr("#error", "data-kind"), eval[bool](tb, `document.querySelector("#error").hidden`); kind != "" || !hidden {
		t.Errorf("after pulling %s: #error[data-kind=%q] hidden=%v, want no error shown", ref, kind, hidden)
	}
}

// waitError waits for #error[data-kind=kind] and returns its text.
func waitError(t *testing.T, tb *tab, kind string) string {
	t.Helper()
	tb.waitAttr(pullWait, "#error", "data-kind", kind)
	msg := tb.text("#error")
	t.Logf("#error[data-kind=%s]: %s", kind, msg)
	if st := tb.attr("#status", "data-state"); st == "verified" {
		t.Errorf("#status[data-state] = %q with an error shown", st)
	}
	return msg
}

// testFaultResetAnd503 pulls an image whose config answers 503 twice and
// whose two layers are cut 100,000 bytes in: one by a reset right after
// those bytes, one by a connection that ends short after a 0.4 s pause.
//
// Through the relay both reach the browser the same way (the relay's answer
// ends short of its Content-Length), but a cut right behind the bytes races
// with the page reading them: Chromium drops body bytes not yet read when
// the stream errors (Streams spec: error() empties the queue; a TCP reset
// discards the socket's receive queue). So the reset layer may be resumed
// or fetched again from byte 0, and only the paused cut is required to show
// a Range resume.
func testFaultResetAnd503(t *testing.T, f *faultFixture) *tab {
	// Uncompressed, so the blobs are big enough to be cut in the middle;
	// 198,000 bytes each, under the viewer's 256 KiB, so its text is the
	// whole file.
	bodies := map[string]string{
		"/srv/reset.txt": strings.Repeat("resumed across a reset, every byte verified\n", 4500),
		"/srv/cut.txt":   strings.Repeat("resumed after a cut, every byte verified...\n", 4500),
	}
	reset := imagetest.Layer(t, imagetest.None, tartest.Entry{Name: "srv/reset.txt", Body: bodies["/srv/reset.txt"]})
	cut := imagetest.Layer(t, imagetest.None, tartest.Entry{Name: "srv/cut.txt", Body: bodies["/srv/cut.txt"]})
	img := imagetest.Image(t, imagetest.OCI, reset, cut)
	ref := f.push(t, "e2e/reset", img)
	blobPath := func(d interface{ Digest() (v1.Hash, error) }) string {
		h, err := d.Digest()
		if err != nil {
			t.Fatal(err)
		}
		return regtest.BlobPath(digestOf(h))
	}
	cd, err := img.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	resetBlob, cutBlob, config := blobPath(reset), blobPath(cut), regtest.BlobPath(digestOf(cd))
	f.faults.Add(regtest.Fault{Kind: regtest.Reset, Path: resetBlob, Method: "GET", Offset: 100000, Times: 1})
	f.faults.Add(regtest.Fault{Kind: regtest.Stall, Path: cutBlob, Method: "GET", Offset: 100000, Delay: 400 * time.Millisecond, Times: 1})
	f.faults.Add(regtest.Fault{Kind: regtest.Status, Code: http.StatusServiceUnavailable, Path: config, Method: "GET", Times: 2})

	tb := newTab(t)
	tb.navigate(pageURL(f.srv, "image", ref, "path", "/srv/reset.txt"))
	tb.waitStatus(pullWait, "verified")
	const sentence = "all 6 digests verified (the manifest, the config, 2 layer blobs, 2 DiffIDs)"
	if s := tb.pageSentence(); s != sentence {
		t.Errorf("#status says %q, want %q", s, sentence)
	}
	for _, p := range []string{"/srv/reset.txt", "/srv/cut.txt"} {
		if p != "/srv/reset.txt" {
			sel := `#tree .row[data-path="` + p + `"]`
			tb.waitSel(10*time.Second, sel)
			tb.click(sel)
		}
		if got, want := tb.viewerText(p), bodies[p]; got != want {
			i := 0
			for i < min(len(got), len(want)) && got[i] == want[i] {
				i++
			}
			t.Errorf("%s: the viewer shows %d bytes, want %d; they differ from byte %d", p, len(got), len(want), i)
		}
	}

	for _, tc := range []struct {
		blob       string
		mustResume bool
		what       string
	}{
		{resetBlob, false, "reset"},
		{cutBlob, true, "cut after a pause"},
	} {
		gets := seenGETs(f.faults.Seen(tc.blob))
		t.Logf("%s layer: GETs %+v", tc.what, gets)
		if len(gets) != 2 || !gets[0].Fault || gets[0].Range != "" || gets[1].Fault {
			t.Errorf("%s layer: GETs %+v, want a whole-blob GET that was cut, then one more", tc.what, gets)
			continue
		}
		resumed := strings.HasPrefix(gets[1].Range, "bytes=") && !strings.HasPrefix(gets[1].Range, "bytes=0-")
		switch {
		case tc.mustResume && !resumed:
			t.Errorf("%s layer: the GET after the cut asked for Range %q, want bytes=N- with N > 0 (a resume)", tc.what, gets[1].Range)
		case !resumed && gets[1].Range != "":
			t.Errorf("%s layer: the GET after the cut asked for Range %q, want a resume (bytes=N-, N > 0) or the whole blob", tc.what, gets[1].Range)
		}
	}
	if cg := seenGETs(f.faults.Seen(config)); len(cg) != 3 || !cg[0].Fault || !cg[1].Fault || cg[2].Fault {
		t.Errorf("config %s: GETs %+v, want two 503s then one success", cd, cg)
	}
	return tb
}

// seenGETs keeps the GETs of seen.
func seenGETs(seen []regtest.Seen) []regtest.Seen {
	var out []regtest.Seen
	for _, s := range seen {
		if s.Method == http.MethodGet {
			out = append(out, s)
		}
	}
	return out
}

func testFault429(t *testing.T, f *faultFixture) *tab {
	ref := f.push(t, "e2e/limited", smallImage(t, "srv/never.txt", "never shown\n"))
	manifests := "/v2/e2e/limited/manifests/"
	f.faults.Add(regtest.Fault{Kind: regtest.Status, Code: http.StatusTooManyRequests, Path: manifests,
		Header: http.Header{"Retry-After": {"3600"}}})

	before := len(f.faults.Seen(manifests)) // the push's own requests
	tb := newTab(t)
	start := time.Now()
	tb.navigate(pageURL(f.srv, "image", ref, "path", "/srv/never.txt"))
	msg := waitError(t, tb, "rate-limited")
	if !strings.Contains(msg, "60 min") {
		t.Errorf("#error reads %q; it does not give the wait the registry asked for (3600 s = 60 min)", msg)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("the rate-limit error took %v to show; a Retry-After beyond the cap must stop at once", d)
	}
	if seen := f.faults.Seen(manifests)[before:]; len(seen) != 1 || !seen[0].Fault {
		t.Errorf("manifest requests %+v, want one, answered 429 (no retry when Retry-After exceeds the cap)", seen)
	}
	return tb
}

func testFaultManifestType(t *testing.T, f *faultFixture) *tab {
	const body = "a manifest served as application/octet-stream\n"
	ref := f.push(t, "e2e/octet", smallImage(t, "srv/octet.txt", body))
	manifests := "/v2/e2e/octet/manifests/"
	f.faults.Add(regtest.Fault{Kind: regtest.SetHeader, Path: manifests,
		Header: http.Header{"Content-Type": {"application/octet-stream"}}})

	tb := pullInPage(t, f.srv, ref, "/srv/octet.txt", body)
	var faulted bool
	for _, s := range f.faults.Seen(manifests) {
		faulted = faulted || (s.Method == http.MethodGet && s.Fault)
	}
	if !faulted {
		t.Errorf("no manifest GET was served with the wrong Content-Type: %+v", f.faults.Seen(manifests))
	}
	return tb
}

func testFaultTruncatedTar(t *testing.T, f *faultFixture) *tab {
	whole := tartest.Layer(t, []tartest.Entry{{Name: "a", Body: "first"}, {Name: "big", Body: strings.Repeat("b", 10000)}})
	cut := whole[:512*3+5000] // a's header and block, big's header, half of big's body
	ref := f.push(t, "e2e/truncated", imagetest.Image(t, imagetest.OCI,
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "ok", Body: "1"}),
		imagetest.LayerFromTar(t, imagetest.Gzip, cut)))

	tb := newTab(t)
	tb.navigate(pageURL(f.srv, "image", ref, "path", "/big"))
	msg := waitError(t, tb, "other")
	for _, want := range []string{"layer 1 (sha256:", `"big"`, "unexpected EOF"} {
		if !strings.Contains(msg, want) {
			t.Errorf("#error reads %q; want it to mention %s", msg, want)
		}
	}
	if n := eval[int](tb, `document.querySelectorAll('#tree .row[data-path="/big"]').length`); n != 0 {
		t.Error("the tree lists /big from the truncated layer")
	}
	return tb
}

func testFaultDeclaredSize(t *testing.T, f *faultFixture) *tab {
	lie := tartest.Layer(t, []tartest.Entry{{Name: "huge", Body: "tiny", Size: 10 << 30}})
	ref := f.push(t, "e2e/huge", imagetest.Image(t, imagetest.OCI, imagetest.LayerFromTar(t, imagetest.Gzip, lie)))

	tb := newTab(t)
	tb.navigate(pageURL(f.srv, "image", ref, "path", "/huge"))
	msg := waitError(t, tb, "other")
	for _, want := range []string{"layer 0 (sha256:", `layer entry "huge": storing 10737418240 bytes: opfs store: after 4 of 10737418240 bytes: unexpected EOF`} {
		if !strings.Contains(msg, want) {
			t.Errorf("#error reads %q; want it to mention %s", msg, want)
		}
	}
	return tb
}

func testFaultTraversal(t *testing.T, f *faultFixture) *tab {
	const body = "written as ../../x\n"
	ref := f.push(t, "e2e/traversal", imagetest.Image(t, imagetest.OCI, imagetest.Layer(t, imagetest.Gzip,
		tartest.Entry{Name: "../../x", Body: body},
		tartest.Entry{Name: "etc/../../../y", Body: "y\n"})))

	tb := pullInPage(t, f.srv, ref, "/x", body)
	tb.waitAttr(10*time.Second, "#tree", "data-dir", "/")
	tb.waitSel(10*time.Second, `#tree .row[data-path="/x"][data-type="file"]`)
	paths := eval[[]string](tb, `[...document.querySelectorAll("#tree .row[data-path]")].map(r => r.dataset.path)`)
	if strings.Join(paths, " ") != "/x /y" {
		t.Errorf("the root lists %q, want exactly /x and /y", paths)
	}
	return tb
}

func testFaultSymlinkLoop(t *testing.T, f *faultFixture) *tab {
	ref := f.push(t, "e2e/loop", imagetest.Image(t, imagetest.OCI, imagetest.Layer(t, imagetest.Gzip,
		tartest.Entry{Name: "loop-a", Type: tar.TypeSymlink, Link: "loop-b"},
		tartest.Entry{Name: "loop-b", Type: tar.TypeSymlink, Link: "loop-a"},
		tartest.Entry{Name: "self", Type: tar.TypeSymlink, Link: "self"})))

	tb := newTab(t)
	tb.navigate(pageURL(f.srv, "image", ref, "path", "/loop-a"))
	tb.waitStatus(pullWait, "verified")
	for i, p := range []string{"/loop-a", "/self"} {
		if i > 0 {
			sel := `#tree .row[data-path="` + p + `"]`
			tb.waitSel(10*time.Second, sel)
			tb.click(sel)
		}
		tb.waitAttr(10*time.Second, "#viewer", "data-path", p)
		tb.waitAttr(10*time.Second, "#viewer", "data-kind", "error")
		msg := tb.text("#viewer")
		t.Logf("#viewer for %s: %s", p, msg)
		switch {
		case !strings.Contains(msg, p):
			t.Errorf("#viewer for %s reads %q; it does not name the path", p, msg)
		case strings.Contains(msg, "too many levels of symbolic links"):
		default:
			t.Errorf("#viewer for %s reads %q; want \"too many levels of symbolic links\"", p, msg)
		}
	}
	return tb
}
