//go:build !js

package e2e

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// pullWait bounds a pull of a demo image in the page, wasm start-up included.
const pullWait = 60 * time.Second

// showcase is the demo index on the server s.
func showcase(s *server) string { return s.host + "/demo/showcase:latest" }

// pageURL is the page's URL for the given state (see wasm/urlstate):
// pairs of key, value.
func pageURL(s *server, kv ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	return s.url + "/?" + q.Encode()
}

// nativeCat is the file as the native pipeline (`regscope cat`) reads it:
// the oracle for what the page must show.
func nativeCat(t testing.TB, ref, path string, flags ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, env.bin, append(append([]string{"cat"}, flags...), ref, path)...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("regscope cat %s %s: %v\n%s", ref, path, err, stderr.String())
	}
	return stdout.String()
}

// openFile waits for the viewer to show path as text and returns the text.
func (tb *tab) viewerText(path string) string {
	tb.t.Helper()
	tb.waitAttr(pullWait, "#viewer", "data-path", path)
	tb.waitAttr(10*time.Second, "#viewer", "data-kind", "text")
	return tb.text("#viewer")
}

// TestOpenFileFromLink opens a link naming an image and a text file, and
// expects the viewer to show exactly the file's bytes, after every digest
// was verified.
func TestOpenFileFromLink(t *testing.T) {
	t.Parallel()
	ref := showcase(env.srv)
	want := nativeCat(t, ref, "/etc/os-release")
	if !strings.Contains(want, "regscope demo Linux") {
		t.Fatalf("regscope cat gave %q; the demo image changed?", want)
	}
	tb := newTab(t)
	tb.navigate(pageURL(env.srv, "image", ref, "path", "/etc/os-release"))
	tb.waitStatus(pullWait, "verified")
	if got := tb.viewerText("/etc/os-release"); got != want {
		t.Errorf("viewer shows %q, want %q", got, want)
	}
	if s := tb.pageSentence(); !sameOrCarried(s, showcaseSentence) {
		t.Errorf("#status says %q, want %q", s, showcaseSentence)
	}
	if got := tb.attr("#panels", "data-view"); got != "files" {
		t.Errorf("#panels[data-view] = %q, want files", got)
	}
}

// manifestDigest asks the registry at host (plain HTTP) for the digest of
// repo:tag, accepting indexes and manifests alike.
func manifestDigest(t testing.TB, host, repo, tag string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodHead, "http://"+host+"/v2/"+repo+"/manifests/"+tag, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", strings.Join([]string{
		"application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json",
		"application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json"}, ", "))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	d := resp.Header.Get("Docker-Content-Digest")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(d, "sha256:") {
		t.Fatalf("HEAD %s: %s, Docker-Content-Digest %q", req.URL, resp.Status, d)
	}
	return d
}

// TestBrowseTree walks the merged tree with the mouse: the root, a
// directory's children, a file in it, and back up by the breadcrumbs.
func TestBrowseTree(t *testing.T) {
	t.Parallel()
	ref := showcase(env.srv)
	tb := newTab(t)
	tb.navigate(pageURL(env.srv, "image", ref))
	tb.waitStatus(pullWait, "verified")
	tb.waitAttr(10*time.Second, "#tree", "data-dir", "/")
	tb.waitSel(10*time.Second, `#tree .row[data-path="/app"][data-type="dir"]`)

	tb.click(`#tree .row[data-path="/app"]`)
	tb.waitAttr(10*time.Second, "#tree", "data-dir", "/app")
	tb.waitSel(10*time.Second, `#tree .row[data-path="/app/README.md"]`)
	rows := eval[map[string]string](tb, `Object.fromEntries([...document.querySelectorAll("#tree .row[data-path]")].map(r => [r.dataset.path, r.dataset.type]))`)
	for path, typ := range map[string]string{
		"/app/README.md": "file", "/app/run.sh": "file", "/app/logo.png": "file",
		"/app/current": "symlink", "/app/link1": "symlink", "/app/README.hardlink": "hardlink",
	} {
		if rows[path] != typ {
			t.Errorf("/app lists %s as %q, want %q (rows: %v)", path, rows[path], typ, rows)
		}
	}
	for path := range rows {
		if !strings.HasPrefix(path, "/app/") {
			t.Errorf("/app lists %s, which is not one of its children", path)
		}
	}
	if info := tb.text("#tree-info"); !strings.Contains(info, "entries") {
		t.Errorf("#tree-info reads %q, want \"N entries\"", info)
	}

	want := nativeCat(t, ref, "/app/README.md")
	tb.click(`#tree .row[data-path="/app/README.md"]`)
	if got := tb.viewerText("/app/README.md"); got != want {
		t.Errorf("viewer shows %q, want %q", got, want)
	}
	tb.waitSel(5*time.Second, `#tree .row.sel[data-path="/app/README.md"]`)
	if q := tb.query(); q.Get("path") != "/app/README.md" {
		t.Errorf("location's query %v does not name path=/app/README.md", q)
	}

	tb.click(`#crumbs a[data-dir="/"]`)
	tb.waitAttr(10*time.Second, "#tree", "data-dir", "/")
	tb.waitSel(10*time.Second, `#tree .row[data-path="/etc"][data-type="dir"]`)
}

