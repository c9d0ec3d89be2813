package regtest

import (
	"strings"
	"testing"
)

// CheckPull checks a pull's requests against the profile: every host is
// one of the profile's, tokens were asked once for the pull scope of the
// repository with the profile's service (as user, "" for anonymous), only
// the registry saw Authorization (Bearer), and each blob came from storage
// by redirect.
func (h *Hosted) CheckPull(t testing.TB, reqs []Request, toks []TokenRequest, user string) {
	t.Helper()
	realm := ""
	if h.Realm != "" {
		realm = strings.SplitN(strings.TrimPrefix(h.Realm, "https://"), "/", 2)[0]
	}
	redirects, stored := 0, 0
	for _, r := range reqs {
		switch r.Host {
		case h.Registry, h.Front, realm, h.Storage:
		default:
			t.Errorf("request to a host outside the profile: %s", r)
		}
		switch {
		case r.Host == realm && r.Path == strings.TrimPrefix(h.Realm, "https://"+realm):
			if (user != "") != strings.HasPrefix(r.Authorization, "Basic ") {
				t.Errorf("token request with Authorization %.6q, want Basic only with credentials", r.Authorization)
			}
		case r.Host == h.Storage:
			stored++
			if r.Authorization != "" {
				t.Errorf("storage received Authorization %.6q…: %s", r.Authorization, r)
			}
			if r.Status != 200 && r.Status != 206 {
				t.Errorf("storage answered %s", r)
			}
		case r.Authorization != "" && !strings.HasPrefix(r.Authorization, "Bearer "):
			t.Errorf("registry received %.6q authorization, want Bearer tokens only: %s", r.Authorization, r)
		}
		if r.Host == h.Registry && strings.Contains(r.Path, "/blobs/") && r.Method == "GET" && h.Storage != "" {
			redirects++
			if r.Status != h.StorageCode {
				t.Errorf("blob request answered %d, want a %d redirect: %s", r.Status, h.StorageCode, r)
			}
		}
	}
	if h.Storage != "" && (redirects < 3 || stored < 3) {
		t.Errorf("%d blob redirects and %d storage requests, want the config and both layers by redirect", redirects, stored)
	}
	if h.Realm == "" {
		if len(toks) != 0 {
			t.Errorf("token requests to an anonymous registry: %v", toks)
		}
		return
	}
	scope := "repository:" + h.Prefix + h.Repo + ":pull"
	if len(toks) != 1 {
		t.Fatalf("%d token requests, want 1: %+v", len(toks), toks)
	}
	if tr := toks[0]; tr.Service != h.Service || len(tr.Scopes) != 1 || tr.Scopes[0] != scope || tr.User != user || !tr.Granted {
		t.Errorf("token request %+v, want service %q, scope %q, user %q", tr, h.Service, scope, user)
	}
}
