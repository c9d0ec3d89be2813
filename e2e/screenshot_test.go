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

// TestScreenshot takes the pictures of the page in the docs: every view
// (pageViews, otherViews) at phone and desktop width, light and dark, as
// docs/screenshots/VIEW-SIZE-SCHEME.png, and the README's picture,
// docs/screenshot.png (the files view of the showcase image with
// /app/README.md open, 1400×900, light). It writes into docs/ only when
// REGSCOPE_SCREENSHOT=1, so that test runs leave the tree clean (then from a
// server on 127.0.0.1:8080, which must be free); otherwise the pictures go
// to the test's artifact directory.
func TestScreenshot(t *testing.T) {
	t.Parallel()
	write := os.Getenv("REGSCOPE_SCREENSHOT") == "1"
	srv := env.srv
	dir := t.ArtifactDir()
	if write {
		// The address `go run .` prints, so the pictures show what a reader will see.
		srv = startServerT(t, "--addr", "127.0.0.1:8080")
		dir = filepath.Join(env.root, "docs", "screenshots")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, vp := range []viewport{viewports[0], viewports[2]} {
		for _, scheme := range []string{"light", "dark"} {
			t.Run(vp.name+"-"+scheme, func(t *testing.T) {
				tb := newTab(t)
				tb.resize(vp)
				tb.setScheme(scheme)
				for _, v := range append(append([]pageView{}, pageViews...), otherViews...) {
					v.open(tb, srv)
					shot := tb.shoot(vp)
					out := filepath.Join(dir, v.name+"-"+vp.name+"-"+scheme+".png")
					if err := os.WriteFile(out, shot, 0o644); err != nil {
						t.Fatal(err)
					}
					if v.name == "files" && vp.name == "desktop" && scheme == "light" && write {
						if err := os.WriteFile(filepath.Join(env.root, "docs", "screenshot.png"), shot, 0o644); err != nil {
							t.Fatal(err)
						}
					}
				}
			})
		}
	}
}

// shoot takes a picture of the tab, once it is at rest, and checks it is a
// PNG of the viewport's size.
func (tb *tab) shoot(vp viewport) []byte {
	tb.t.Helper()
	tb.settle()
	shot := run(tb, 30*time.Second, "screenshot", chromedp.CaptureScreenshot())
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		tb.t.Fatalf("the screenshot is not a PNG: %v", err)
	}
	if b := img.Bounds(); int64(b.Dx()) != vp.w || int64(b.Dy()) != vp.h {
		tb.t.Errorf("the screenshot is %dx%d, want %dx%d", b.Dx(), b.Dy(), vp.w, vp.h)
	}
	return shot
}
