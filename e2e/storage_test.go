package e2e

import (
	"net/url"
	"strings"
	"testing"
)

// insecureHost resolves to loopback in the test browser: a page served
// under it over plain HTTP is not a secure context, so the browser gives it
// no Origin Private File System.
const insecureHost = "insecure.regscope.test"

// TestContentsOnDisk: a pulled image's file contents are kept in the Origin
// Private File System (one contents file, at least as big as the file
// read), not in memory, and read back as the native pipeline reads them.
func TestContentsOnDisk(t *testing.T) {
	t.Parallel()
	ref := showcase(env.srv)
	want := nativeCat(t, ref, "/etc/os-release")
	tb := newTab(t)
	tb.navigate(pageURL(env.srv, "image", ref, "path", "/etc/os-release"))
	tb.waitStatus(pullWait, "verified")
	if got := tb.viewerText("/etc/os-release"); got != want {
		t.Errorf("viewer shows %q, want %q", got, want)
	}
	files := eval[map[string]float64](tb, `(async () => {
  const out = {};
  const dir = await navigator.storage.getDirectory();
  for await (const [name, h] of dir.entries()) {
    if (h.kind === "file") out[name] = (await h.getFile()).size;
  }
  return out;
})()`)
	n := 0
	for name, size := range files {
		if strings.HasPrefix(name, "contents-") && size >= float64(len(want)) {
			n++
		}
	}
	if n == 0 {
		t.Errorf("no contents file in the Origin Private File System: %v", files)
	}
}

// TestContentsNotKeptWithoutStorage: where the browser gives no storage, the
// image is still pulled, verified and listed, and a file's content reads
// "not kept: storage unavailable".
func TestContentsNotKeptWithoutStorage(t *testing.T) {
	t.Parallel()
	s := startServerT(t, "--host", insecureHost)
	u, err := url.Parse(s.url)
	if err != nil {
		t.Fatal(err)
	}
	origin := insecureHost + ":" + u.Port()
	ref := origin + "/demo/showcase:latest"
	tb := newTab(t)
	tb.navigate("http://" + origin + "/?" + url.Values{"image": {ref}, "path": {"/etc/os-release"}}.Encode())
	tb.waitStatus(pullWait, "verified")
	if secure := eval[bool](tb, `window.isSecureContext`); secure {
		t.Fatal("the page under " + insecureHost + " is a secure context; the test would not deny storage")
	}
	tb.waitAttr(pullWait, "#viewer", "data-kind", "error")
	if got := strings.TrimSpace(tb.text("#viewer")); got != "not kept: storage unavailable" {
		t.Errorf("#viewer reads %q, want %q", got, "not kept: storage unavailable")
	}
	tb.waitSel(pullWait, `#tree .row[data-path="/etc/os-release"]`)
}
