//go:build !js

package e2e

import (
	"bytes"
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/tartest"
)

// Download of a file whose contents the engine keeps on disk: the engine
// copies it into an OPFS file of its own and the page hands that File to
// the browser's download, which writes the file's exact bytes to disk.
func TestDownloadFromDisk(t *testing.T) {
	body := make([]byte, 20<<20) // bigger than one copy chunk
	x := uint32(7)
	for i := range body {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		body[i] = byte(x)
	}
	img := imagetest.Image(t, imagetest.OCI,
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "srv/weights.bin", Body: string(body)}))
	var saved bytes.Buffer
	tag, _ := name.NewTag("example.com/download:1")
	if err := tarball.Write(tag, img, &saved); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "download.tar")
	if err := os.WriteFile(p, saved.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	downloads := t.TempDir()

	tb := newTab(t)
	if _, err := chromedp.Call(tb.ctx, cdpbrowser.SetDownloadBehavior,
		cdpbrowser.SetDownloadBehaviorParams{Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads}); err != nil {
		t.Fatal(err)
	}
	tb.navigate(env.srv.url + "/")
	tb.waitStatus(pullWait, "idle")
	run(tb, 10*time.Second, "choose download.tar", chromedp.SetUploadFiles(chromedp.CSS("#local-file"), []string{p}))
	tb.waitStatus(pullWait, "verified")
	tb.showPath("download.tar", "/srv/weights.bin")
	tb.waitAttr(pullWait, "#viewer", "data-path", "/srv/weights.bin")
	tb.click("#download")

	got := filepath.Join(downloads, "weights.bin")
	var b []byte
	for deadline := time.Now().Add(pullWait); ; time.Sleep(50 * time.Millisecond) {
		if fi, err := os.Stat(got); err == nil && fi.Size() == int64(len(body)) {
			if b, err = os.ReadFile(got); err == nil {
				break
			}
		}
		if time.Now().After(deadline) {
			entries, _ := os.ReadDir(downloads)
			t.Fatalf("no downloaded weights.bin of %d bytes in %s after %v (it holds %v)", len(body), downloads, pullWait, entries)
		}
	}
	if sha256.Sum256(b) != sha256.Sum256(body) {
		t.Fatalf("the downloaded file (%d bytes) differs from the image's", len(b))
	}
	// The page was given a File on disk, not the bytes: the engine's export file is in OPFS.
	names := eval[string](tb, `(async () => { const d = await navigator.storage.getDirectory(); const n = []; for await (const k of d.keys()) n.push(k); return n.join(" "); })()`)
	if !strings.Contains(names, "-export-") {
		t.Errorf("OPFS holds %q: no export file, so the download did not come from disk", names)
	}
	if got := tb.text("#download"); got != "Download" {
		t.Errorf("the button says %q after the download, want %q", got, "Download")
	}
}
