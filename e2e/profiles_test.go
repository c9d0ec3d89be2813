//go:build !js

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/tartest"
)

// statusRecorder keeps every text #status shows in window.statusSeen, so a
// test can see a transient message (a low rate limit) after the fact.
const statusRecorder = `window.statusSeen = [];
new MutationObserver(() => {
  const s = document.getElementById("status");
  const t = s && s.textContent;
  if (t && window.statusSeen[window.statusSeen.length - 1] !== t) window.statusSeen.push(t);
}).observe(document, {subtree: true, childList: true, characterData: true});`

// worldServer starts a server whose relay reaches w's hosts: each pinned
// to its loopback address with --resolve and allowed there with
// --allow-host, and w's CA trusted with --registry-ca.
func worldServer(t *testing.T, w *regtest.World) *server {
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, w.CAPEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"--registry-ca", ca}
	for _, h := range w.Hosts() {
		args = append(args, "--resolve", h+"="+w.Addr(h).String(), "--allow-host", h)
	}
	return startServerT(t, args...)
}

// The page pulls from every public registry's profile through the relay:
// the file shown is the image's, every digest verified, with the same
// token scope, the same Authorization discipline (none to storage) and
// the same hosts as a native pull; Docker Hub's low quota is shown.
func TestProfilesPage(t *testing.T) {
	w := regtest.NewWorld(t)
	img := imagetest.Image(t, imagetest.OCI,
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "etc/os-release", Body: "ID=profile\n"}),
		imagetest.Layer(t, imagetest.Zstd, tartest.Entry{Name: "app/data", Body: strings.Repeat("regscope ", 10_000)}))
	var hosted []*regtest.Hosted
	var refs []string
	for _, p := range regtest.Profiles() {
		h := regtest.StartProfile(t, w, p)
		hosted, refs = append(hosted, h), append(refs, h.Push(t, "1", img))
	}
	srv := worldServer(t, w)
	for i, h := range hosted {
		t.Run(h.Name, func(t *testing.T) {
			if h.RateLimit > 0 {
				h.SetRemaining(4)
			}
			mark, marked := len(w.Requests()), len(h.TokenRequests())
			tb := newTab(t)
			if _, err := chromedp.Call(tb.ctx, page.AddScriptToEvaluateOnNewDocument,
				page.AddScriptToEvaluateOnNewDocumentParams{Source: statusRecorder}); err != nil {
				t.Fatal(err)
			}
			tb.navigate(pageURL(srv, "image", refs[i], "path", "/etc/os-release"))
			tb.waitStatus(pullWait, "verified")
			if got := tb.viewerText("/etc/os-release"); got != "ID=profile\n" {
				t.Errorf("viewer shows %q", got)
			}
			h.CheckPull(t, w.Requests()[mark:], h.TokenRequests()[marked:], "")
			if h.RateLimit > 0 {
				seen := eval[[]string](tb, "window.statusSeen")
				want := "docker.io: 3 of 100 pulls left per 6h"
				found := false
				for _, s := range seen {
					found = found || strings.Contains(s, want)
				}
				if !found {
					t.Errorf("#status never showed %q; it showed %q", want, seen)
				}
			}
		})
	}

	hub, ghcr := hosted[0], hosted[1]
	t.Run("private image on GHCR: credentials form, then Basic to the realm only", func(t *testing.T) {
		ghcr.MakePrivate("regscope/secret")
		ref := ghcr.PushTo(t, "regscope/secret", "1", img)
		tb := newTab(t)
		// The public GHCR pull above kept these very blobs in the page's
		// verified cache; this pull is about the registry's traffic, so it
		// starts without them.
		tb.clearPageCache(srv)
		tb.navigate(pageURL(srv, "image", ref, "path", "/etc/os-release"))
		waitError(t, tb, "unauthorized")
		if got, want := tb.text("#error .err-sentence"), "This registry needs credentials: sign in to ghcr.io to pull regscope/secret (registries answer the same way for a repository that does not exist)."; got != want {
			t.Errorf("#error says\n%q\nwant\n%q", got, want)
		}
		if host := tb.attr("#cred-form", "data-host"); host != "ghcr.io" {
			t.Errorf("#cred-form[data-host] = %q, want ghcr.io", host)
		}
		mark, marked := len(w.Requests()), len(ghcr.TokenRequests())
		tb.signIn()
		tb.waitStatus(pullWait, "verified")
		if got := tb.viewerText("/etc/os-release"); got != "ID=profile\n" {
			t.Errorf("viewer shows %q", got)
		}
		repo := ghcr.Repo
		ghcr.Repo = "regscope/secret" // what CheckPull expects the token scope for
		defer func() { ghcr.Repo = repo }()
		ghcr.CheckPull(t, w.Requests()[mark:], ghcr.TokenRequests()[marked:], regtest.User)
	})
	t.Run("Docker Hub quota used up: rate-limited, one manifest GET", func(t *testing.T) {
		hub.SetRemaining(0)
		mark := len(w.Requests())
		tb := newTab(t)
		tb.navigate(pageURL(srv, "image", refs[0], "path", "/etc/os-release"))
		waitError(t, tb, "rate-limited")
		if got, want := tb.text("#error .err-sentence"), "Docker Hub rate limit reached; try again later or sign in."; got != want {
			t.Errorf("#error says %q, want %q", got, want)
		}
		gets := 0
		for _, r := range w.Requests()[mark:] {
			if r.Method == "GET" && strings.Contains(r.Path, "/manifests/") {
				gets++
			}
		}
		if gets != 1 {
			t.Errorf("%d manifest GETs with none left, want 1 (no retries)", gets)
		}
	})
}
