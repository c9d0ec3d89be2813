//go:build !js

package cli

import (
	"context"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/tartest"
)

// Pulls through the CLI from each public registry's profile, served under
// its real host names over TLS (regtest.World): the right token scope and
// service asked for, Authorization only to the registry (never to the
// storage a blob is redirected to), and the refusals people meet explained.

// runIn runs a CLI command as run does, reaching registries in w.
func runIn(t *testing.T, w *regtest.World, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runCtx(t, WithTransport(context.Background(), w.Transport()), env, args...)
}

// profileImage is a two-layer image (gzip and zstd) for profile tests.
func profileImage(t *testing.T) v1.Image {
	return imagetest.Image(t, imagetest.OCI,
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "etc/os-release", Body: "ID=profile\n"}),
		imagetest.Layer(t, imagetest.Zstd, tartest.Entry{Name: "app/data", Body: strings.Repeat("regscope ", 10_000)}))
}

// lastLine is the last line of s.
func lastLine(s string) string { return lastLines(s, 1) }

// lastLines is the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// since returns w's requests after the first n.
func since(w *regtest.World, n int) []regtest.Request { return w.Requests()[n:] }

func TestProfilesCLI(t *testing.T) {
	w := regtest.NewWorld(t)
	for _, p := range regtest.Profiles() {
		t.Run(p.Name, func(t *testing.T) {
			h := regtest.StartProfile(t, w, p)
			ref := h.Push(t, "1", profileImage(t))
			mark, marked := len(w.Requests()), len(h.TokenRequests())
			code, out, errs := runIn(t, w, nil, "cat", ref, "/etc/os-release")
			if code != 0 || out != "ID=profile\n" {
				t.Fatalf("exit %d, %q\nstderr:\n%s", code, out, errs)
			}
			h.CheckPull(t, since(w, mark), h.TokenRequests()[marked:], "")
		})
	}
}

