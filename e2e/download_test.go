//go:build !js

package e2e

import (
	"bytes"
	"crypto/sha256"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/tartest"
)

// Downloads of files whose contents the engine keeps on disk: a big one
// (at least 16 MiB) streams through the download service worker a chunk at
// a time; a smaller one is copied by the engine into an OPFS file of its
// own, handed to the browser's download as a File. Both write the file's
// exact bytes to disk.
func TestDownloadFromDisk(t *testing.T) {
	files := map[string][]byte{"weights.bin": []byte(noise(20<<20, 7)), "small.bin": []byte(noise(3<<20, 9))}
	img := imagetest.Image(t, imagetest.OCI,
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "srv/weights.bin", Body: string(files["weights.bin"])},
			tartest.Entry{Name: "srv/small.bin", Body: string(files["small.bin"])}))
	p := savedImage(t, "download.tar", "example.com/download:1", img)
	tb, downloads := downloadTab(t, p)
	for _, file := range []string{"weights.bin", "small.bin"} {
		tb.showPath("download.tar", "/srv/"+file)
		tb.waitAttr(pullWait, "#viewer", "data-path", "/srv/"+file)
		tb.click("#download")
		want := files[file]
		got := filepath.Join(downloads, file)
		var b []byte
		for deadline := time.Now().Add(pullWait); ; time.Sleep(50 * time.Millisecond) {
			if fi, err := os.Stat(got); err == nil && fi.Size() == int64(len(want)) {
				if b, err = os.ReadFile(got); err == nil {
					break
				}
			}
			if time.Now().After(deadline) {
				entries, _ := os.ReadDir(downloads)
				t.Fatalf("no downloaded %s of %d bytes in %s after %v (it holds %v)", file, len(want), downloads, pullWait, entries)
			}
		}
		if sha256.Sum256(b) != sha256.Sum256(want) {
			t.Fatalf("the downloaded %s (%d bytes) differs from the image's", file, len(b))
		}
		tb.waitFn(pullWait, "the Download button to be ready again", `() => document.querySelector("#download").textContent === "Download" ? "ok" : ""`)
	}
	// The big file came through the service worker, the small one from an export file in OPFS.
	if scope := eval[string](tb, `navigator.serviceWorker.getRegistration("download/").then(r => r && r.active ? r.scope : "")`); scope != env.srv.url+"/download/" {
		t.Errorf("download service worker scope %q, want %q", scope, env.srv.url+"/download/")
	}
	names := eval[string](tb, `(async () => { const d = await navigator.storage.getDirectory(); const n = []; for await (const k of d.keys()) n.push(k); return n.join(" "); })()`)
	if !strings.Contains(names, "-export-") {
		t.Errorf("OPFS holds %q: no export file, so the small download did not come from disk", names)
	}
}

// A file whose name an attacker chose — quotes, a CR LF and a header after
// it, a path — streams to disk under a harmless name: the service worker
// sends the name percent-encoded (filename*=UTF-8”…), so nothing of it can
// become a header or leave the download directory.
func TestDownloadHostileName(t *testing.T) {
	hostile := "a\"b\r\nSet-Cookie: pwned=1; x=\"..\\..\\evil.bin"
	body := bytes.Repeat([]byte("hostile name "), (17<<20)/13) // streamed: at least 16 MiB
	img := imagetest.Image(t, imagetest.OCI,
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "srv/" + hostile, Body: string(body)}))
	p := savedImage(t, "hostile-download.tar", "example.com/hostile-download:1", img)
	tb, downloads := downloadTab(t, p)
	tb.showPath("hostile-download.tar", "/srv/"+url.QueryEscape(hostile))
	tb.waitAttr(pullWait, "#viewer", "data-path", "/srv/"+hostile)
	tb.click("#download")
	var got []os.DirEntry
	for deadline := time.Now().Add(pullWait); ; time.Sleep(50 * time.Millisecond) {
		got, _ = os.ReadDir(downloads)
		if len(got) == 1 && !strings.HasSuffix(got[0].Name(), ".crdownload") {
			if b, err := os.ReadFile(filepath.Join(downloads, got[0].Name())); err == nil && len(b) == len(body) {
				if !bytes.Equal(b, body) {
					t.Fatalf("the downloaded %q differs from the image's file", got[0].Name())
				}
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no whole download in %s after %v (it holds %v)", downloads, pullWait, got)
		}
	}
	if n := got[0].Name(); strings.ContainsAny(n, "/\\\r\n") || n == "evil.bin" {
		t.Errorf("the download was named %q: a path or a line break from the image's file name survived", n)
	}
	if c := eval[string](tb, `document.cookie`); c != "" {
		t.Errorf("document.cookie = %q after the download, want none", c)
	}
	if cookies := eval[string](tb, `cookieStore ? cookieStore.getAll().then(a => a.map(c => c.name).join(",")) : ""`); cookies != "" {
		t.Errorf("cookies %q after the download, want none", cookies)
	}
}

// downloadTab opens the page in a new tab whose downloads go to a
// temporary directory, which it returns, and opens the local image at p.
func downloadTab(t *testing.T, p string) (*tab, string) {
	t.Helper()
	downloads := t.TempDir()
	tb := newTab(t)
	tb.allowDownloads(downloads)
	tb.navigate(env.srv.url + "/")
	tb.waitStatus(pullWait, "idle")
	tb.choose(p)
	tb.waitStatus(pullWait, "verified")
	return tb, downloads
}

// allowDownloads makes the browser save tb's downloads into dir, under
// the names they come with.
func (tb *tab) allowDownloads(dir string) {
	tb.t.Helper()
	if _, err := chromedp.Call(tb.ctx, cdpbrowser.SetDownloadBehavior,
		cdpbrowser.SetDownloadBehaviorParams{Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir}); err != nil {
		tb.t.Fatalf("allowing downloads: %v", err)
	}
}