// TestLayerChanges opens the layers view and selects the third layer, which
// deletes /tmp/old.txt (a whiteout) and makes /var/lib/app opaque: the page
// lists that layer's own changes and none of the other layers'.
func TestLayerChanges(t *testing.T) {
	t.Parallel()
	tb := newTab(t)
	tb.navigate(pageURL(env.srv, "image", showcase(env.srv)))
	tb.waitStatus(pullWait, "verified")
	tb.click("#tab-layers")
	tb.waitAttr(10*time.Second, "#panels", "data-view", "layers")
	if got := tb.attr("#tab-layers", "aria-selected"); got != "true" {
		t.Errorf("#tab-layers aria-selected = %q, want true", got)
	}
	if n := eval[int](tb, `document.querySelectorAll("#layers-table tr.layer").length`); n != 3 {
		t.Errorf("#layers-table has %d layer rows, want 3", n)
	}

	tb.click(`#layers-table tr.layer[data-layer="2"]`)
	tb.waitAttr(10*time.Second, "#layer-changes", "data-layer", "2")
	tb.waitSel(10*time.Second, `#layer-changes .row[data-path="/tmp/old.txt"]`)
	changes := eval[map[string]string](tb, `Object.fromEntries([...document.querySelectorAll("#layer-changes .row[data-path]")].map(r => [r.dataset.path, r.dataset.change]))`)
	for path, change := range map[string]string{
		"/tmp/old.txt":               "deleted",
		"/var/lib/app":               "opaque",
		"/var/lib/app/new-state.txt": "added",
		"/etc/hostname":              "modified",
		"/etc/motd":                  "added",
	} {
		if changes[path] != change {
			t.Errorf("layer 2's changes list %s as %q, want %q (all: %v)", path, changes[path], change, changes)
		}
	}
	for _, other := range []string{"/app/README.md", "/etc/os-release"} {
		if c, ok := changes[other]; ok {
			t.Errorf("layer 2's changes list %s (%s), which another layer made", other, c)
		}
	}
	if got := tb.attr(`#layers-table tr.layer[data-layer="2"]`, "class"); !strings.Contains(got, "sel") {
		t.Errorf("the selected layer row has class %q, want sel", got)
	}
	if q := tb.query(); q.Get("layer") != "2" || q.Get("view") != "layers" {
		t.Errorf("location's query %v does not name layer=2 and view=layers", q)
	}
}

// TestSwitchPlatform switches the showcase index from linux/amd64 to
// linux/arm64/v8 with the platform chooser: /etc/arch differs per image.
func TestSwitchPlatform(t *testing.T) {
	t.Parallel()
	ref := showcase(env.srv)
	wantAMD := nativeCat(t, ref, "/etc/arch")
	wantARM := nativeCat(t, ref, "/etc/arch", "--platform", "linux/arm64/v8")
	if wantAMD == wantARM {
		t.Fatalf("/etc/arch is %q on both platforms; the demo image changed?", wantAMD)
	}
	tb := newTab(t)
	tb.navigate(pageURL(env.srv, "image", ref, "path", "/etc/arch"))
	tb.waitStatus(pullWait, "verified")
	if got := tb.viewerText("/etc/arch"); got != wantAMD {
		t.Fatalf("linux/amd64: viewer shows %q, want %q", got, wantAMD)
	}
	if hidden := eval[bool](tb, `document.querySelector("#platform-select").hidden`); hidden {
		t.Fatal("#platform-select is hidden for an index")
	}
	opts := eval[[]string](tb, `[...document.querySelectorAll("#platform-select option")].map(o => o.value)`)
	if !slices.Contains(opts, "linux/arm64/v8") || slices.Contains(opts, "unknown/unknown") {
		t.Errorf("#platform-select offers %v, want linux/amd64 and linux/arm64/v8 without the attestation", opts)
	}

	eval[chromedp.Void](tb, `(() => { const s = document.querySelector("#platform-select");
	  s.value = "linux/arm64/v8"; s.dispatchEvent(new Event("change", {bubbles: true})); })()`)
	tb.waitText(pullWait, "#viewer", wantARM)
	tb.waitStatus(pullWait, "verified")
	if got := tb.viewerText("/etc/arch"); got != wantARM {
		t.Errorf("linux/arm64/v8: viewer shows %q, want %q", got, wantARM)
	}
	if q := tb.query(); q.Get("platform") != "linux/arm64/v8" {
		t.Errorf("location's query %v does not name platform=linux/arm64/v8", q)
	}
}

