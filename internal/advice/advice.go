// Package advice says in one sentence what went wrong with a pull and what
// a person can do about it ("No such image: …; check the name or tag."),
// for the failures people meet most. The page shows the sentence above the
// technical detail; the CLI prints it as a `regscope:` line before the
// error. Both take it from here, so they read the same.
package advice

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"strings"
	"time"

	"github.com/regscope/regscope/pkg/registry"
	"github.com/regscope/regscope/wasm/fetch"
)

// Sentence is the sentence for err, or "" when err is not one this package
// knows how to explain (its own message is then the best there is).
func Sentence(err error) string {
	var re *registry.Error
	if err == nil || !errors.As(err, &re) {
		return ""
	}
	host, repo, ref := parts(re.URL)
	switch {
	case errors.Is(err, registry.ErrTooManyRequests):
		return rateLimited(host, re.RetryAfter)
	case errors.Is(err, registry.ErrUnauthorized), errors.Is(err, registry.ErrDenied):
		if repo == "" {
			return fmt.Sprintf("This registry needs credentials: sign in to %s.", host)
		}
		return fmt.Sprintf("This registry needs credentials: sign in to %s to pull %s (registries answer the same way for a repository that does not exist).", host, repo)
	case re.Code == "NAME_UNKNOWN" && repo != "":
		return fmt.Sprintf("No such image: %s has no repository %s; check the name.", host, repo)
	case errors.Is(err, registry.ErrManifestUnknown) && repo != "" && ref != "":
		return fmt.Sprintf("No such image: %s/%s has no tag or digest %s; check the tag.", host, repo, ref)
	case errors.Is(err, registry.ErrNotFound):
		return "No such image: check the name or tag."
	}
	return ""
}

// rateLimited is the sentence for a 429.
func rateLimited(host string, wait time.Duration) string {
	who := host + "'s rate limit reached"
	if host == "registry-1.docker.io" || host == "auth.docker.io" || host == "docker.io" {
		who = "Docker Hub rate limit reached"
	}
	if wait <= 0 {
		return who + "; try again later or sign in."
	}
	return fmt.Sprintf("%s; try again in %s or sign in.", who, Wait(wait))
}

// Wait says how long to wait, rounded up: "40 s", "4 min", "2 h".
func Wait(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(math.Ceil(d.Seconds())))
	case d < 2*time.Hour:
		return fmt.Sprintf("%d min", int(math.Ceil(d.Minutes())))
	}
	return fmt.Sprintf("%d h", int(math.Ceil(d.Hours())))
}

// parts reads the host, repository and manifest reference (tag or digest)
// from a registry API URL ("https://HOST/v2/REPO/manifests/REF"); the
// repository and reference are "" for other URLs (a token service's). A
// URL through the page's relay ("…/relay/HOST/v2/…") names HOST.
func parts(raw string) (host, repo, ref string) {
	u, err := url.Parse(raw)
	if err != nil {
		return raw, "", ""
	}
	host = u.Host
	path := u.Path
	if i := strings.Index(path, fetch.RelayPath); i >= 0 && !strings.HasPrefix(path, "/v2/") {
		// the page's request through a relay (at any base path): name the registry
		host, path, _ = strings.Cut(path[i+len(fetch.RelayPath):], "/")
		path = "/" + path
	}
	rest, ok := strings.CutPrefix(path, "/v2/")
	if !ok {
		return host, "", ""
	}
	for _, kind := range []string{"/manifests/", "/blobs/", "/tags/", "/referrers/"} {
		if i := strings.LastIndex(rest, kind); i > 0 {
			repo = rest[:i]
			if kind == "/manifests/" {
				ref = rest[i+len(kind):]
			}
			return host, repo, ref
		}
	}
	return host, "", ""
}