// profile returns the profile named name.
func profile(t *testing.T, name string) regtest.Profile {
	for _, p := range regtest.Profiles() {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no profile %q", name)
	return regtest.Profile{}
}

// A private image on GHCR and Docker Hub: anonymously, the registry's 401
// with what to do about it; with credentials, a pull whose token request
// carried them as Basic to the realm only.
func TestProfilesPrivate(t *testing.T) {
	w := regtest.NewWorld(t)
	for _, name := range []string{"GitHub Container Registry", "Docker Hub"} {
		t.Run(name, func(t *testing.T) {
			h := regtest.StartProfile(t, w, profile(t, name))
			repo := strings.Split(h.Repo, "/")[0] + "/secret"
			h.MakePrivate(repo)
			ref := h.PushTo(t, repo, "1", profileImage(t))
			code, _, errs := runIn(t, w, nil, "pull", ref)
			want := "regscope: This registry needs credentials: sign in to " + h.Registry + " to pull " + repo +
				" (registries answer the same way for a repository that does not exist).\n" +
				"regscope: pull " + ref + ": GET https://" + h.Registry + "/v2/" + repo + "/manifests/1: 401 Unauthorized: UNAUTHORIZED: authentication required"
			if code != 1 || lastLines(errs, 2) != want {
				t.Errorf("anonymous: exit %d, last lines\n%s\nwant\n%s", code, lastLines(errs, 2), want)
			}
			mark, marked := len(w.Requests()), len(h.TokenRequests())
			code, out, errs := runIn(t, w, nil, "pull", "-u", regtest.User, "-p", regtest.Password, ref)
			if code != 0 || !strings.Contains(out, "digests verified (") {
				t.Fatalf("with credentials: exit %d\n%s", code, errs)
			}
			h.Repo = repo
			h.CheckPull(t, since(w, mark), h.TokenRequests()[marked:], regtest.User)
			noLeak(t, "stderr", errs, secrets(regtest.Password, h.TokenRequests()[marked].Token))
		})
	}
}

// Docker Hub's pull quota: a low one is shown; a used-up one fails at the
// first manifest request (not retried: the window is hours) with Hub's
// message, the quota and what to do.
func TestProfilesDockerHubRateLimit(t *testing.T) {
	w := regtest.NewWorld(t)
	h := regtest.StartProfile(t, w, profile(t, "Docker Hub"))
	ref := h.Push(t, "1", profileImage(t))

	h.SetRemaining(100)
	code, _, errs := runIn(t, w, nil, "pull", ref)
	if code != 0 || strings.Contains(errs, "pulls left") {
		t.Errorf("99 of 100 left: exit %d, stderr mentions the quota:\n%s", code, errs)
	}
	h.SetRemaining(3)
	code, _, errs = runIn(t, w, nil, "pull", ref)
	if code != 0 || !strings.Contains(errs, "\ndocker.io: 2 of 100 pulls left per 6h\n") {
		t.Errorf("2 left: exit %d, want the line %q in stderr:\n%s", code, "docker.io: 2 of 100 pulls left per 6h", errs)
	}
	h.SetRemaining(0)
	mark := len(w.Requests())
	code, _, errs = runIn(t, w, nil, "pull", ref)
	want := "regscope: Docker Hub rate limit reached; try again later or sign in.\n" +
		"regscope: pull " + ref + ": GET https://registry-1.docker.io/v2/library/app/manifests/1: 429 Too Many Requests: TOOMANYREQUESTS: " +
		"You have reached your unauthenticated pull rate limit. https://www.docker.com/increase-rate-limit (0 of 100 pulls left per 6h)"
	if code != 1 || lastLines(errs, 2) != want {
		t.Errorf("none left: exit %d, last lines\n%s\nwant\n%s", code, lastLines(errs, 2), want)
	}
	manifests := 0
	for _, r := range since(w, mark) {
		if r.Method == "GET" && strings.Contains(r.Path, "/manifests/") {
			manifests++
		}
	}
	if manifests != 1 {
		t.Errorf("%d manifest GETs with none left, want 1 (no retries)", manifests)
	}
}

// An expired signed storage URL fails the pull with the storage's own
// reason, naming the storage host and the blob, without the signature.
func TestProfilesExpiredStorageURL(t *testing.T) {
	w := regtest.NewWorld(t)
	h := regtest.StartProfile(t, w, profile(t, "Docker Hub"))
	ref := h.Push(t, "1", profileImage(t))
	h.URLLifetime.Store(-60)
	code, _, errs := runIn(t, w, nil, "pull", ref)
	last := lastLine(errs)
	if code != 1 || !strings.Contains(last, ": GET https://production.cloudflare.docker.com/registry-1-docker-io-blobs/library/app/blobs/sha256:") ||
		!strings.HasSuffix(last, ": 403 Forbidden: AccessDenied: Request has expired") || strings.Contains(last, "X-Signature") {
		t.Errorf("exit %d, last line:\n%s", code, last)
	}
}

// With the blob cache, pulling a Docker Hub image again asks only a HEAD
// for the tag (which Hub does not count as a pull) and reads the manifest,
// config and layers from the cache; when the tag moves, the new manifest
// is fetched.
func TestProfilesDockerHubCachedPull(t *testing.T) {
	w := regtest.NewWorld(t)
	h := regtest.StartProfile(t, w, profile(t, "Docker Hub"))
	ref := h.Push(t, "1", profileImage(t))
	env := map[string]string{"XDG_CACHE_HOME": t.TempDir()}
	if code, _, errs := runIn(t, w, env, "pull", ref); code != 0 {
		t.Fatalf("first pull: exit %d\n%s", code, errs)
	}
	h.SetRemaining(10)
	mark := len(w.Requests())
	code, out, errs := runIn(t, w, env, "cat", ref, "/etc/os-release")
	if code != 0 || out != "ID=profile\n" {
		t.Fatalf("second pull: exit %d, %q\n%s", code, out, errs)
	}
	var seen []string
	for _, r := range since(w, mark) {
		if strings.Contains(r.Path, "/manifests/") || strings.Contains(r.Path, "/blobs/") {
			seen = append(seen, r.Method+" "+r.Host+r.Path)
		}
	}
	if want := []string{"HEAD registry-1.docker.io/v2/library/app/manifests/1"}; strings.Join(seen, "|") != strings.Join(want, "|") {
		t.Errorf("second pull sent %q, want only %q", seen, want)
	}
	if !strings.Contains(errs, "\ndocker.io: 10 of 100 pulls left per 6h\n") {
		t.Errorf("the HEAD's quota (10 left, none spent) not shown:\n%s", errs)
	}

	moved := imagetest.Image(t, imagetest.OCI, imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "etc/os-release", Body: "ID=moved\n"}))
	h.Push(t, "1", moved)
	mark = len(w.Requests())
	code, out, errs = runIn(t, w, env, "cat", ref, "/etc/os-release")
	if code != 0 || out != "ID=moved\n" {
		t.Fatalf("after the tag moved: exit %d, %q\n%s", code, out, errs)
	}
	gets := 0
	for _, r := range since(w, mark) {
		if r.Method == "GET" && strings.Contains(r.Path, "/manifests/1") {
			gets++
		}
	}
	if gets != 1 {
		t.Errorf("after the tag moved: %d manifest GETs, want 1", gets)
	}
}
