//go:build !js

package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	ggcr "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/pagepull"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/tartest"
	"github.com/regscope/regscope/wasm/msg"
)

// codecRecorder, installed before the page's scripts, keeps the body of
// every msg.KindCodec message the engine posts in window.__codec, and every
// text #status shows in window.__statusTexts.
const codecRecorder = `(() => {
  window.__codec = [];
  window.__statusTexts = [];
  const W = window.Worker;
  window.Worker = function (...args) {
    const w = new W(...args);
    w.addEventListener("message", (e) => {
      if (e.data && e.data.kind === "codec") window.__codec.push(e.data.body);
    });
    return w;
  };
  window.Worker.prototype = W.prototype;
  const watch = () => {
    const s = document.getElementById("status");
    if (!s) return;
    const note = () => {
      const t = s.textContent;
      if (window.__statusTexts[window.__statusTexts.length - 1] !== t) window.__statusTexts.push(t);
    };
    new MutationObserver(note).observe(s, {subtree: true, childList: true, characterData: true});
  };
  document.addEventListener("DOMContentLoaded", watch);
})();`

// askEngine sends the page's engine one request and answers its envelope
// as JSON ({kind, body, data: [bytes]}).
const askEngine = `(kind, body) => new Promise((resolve) => {
  const w = globalThis.regscope.worker;
  const id = 1e9 + Math.floor(Math.random() * 1e6);
  const h = (e) => {
    const d = e.data;
    if (!d || d.id !== id || (d.kind !== "result" && d.kind !== "error")) return;
    w.removeEventListener("message", h);
    const out = {kind: d.kind, body: d.body};
    if (d.data) out.data = Array.from(new Uint8Array(d.data));
    resolve(JSON.stringify(out));
  };
  w.addEventListener("message", h);
  w.postMessage({id, kind, body: JSON.stringify(body)});
})`

// engineAnswer is askEngine's answer.
type engineAnswer struct {
	Kind string `json:"kind"`
	Body string `json:"body"`
	Data []int  `json:"data"` // bytes, as JSON numbers
}

// ask sends the page's engine a request and decodes its result into v,
// returning the bytes that came with it.
func (tb *tab) ask(kind msg.Kind, req, v any) []byte {
	tb.t.Helper()
	b, _ := json.Marshal(req)
	raw := run(tb, pullWait, "ask the engine "+string(kind), chromedp.Evaluate[string](
		fmt.Sprintf("(%s)(%q, %s)", askEngine, kind, b), chromedp.EvalAwaitPromise))
	var a engineAnswer
	if err := json.Unmarshal([]byte(raw), &a); err != nil {
		tb.t.Fatal(err)
	}
	if a.Kind != "result" {
		tb.t.Fatalf("engine %s %s: %s", kind, b, a.Body)
	}
	if err := json.Unmarshal([]byte(a.Body), v); err != nil {
		tb.t.Fatal(err)
	}
	data := make([]byte, len(a.Data))
	for i, c := range a.Data {
		data[i] = byte(c)
	}
	return data
}

