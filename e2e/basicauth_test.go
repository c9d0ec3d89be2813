package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/regscope/regscope/internal/regtest"
)

// TestRelayBasicAuth pulls, through the relay, from Distribution with
// htpasswd (Basic) authentication. A 401 carrying a Basic challenge makes a
// browser open its own login prompt, which holds the page's request until
// someone dismisses it; the relay hands the challenge over under another
// name, so the page's credentials form asks instead, and the pull completes
// with the credentials typed there.
func TestRelayBasicAuth(t *testing.T) {
	t.Parallel()
	const body = "pulled with Basic credentials through the relay\n"
	reg := regtest.StartDistribution(t, regtest.Htpasswd)
	ref := reg.Host + "/e2e/basic:v1"
	regtest.Push(t, ref, smallImage(t, "srv/basic.txt", body))
	srv := startServerT(t, "--insecure-registry", reg.Host)

	tb := newTab(t)
	tb.navigate(pageURL(srv, "image", ref, "path", "/srv/basic.txt"))
	tb.waitAttr(30*time.Second, "#error", "data-kind", "unauthorized")
	tb.waitFn(10*time.Second, "the credentials form", `() => { const f = document.querySelector("#cred-form"); return f && !f.hidden ? "ok" : ""; }`)
	if host := tb.attr("#cred-form", "data-host"); host != reg.Host {
		t.Errorf("#cred-form[data-host] = %q, want %s", host, reg.Host)
	}
	tb.signIn()
	tb.waitStatus(pullWait, "verified")
	if got := tb.viewerText("/srv/basic.txt"); got != body {
		t.Errorf("viewer shows %q, want %q", got, body)
	}
	if strings.Contains(srv.log.String(), regtest.Password) {
		t.Error("the server's log contains the password")
	}
}
