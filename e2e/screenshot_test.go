//go:build !js

package e2e

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestScreenshot takes the picture of the page shown in the README: the
// files view of the showcase image with /app/README.md open, 1400×900. It
// writes docs/screenshot.png only when REGSCOPE_SCREENSHOT=1, so that test
// runs leave the tree clean (then from a server on 127.0.0.1:8080, which
// must be free); otherwise the picture goes to the test's artifact directory.
func TestScreenshot(t *testing.T) {
	t.Parallel()
	write := os.Getenv("REGSCOPE_SCREENSHOT") == "1"
	srv := env.srv
	if write {
		// The address `go run .` prints, so the picture shows what a reader will see.
		srv = startServerT(t, "--addr", "127.0.0.1:8080")
	}
	tb := newTab(t)
	tb.navigate(pageURL(srv, "image", showcase(srv), "path", "/app/README.md"))
	tb.waitStatus(pullWait, "verified")
	tb.viewerText("/app/README.md")
	tb.waitSel(10*time.Second, `#tree .row.sel[data-path="/app/README.md"]`)
	// Let fonts and the virtual list settle: wait for two animation frames.
	eval[chromedp.Void](tb, `new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))`)
	eval[chromedp.Void](tb, `document.fonts ? document.fonts.ready.then(() => true) : true`)
	shot := run(tb, 30*time.Second, "screenshot", chromedp.CaptureScreenshot())

	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("the screenshot is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != viewportW || b.Dy() != viewportH {
		t.Errorf("the screenshot is %dx%d, want %dx%d", b.Dx(), b.Dy(), viewportW, viewportH)
	}
	out := filepath.Join(t.ArtifactDir(), "screenshot.png")
	if write {
		out = filepath.Join(env.root, "docs", "screenshot.png")
	}
	if err := os.WriteFile(out, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d bytes)", out, len(shot))
}