// TestCopyLink reads the pinned link of a view and opens it in a fresh tab:
// the same image (by digest), platform, file and text.
func TestCopyLink(t *testing.T) {
	t.Parallel()
	ref := showcase(env.srv)
	index := manifestDigest(t, env.srv.host, "demo/showcase", "latest")
	want := nativeCat(t, ref, "/etc/hostname", "--platform", "linux/arm64/v8")

	tb := newTab(t)
	tb.navigate(pageURL(env.srv, "image", ref, "platform", "linux/arm64/v8", "path", "/etc/hostname"))
	tb.waitStatus(pullWait, "verified")
	if got := tb.viewerText("/etc/hostname"); got != want {
		t.Fatalf("viewer shows %q, want %q", got, want)
	}
	tb.waitFn(10*time.Second, "#copy-link[data-link] pinned to a digest", `() =>
	  (document.querySelector("#copy-link")?.dataset.link || "").includes("@sha256:") ? "ok" : ""`)
	link := tb.attr("#copy-link", "data-link")
	u, err := url.Parse(link)
	if err != nil {
		t.Fatalf("data-link %q: %v", link, err)
	}
	q := u.Query()
	if img := q.Get("image"); !strings.HasSuffix(img, "@"+index) || !strings.HasPrefix(img, env.srv.host+"/demo/showcase") {
		t.Errorf("link's image = %q, want %s/demo/showcase[:latest]@%s", img, env.srv.host, index)
	}
	if got := q.Get("platform"); got != "linux/arm64/v8" {
		t.Errorf("link's platform = %q, want linux/arm64/v8", got)
	}
	if got := q.Get("path"); got != "/etc/hostname" {
		t.Errorf("link's path = %q, want /etc/hostname", got)
	}
	if u.Host != env.srv.host {
		t.Errorf("link %s is not absolute on %s", link, env.srv.host)
	}

	fresh := newTab(t)
	fresh.navigate(link)
	fresh.waitStatus(pullWait, "verified")
	if got := fresh.viewerText("/etc/hostname"); got != want {
		t.Errorf("the link's tab shows %q, want %q", got, want)
	}
	if got := fresh.attr("#copy-link", "data-link"); got != link {
		t.Errorf("the link's tab links to %s, want the same link %s", got, link)
	}
}

// TestBackForward opens one file, then another from the tree, and goes back
// and forward through the browser's history.
func TestBackForward(t *testing.T) {
	t.Parallel()
	ref := showcase(env.srv)
	first, second := nativeCat(t, ref, "/etc/os-release"), nativeCat(t, ref, "/etc/hostname")
	tb := newTab(t)
	tb.navigate(pageURL(env.srv, "image", ref, "path", "/etc/os-release"))
	tb.waitStatus(pullWait, "verified")
	if got := tb.viewerText("/etc/os-release"); got != first {
		t.Fatalf("viewer shows %q, want %q", got, first)
	}
	tb.waitSel(10*time.Second, `#tree .row[data-path="/etc/hostname"]`)
	tb.click(`#tree .row[data-path="/etc/hostname"]`)
	if got := tb.viewerText("/etc/hostname"); got != second {
		t.Fatalf("viewer shows %q, want %q", got, second)
	}

	tb.historyGo(-1)
	tb.waitAttr(10*time.Second, "#viewer", "data-path", "/etc/os-release")
	if got := tb.viewerText("/etc/os-release"); got != first {
		t.Errorf("after Back the viewer shows %q, want %q", got, first)
	}
	if q := tb.query(); q.Get("path") != "/etc/os-release" {
		t.Errorf("after Back the location's query is %v", q)
	}
	tb.historyGo(+1)
	tb.waitAttr(10*time.Second, "#viewer", "data-path", "/etc/hostname")
	if got := tb.viewerText("/etc/hostname"); got != second {
		t.Errorf("after Forward the viewer shows %q, want %q", got, second)
	}
}