// codecInfos returns the msg.CodecInfo messages the engine has posted.
func (tb *tab) codecInfos() []msg.CodecInfo {
	tb.t.Helper()
	var out []msg.CodecInfo
	for _, b := range eval[[]string](tb, `window.__codec`) {
		var c msg.CodecInfo
		if err := json.Unmarshal([]byte(b), &c); err != nil {
			tb.t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

// gzipMembersLayer is a layer whose blob is tarBytes gzip'd as two
// concatenated members, split mid-archive: valid gzip that the browser's
// DecompressionStream does not read past the first member.
func gzipMembersLayer(t *testing.T, tarBytes []byte) ggcr.Layer {
	t.Helper()
	gz := tartest.GzipMembers(t, tarBytes[:len(tarBytes)/2], tarBytes[len(tarBytes)/2:])
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(gz)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// noise is n pseudo-random bytes.
func noise(n int, seed uint64) string {
	rng := rand.New(rand.NewPCG(seed, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return string(b)
}

// TestPagePullCodecPool pulls an image in the page with SHA-256 and gzip in
// the codec workers: a layer of plain gzip, one of two concatenated gzip
// members (which DecompressionStream cannot read: the page says so and
// inflates it again with Go's reader) and a third. Every directory lists
// the same entries and every file reads the same bytes as the page's
// pipeline run natively; the engine reports its workers and the one
// fallback. Then a pull whose gzip layer is corrupted in transit withholds
// that layer's contents.
func TestPagePullCodecPool(t *testing.T) {
	t.Parallel()
	faults := &regtest.Faults{}
	host := regtest.GGCRWith(t, faults.Wrap)
	srv := startServerT(t, "--insecure-registry", host)

	text := strings.Repeat("regscope codec workers\n", 3000)
	l0 := imagetest.Layer(t, imagetest.Gzip,
		tartest.Entry{Name: "srv/a.txt", Body: "layer zero\n"},
		tartest.Entry{Name: "srv/noise.bin", Body: noise(60<<10, 1)},
		tartest.Entry{Name: "etc/os-release", Body: "ID=test\n"})
	var members []tartest.Entry
	for i := range 40 {
		members = append(members, tartest.Entry{Name: fmt.Sprintf("srv/members/f%02d.txt", i), Body: fmt.Sprintf("%d\n%s", i, text[:1000*i])})
	}
	l1 := gzipMembersLayer(t, tartest.Layer(t, members))
	l2 := imagetest.Layer(t, imagetest.Gzip,
		tartest.Entry{Name: "srv/a.txt", Body: "layer two\n"},
		tartest.Entry{Name: "srv/c.txt", Body: text})
	ref := host + "/e2e/codec:v1"
	regtest.Push(t, ref, imagetest.Image(t, imagetest.OCI, l0, l1, l2))

	native, err := pagepull.Pull(t.Context(), srv.url, ref, nil)
	if err != nil {
		t.Fatalf("native pull of %s: %v", ref, err)
	}

	tb := newTab(t)
	if _, err := chromedp.Call(tb.ctx, page.AddScriptToEvaluateOnNewDocument,
		page.AddScriptToEvaluateOnNewDocumentParams{Source: codecRecorder}); err != nil {
		t.Fatal(err)
	}
	tb.navigate(pageURL(srv, "image", ref))
	tb.waitStatus(pullWait, "verified")

	cores := eval[int](tb, `navigator.hardwareConcurrency`)
	infos := tb.codecInfos()
	if len(infos) != 1 {
		t.Fatalf("the engine posted %d codec messages for one pull, want 1: %+v", len(infos), infos)
	}
	c := infos[0]
	if want := max(1, min(cores, 4)); c.Workers != want || c.Reason != "" {
		t.Errorf("codec workers: %d (%q) on %d cores, want %d", c.Workers, c.Reason, cores, want)
	}
	// Three layers, each a blob digest and an inflate (whose worker also
	// gives the DiffID), and the config's digest; the layer that fell back
	// is hashed again and, inflated by Go, has its DiffID hashed in a
	// stream of its own.
	if c.Streams < 9 || c.Bytes == 0 || c.Fallbacks != 1 {
		t.Errorf("the codec workers ran %d streams over %d bytes with %d fallbacks, want at least 9 streams, some bytes, 1 fallback", c.Streams, c.Bytes, c.Fallbacks)
	}
	wantNote := "layer 1: the platform's gzip inflater cannot decode it (gzip: Junk found after end of compressed data.); inflating it again from its start with Go's"
	if texts := eval[[]string](tb, `window.__statusTexts`); !slices.Contains(texts, wantNote) {
		t.Errorf("#status never read %q; it read:\n%s", wantNote, strings.Join(texts, "\n"))
	}

	files := 0
	err = fs.WalkDir(native.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		abs := path.Join("/", p)
		if d.IsDir() {
			var res msg.ListResult
			tb.ask(msg.KindList, msg.ListRequest{Source: msg.Source{Dir: abs}, Limit: 1000}, &res)
			ents, err := fs.ReadDir(native.FS, p)
			if err != nil {
				return err
			}
			var got, want []string
			for _, e := range res.Entries {
				got = append(got, fmt.Sprintf("%s %s %d", e.Path, e.Type, e.Size))
			}
			for _, e := range ents {
				info, _ := e.Info()
				typ := "file"
				if e.IsDir() {
					typ = "dir"
				}
				want = append(want, fmt.Sprintf("%s %s %d", path.Join(abs, e.Name()), typ, info.Size()))
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s lists in the page:\n%s\nnatively:\n%s", abs, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			return nil
		}
		want, err := fs.ReadFile(native.FS, p)
		if err != nil {
			return err
		}
		var res msg.ReadResult
		got := tb.ask(msg.KindRead, msg.ReadRequest{Path: abs, Limit: int64(len(want))}, &res)
		if !bytes.Equal(got, want) {
			t.Errorf("%s reads %d bytes in the page, %d natively (equal: false)", abs, len(got), len(want))
		}
		files++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files != 44 {
		t.Errorf("compared %d files, want 44", files)
	}

	// A gzip layer corrupted in transit: its contents never show.
	const secretBody = "THIS TEXT COMES FROM THE CORRUPTED LAYER AND MUST NEVER BE SHOWN\n"
	bad := imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "srv/secret.txt", Body: strings.Repeat(secretBody, 2000)})
	d, err := bad.Digest()
	if err != nil {
		t.Fatal(err)
	}
	badRef := host + "/e2e/codec-corrupt:v1"
	regtest.Push(t, badRef, imagetest.Image(t, imagetest.OCI, l0, bad))
	faults.Add(regtest.Fault{Kind: regtest.Corrupt, Path: regtest.BlobPath(digestOf(d)), Method: "GET", Offset: 200})
	tb.navigate(pageURL(srv, "image", badRef, "path", "/srv/secret.txt"))
	tb.waitFn(pullWait, "the pull's error", `() => {
  const e = document.querySelector("#error");
  return e && !e.hidden && e.dataset.kind ? "ok" : "";
}`)
	if kind, text := tb.attr("#error", "data-kind"), tb.text("#error"); kind != "digest" ||
		!strings.HasPrefix(text, "Digest mismatch for blob "+d.String()+": expected "+d.String()+", got sha256:") ||
		!strings.HasSuffix(text, ". The content is withheld.") {
		t.Errorf("#error[data-kind=%s] reads %q, want a digest mismatch of %s, its content withheld", kind, text, d)
	}
	if st := tb.attr("#status", "data-state"); st == "verified" {
		t.Errorf("#status[data-state] = %q after a corrupted layer", st)
	}
	if n := eval[int](tb, `document.querySelectorAll('#tree .row[data-path="/srv/secret.txt"]').length`); n != 0 {
		t.Error("the tree lists /srv/secret.txt from the corrupted layer")
	}
	if body := eval[string](tb, `document.body.innerText`); strings.Contains(body, "CORRUPTED LAYER") {
		t.Errorf("the page shows the corrupted layer's content:\n%s", body)
	}
	infos = tb.codecInfos()
	if len(infos) != 1 || infos[0].Workers == 0 {
		t.Errorf("codec messages of the corrupted pull: %+v, want one with workers", infos)
	}
}

// TestCodecWorkersStaticSite opens the page as `regscope site` writes it,
// served by a plain file server under a sub-path: the engine finds
// codec.js beside its own script and runs its codec workers. With codec.js
// gone, the engine says it hashes and inflates in Go, reports no workers,
// and still pulls and verifies the image.
func TestCodecWorkersStaticSite(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "site")
	writeSite(t, dir)
	for _, f := range []string{"codec.js", "vendor/hash-wasm/sha256.umd.min.js", "vendor/hash-wasm/LICENSE"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("the site lacks %s: %v", f, err)
		}
	}
	s := httptest.NewServer(http.StripPrefix("/sub", http.FileServer(http.Dir(dir))))
	t.Cleanup(s.Close)
	cors := regtest.StartDistributionCORS(t, s.URL)
	ref := cors.Host + "/static/codec:1"
	regtest.Push(t, ref, imagetest.Image(t, imagetest.OCI,
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "etc/os-release", Body: "ID=codec\n"})))
	open := func() (*tab, msg.CodecInfo, []string) {
		tb := newTab(t)
		if _, err := chromedp.Call(tb.ctx, page.AddScriptToEvaluateOnNewDocument,
			page.AddScriptToEvaluateOnNewDocumentParams{Source: codecRecorder}); err != nil {
			t.Fatal(err)
		}
		tb.navigate(s.URL + "/sub/?" + url.Values{"image": {ref}, "path": {"/etc/os-release"}}.Encode())
		tb.waitStatus(pullWait, "verified")
		if got := tb.viewerText("/etc/os-release"); got != "ID=codec\n" {
			t.Errorf("viewer shows %q", got)
		}
		infos := tb.codecInfos()
		if len(infos) != 1 {
			t.Fatalf("the engine posted %d codec messages for one pull, want 1: %+v", len(infos), infos)
		}
		return tb, infos[0], eval[[]string](tb, `window.__statusTexts`)
	}

	tb, c, _ := open()
	cores := eval[int](tb, `navigator.hardwareConcurrency`)
	if want := max(1, min(cores, 4)); c.Workers != want || c.Streams == 0 {
		t.Errorf("codec workers under /sub/: %+v, want %d workers that ran streams", c, want)
	}

	if err := os.Remove(filepath.Join(dir, "codec.js")); err != nil {
		t.Fatal(err)
	}
	_, c, texts := open()
	reason := "codec workers: " + s.URL + "/sub/codec.js did not start (not found, or refused)"
	if c.Workers != 0 || c.Reason != reason || c.Streams != 0 {
		t.Errorf("without codec.js the engine reports %+v, want no workers, reason %q", c, reason)
	}
	want := "SHA-256 and gzip run in Go on the engine's thread (" + reason + ")"
	if !slices.Contains(texts, want) {
		t.Errorf("#status never read %q; it read:\n%s", want, strings.Join(texts, "\n"))
	}
}
