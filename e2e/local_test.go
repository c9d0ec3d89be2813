//go:build !js

package e2e

import (
	"bytes"
	"encoding/base64"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/go-containerregistry/pkg/name"
	ggcr "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/tartest"
)

// localImages writes each format the page opens into dir: a docker save
// tarball (go-containerregistry's tarball.Write), and a single layer as
// .tar.gz and .tar.zst. It returns file name → what /etc/os-release holds.
func localImages(t *testing.T, dir string) map[string]string {
	img := imagetest.Image(t, imagetest.OCI,
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "etc/os-release", Body: "ID=dropped\n"}),
		imagetest.Layer(t, imagetest.Zstd, tartest.Entry{Name: "srv/data", Body: strings.Repeat("local ", 20000)}))
	var saved bytes.Buffer
	tag, _ := name.NewTag("example.com/dropped:1")
	if err := tarball.Write(tag, img, &saved); err != nil {
		t.Fatal(err)
	}
	layer := tartest.Layer(t, []tartest.Entry{{Name: "etc/os-release", Body: "ID=one-layer\n"}})
	files := map[string][]byte{"saved.tar": saved.Bytes(), "layout.tar": layoutTar(t, img),
		"rootfs.tar.gz": tartest.Gzip(t, layer), "rootfs.tar.zst": tartest.Zstd(t, layer)}
	for n, b := range files {
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return map[string]string{"saved.tar": "ID=dropped\n", "layout.tar": "ID=dropped\n", "rootfs.tar.gz": "ID=one-layer\n", "rootfs.tar.zst": "ID=one-layer\n"}
}

// layoutTar is img in an OCI image layout (go-containerregistry's
// layout.Write), as a tar.
func layoutTar(t *testing.T, img ggcr.Image) []byte {
	dir := t.TempDir()
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(img); err != nil {
		t.Fatal(err)
	}
	var entries []tartest.Entry
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		entries = append(entries, tartest.Entry{Name: filepath.ToSlash(rel), Body: string(b)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return tartest.Layer(t, entries)
}

// savedImage writes img, tagged repoTag, as a docker save tarball (go-containerregistry's
// tarball.Write) named file in a temporary directory, and returns its path.
func savedImage(t *testing.T, file, repoTag string, img ggcr.Image) string {
	t.Helper()
	var saved bytes.Buffer
	tag, err := name.NewTag(repoTag)
	if err == nil {
		err = tarball.Write(tag, img, &saved)
	}
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), file)
	if err := os.WriteFile(p, saved.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// choose picks the file at p with the page's file picker (#local-file).
func (tb *tab) choose(p string) {
	tb.t.Helper()
	run(tb, 10*time.Second, "choose "+filepath.Base(p), chromedp.SetUploadFiles(chromedp.CSS("#local-file"), []string{p}))
}

// showPath moves the page to path of the image it holds, the way back and
// forward do (no reload: a reload would lose the file).
func (tb *tab) showPath(local, path string) {
	tb.t.Helper()
	eval[bool](tb, `history.pushState(null, "", "?local=`+local+`&path=`+path+`"); dispatchEvent(new PopStateEvent("popstate")); true`)
}

// Local images chosen with the file picker: every digest and DiffID
// verified, the files, layers and config views work, the URL says
// local=NAME, Copy link explains, and no request carried the file.
func TestLocalFilePicker(t *testing.T) {
	dir := t.TempDir()
	for file, want := range localImages(t, dir) {
		t.Run(file, func(t *testing.T) {
			tb := newTab(t)
			tb.navigate(env.srv.url + "/")
			tb.waitStatus(pullWait, "idle")
			tb.choose(filepath.Join(dir, file))
			tb.waitStatus(pullWait, "verified")
			if q := tb.query(); q.Get("local") != file || q.Get("image") != "" {
				t.Errorf("URL query %v, want local=%s and no image", q, file)
			}
			tb.showPath(file, "/etc/os-release")
			if got := tb.viewerText("/etc/os-release"); got != want {
				t.Errorf("viewer shows %q, want %q", got, want)
			}
			tb.click("#tab-layers")
			tb.waitAttr(10*time.Second, "#panels", "data-view", "layers")
			wantLayers := 1
			if file == "saved.tar" || file == "layout.tar" {
				wantLayers = 2
			}
			if n := eval[int](tb, `document.querySelectorAll("#layers-table tr.layer").length`); n != wantLayers {
				t.Errorf("#layers-table has %d layer rows, want %d", n, wantLayers)
			}
			tb.click("#tab-config")
			tb.waitAttr(10*time.Second, "#panels", "data-view", "config")
			tb.click("#copy-link")
			if got := tb.text("#copy-link"); got != "A local file cannot be shared by link" {
				t.Errorf("Copy link says %q", got)
			}
			if log := env.srv.tail(400); strings.Contains(log, file) {
				t.Errorf("the server's log mentions %s: was it sent?\n%s", file, log)
			}
		})
	}
}

// A docker save tarball dropped on the page opens like a chosen one; a
// link naming a local file says plainly that it cannot carry the file.
func TestLocalFileDrop(t *testing.T) {
	dir := t.TempDir()
	localImages(t, dir)
	b, err := os.ReadFile(filepath.Join(dir, "saved.tar"))
	if err != nil {
		t.Fatal(err)
	}
	tb := newTab(t)
	tb.navigate(env.srv.url + "/")
	tb.waitStatus(pullWait, "idle")
	eval[bool](tb, `(() => {
  const bytes = Uint8Array.from(atob("`+base64.StdEncoding.EncodeToString(b)+`"), c => c.charCodeAt(0));
  const dt = new DataTransfer();
  dt.items.add(new File([bytes], "dropped.tar"));
  document.body.dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
  return true;
})()`)
	tb.waitStatus(pullWait, "verified")
	tb.showPath("dropped.tar", "/etc/os-release")
	if got := tb.viewerText("/etc/os-release"); got != "ID=dropped\n" {
		t.Errorf("viewer shows %q", got)
	}

	tb.navigate(env.srv.url + "/?local=dropped.tar&path=/etc/os-release")
	msg := waitError(t, tb, "no-image")
	want := "dropped.tar is a local file, and a link cannot carry it: drop the file on this page or choose it with “Open a file”."
	if got := tb.text("#error .err-sentence"); got != want {
		t.Errorf("#error .err-sentence = %q (all: %q), want %q", got, msg, want)
	}
}

// A local file bigger than the engine's read windows, with two layers read
// at once: every digest and DiffID checks out (a byte read from the wrong
// place would fail them) and a file stored after a layer's big one shows
// its own bytes.
func TestLocalFileWindows(t *testing.T) {
	img := imagetest.Image(t, imagetest.OCI,
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "srv/one.bin", Body: noise(9<<20, 2)}, tartest.Entry{Name: "etc/tail", Body: "after nine MiB\n"}),
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "srv/two.bin", Body: noise(9<<20, 3)}, tartest.Entry{Name: "etc/os-release", Body: "ID=windows\n"}))
	p := savedImage(t, "windows.tar", "example.com/windows:1", img)
	tb := newTab(t)
	tb.navigate(env.srv.url + "/")
	tb.waitStatus(pullWait, "idle")
	tb.choose(p)
	tb.waitStatus(pullWait, "verified")
	for path, want := range map[string]string{"/etc/tail": "after nine MiB\n", "/etc/os-release": "ID=windows\n"} {
		tb.showPath("windows.tar", path)
		if got := tb.viewerText(path); got != want {
			t.Errorf("viewer shows %q for %s, want %q", got, path, want)
		}
	}
}
