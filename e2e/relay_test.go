//go:build !js

package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/opencontainers/go-digest"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/tartest"
)

// relayFixture is a server whose relay may reach a few loopback registries,
// and those registries.
type relayFixture struct {
	srv      *server
	plain    string            // ggcr's registry, no auth, allowed (--insecure-registry)
	redirect string            // ggcr's registry that redirects /v2/redirect-*/ elsewhere, allowed
	other    string            // a loopback host:port nobody allowed
	token    *regtest.Registry // Distribution with Bearer tokens, allowed (and its realm on localhost)
	corrupt  string            // ggcr's registry behind faults, allowed
	faults   *regtest.Faults
}

// newRelayFixture starts the registries, then one server allowing them.
func newRelayFixture(t *testing.T) *relayFixture {
	t.Helper()
	if _, err := os.Stat(regtest.DistributionBinary); err != nil {
		t.Fatalf("%s missing: install it with `apt-get install -y docker-registry` (%v)", regtest.DistributionBinary, err)
	}
	f := &relayFixture{faults: &regtest.Faults{}}
	f.other = regtest.GGCR(t)
	f.plain = regtest.GGCR(t)
	f.redirect = regtest.GGCRWith(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			to := map[string]string{
				"/v2/redirect-https/": "https://" + f.other + "/v2/", // allowed scheme, loopback address not allowed
				"/v2/redirect-http/":  "http://" + f.other + "/v2/",  // plain http to a host not named insecure
				"/v2/redirect-local/": "https://localhost:" + port(f.other) + "/v2/",
				"/v2/redirect-self/":  "/v2/", // the control: a redirect that stays on the allowed host
			}[r.URL.Path]
			if to != "" {
				http.Redirect(w, r, to, http.StatusTemporaryRedirect)
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	f.token = regtest.StartDistribution(t, regtest.Token)
	f.corrupt = regtest.GGCRWith(t, f.faults.Wrap)
	realm := strings.TrimPrefix(f.token.Issuer.URL, "http://")
	realm = realm[:strings.IndexByte(realm, '/')]
	f.srv = startServerT(t,
		"--insecure-registry", f.plain,
		"--insecure-registry", f.redirect,
		"--insecure-registry", f.token.Host,
		"--insecure-registry", realm,
		"--insecure-registry", f.corrupt)
	return f
}

// port is the port of a "host:port".
func port(hostport string) string { return hostport[strings.LastIndexByte(hostport, ':')+1:] }

// smallImage is a one-layer image with the text files given as name, body pairs.
func smallImage(t testing.TB, files ...string) v1.Image {
	t.Helper()
	var entries []tartest.Entry
	for i := 0; i+1 < len(files); i += 2 {
		entries = append(entries, tartest.Entry{Name: files[i], Body: files[i+1]})
	}
	return imagetest.Image(t, imagetest.OCI, imagetest.Layer(t, imagetest.Gzip, entries...))
}

// relayAnswer is what the relay said to a plain HTTP request.
type relayAnswer struct {
	status int
	ctype  string
	body   string
	marked string // the X-Regscope-Relay-Error header marking the server's own refusals
}

func request(t testing.TB, method, url string) relayAnswer {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return relayAnswer{resp.StatusCode, resp.Header.Get("Content-Type"), string(b), resp.Header.Get("X-Regscope-Relay-Error")}
}

// refusal checks that a is a refusal by the relay itself: status, the
// X-Regscope-Relay-Error mark, and a JSON body that is exactly
// {"error": "…"} mentioning each of mention.
func (a relayAnswer) refusal(t testing.TB, what string, status int, mention ...string) {
	t.Helper()
	if a.marked != "1" {
		t.Errorf("%s: X-Regscope-Relay-Error %q, want 1 (the relay's own refusal)", what, a.marked)
	}
	if a.status != status {
		t.Errorf("%s: status %d, want %d (body %q)", what, a.status, status, a.body)
		return
	}
	var body map[string]string
	if err := json.Unmarshal([]byte(a.body), &body); err != nil || len(body) != 1 || body["error"] == "" {
		t.Errorf("%s: body %q (%s), want exactly {\"error\": \"…\"}", what, a.body, a.ctype)
		return
	}
	for _, m := range mention {
		if !strings.Contains(body["error"], m) {
			t.Errorf("%s: error %q does not mention %q", what, body["error"], m)
		}
	}
}

// TestRelay runs the relay through its rules with plain HTTP requests, then
// pulls through it in the browser: a plain registry, a registry with Bearer
// tokens (anonymous, then with credentials typed into the page), and a
// registry that corrupts a blob.
func TestRelay(t *testing.T) {
	t.Parallel()
	f := newRelayFixture(t)
	t.Run("refusals", func(t *testing.T) { testRelayRefusals(t, f) })
	t.Run("plain", func(t *testing.T) { testRelayPlain(t, f) })
	t.Run("token-anonymous", func(t *testing.T) { testRelayTokenAnonymous(t, f) })
	t.Run("token-credentials", func(t *testing.T) { testRelayTokenCredentials(t, f) })
	t.Run("corrupt-blob", func(t *testing.T) { testRelayCorruptBlob(t, f) })
}

func testRelayRefusals(t *testing.T, f *relayFixture) {
	relay := f.srv.url + "/relay/"
	// Controls: what the refusals below are refusals of works when allowed.
	if a := request(t, "GET", relay+f.plain+"/v2/"); a.status != http.StatusOK {
		t.Fatalf("GET /relay/%s/v2/ (allowed): %d %q, want 200", f.plain, a.status, a.body)
	}
	if a := request(t, "GET", relay+f.redirect+"/v2/redirect-self/"); a.status != http.StatusOK {
		t.Errorf("a redirect within the allowed %s: %d %q, want 200", f.redirect, a.status, a.body)
	}

	// Loopback is refused by default: the shared server allows nothing.
	request(t, "GET", env.srv.url+"/relay/"+f.plain+"/v2/").refusal(t, "loopback, not allowed", http.StatusForbidden)
	request(t, "GET", env.srv.url+"/relay/127.0.0.1:1/v2/").refusal(t, "loopback port 1, not allowed", http.StatusForbidden)
	// The exact host:port is what is allowed: localhost at the same port is not.
	request(t, "GET", relay+"localhost:"+port(f.plain)+"/v2/").refusal(t, "localhost", http.StatusForbidden)
	request(t, "GET", relay+"localhost/v2/").refusal(t, "localhost without a port", http.StatusForbidden)
	// Redirects from an allowed registry are checked hop by hop.
	request(t, "GET", relay+f.redirect+"/v2/redirect-https/").refusal(t, "redirect to a loopback address not allowed", http.StatusForbidden)
	request(t, "GET", relay+f.redirect+"/v2/redirect-local/").refusal(t, "redirect to localhost", http.StatusForbidden)
	request(t, "GET", relay+f.redirect+"/v2/redirect-http/").refusal(t, "redirect to plain http on a host not allowed", http.StatusForbidden)
	// Only registry API paths, even on an allowed host.
	request(t, "GET", relay+f.plain+"/etc/passwd").refusal(t, "non-registry path", http.StatusForbidden, "/etc/passwd")
	request(t, "GET", relay+f.plain+"/token?scope=x").refusal(t, "a token realm nobody announced", http.StatusForbidden)
	// Reads only.
	for _, m := range []string{"POST", "PUT", "DELETE", "PATCH"} {
		request(t, m, relay+f.plain+"/v2/").refusal(t, m, http.StatusMethodNotAllowed, m)
	}
}

// pullInPage opens ref in a new tab with path, waits for every digest to be
// verified and checks the file's text.
func pullInPage(t *testing.T, s *server, ref, path, want string) *tab {
	t.Helper()
	tb := newTab(t)
	tb.navigate(pageURL(s, "image", ref, "path", path))
	tb.waitStatus(pullWait, "verified")
	if got := tb.viewerText(path); got != want {
		t.Errorf("%s %s: viewer shows %q, want %q", ref, path, got, want)
	}
	return tb
}

// relayed reports whether the server's log shows a relayed GET to host.
func relayed(s *server, host string) bool {
	return strings.Contains(s.log.String(), "relay GET "+host+" /v2/")
}

func testRelayPlain(t *testing.T, f *relayFixture) {
	const body = "pulled through the relay from a second registry\n"
	ref := f.plain + "/e2e/plain:v1"
	regtest.Push(t, ref, smallImage(t, "srv/hello.txt", body))
	pullInPage(t, f.srv, ref, "/srv/hello.txt", body)
	if !relayed(f.srv, f.plain) {
		t.Errorf("the server's log shows no relayed request to %s", f.plain)
	}
}

func testRelayTokenAnonymous(t *testing.T, f *relayFixture) {
	const body = "pulled with an anonymous Bearer token\n"
	ref := f.token.Host + "/e2e/anon:v1"
	regtest.Push(t, ref, smallImage(t, "srv/anon.txt", body))
	f.token.Issuer.AnonymousPull.Store(true)
	defer f.token.Issuer.AnonymousPull.Store(false)
	before := len(f.token.Issuer.Requests())
	pullInPage(t, f.srv, ref, "/srv/anon.txt", body)
	var anon bool
	for _, r := range f.token.Issuer.Requests()[before:] {
		if r.User == "" && r.Granted && strings.Contains(strings.Join(r.Scopes, " "), "repository:e2e/anon:pull") {
			anon = true
		}
	}
	if !anon {
		t.Errorf("the token issuer granted no anonymous token for repository:e2e/anon:pull: %+v", f.token.Issuer.Requests()[before:])
	}
	realm := strings.TrimPrefix(f.token.Issuer.URL, "http://")
	realmHost, realmPath, _ := strings.Cut(realm, "/")
	if !strings.Contains(f.srv.log.String(), "relay GET "+realmHost+" /"+realmPath+" 200") {
		t.Errorf("the server's log shows no relayed token request to %s", f.token.Issuer.URL)
	}
}

func testRelayTokenCredentials(t *testing.T, f *relayFixture) {
	const body = "pulled with alice's Bearer token\n"
	ref := f.token.Host + "/e2e/private:v1"
	regtest.Push(t, ref, smallImage(t, "srv/private.txt", body))
	before := len(f.token.Issuer.Requests())

	tb := newTab(t)
	tb.navigate(pageURL(f.srv, "image", ref, "path", "/srv/private.txt"))
	tb.waitAttr(pullWait, "#error", "data-kind", "unauthorized")
	tb.waitFn(10*time.Second, "the credentials form", `() => { const f = document.querySelector("#cred-form"); return f && !f.hidden ? "ok" : ""; }`)
	if host := tb.attr("#cred-form", "data-host"); host != f.token.Host {
		t.Errorf("#cred-form[data-host] = %q, want %s", host, f.token.Host)
	}
	if tb.text("#viewer") != "" && strings.Contains(tb.text("#viewer"), body) {
		t.Fatal("the file is shown before the credentials were given")
	}
	tb.signIn()
	tb.waitStatus(pullWait, "verified")
	if got := tb.viewerText("/srv/private.txt"); got != body {
		t.Errorf("viewer shows %q, want %q", got, body)
	}
	var alice bool
	for _, r := range f.token.Issuer.Requests()[before:] {
		if r.User == regtest.User && r.Granted {
			alice = true
		}
	}
	if !alice {
		t.Errorf("the token issuer granted no token to %s: %+v", regtest.User, f.token.Issuer.Requests()[before:])
	}
	if strings.Contains(f.srv.log.String(), regtest.Password) {
		t.Error("the server's log contains the password")
	}
}

func testRelayCorruptBlob(t *testing.T, f *relayFixture) {
	const (
		goodBody   = "this layer is intact\n"
		secretBody = "THIS TEXT COMES FROM THE CORRUPTED LAYER AND MUST NEVER BE SHOWN\n"
	)
	good := imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "srv/good.txt", Body: goodBody})
	// Uncompressed, so the flipped byte lands in a file's content and only
	// the digest check can notice it.
	bad := imagetest.Layer(t, imagetest.None,
		tartest.Entry{Name: "srv/secret.txt", Body: strings.Repeat(secretBody, 20)})
	d, err := bad.Digest()
	if err != nil {
		t.Fatal(err)
	}
	ref := f.corrupt + "/e2e/corrupt:v1"
	regtest.Push(t, ref, imagetest.Image(t, imagetest.OCI, good, bad))
	f.faults.Add(regtest.Fault{Kind: regtest.Corrupt, Path: regtest.BlobPath(digestOf(d)), Method: "GET", Offset: 700})

	tb := newTab(t)
	tb.navigate(pageURL(f.srv, "image", ref, "path", "/srv/secret.txt"))
	tb.waitAttr(pullWait, "#error", "data-kind", "digest")
	msg := tb.text("#error")
	t.Logf("#error[data-kind=digest]: %s", msg)
	if !strings.Contains(msg, d.Hex[:12]) {
		t.Errorf("#error reads %q; it does not name the layer's digest %s", msg, d)
	}
	if st := tb.attr("#status", "data-state"); st == "verified" {
		t.Errorf("#status[data-state] = %q after a digest mismatch", st)
	}
	if n := eval[int](tb, `document.querySelectorAll('#tree .row[data-path="/srv/secret.txt"]').length`); n != 0 {
		t.Error("the tree lists /srv/secret.txt from the corrupted layer")
	}
	if page := eval[string](tb, `document.body.innerText`); strings.Contains(page, "CORRUPTED LAYER") {
		t.Errorf("the page shows the corrupted layer's content:\n%s", page)
	}
	if got := tb.attr("#viewer", "data-kind"); got == "text" || got == "hex" {
		t.Errorf("#viewer[data-kind] = %q for a file of the corrupted layer", got)
	}
	if seen := f.faults.Seen(regtest.BlobPath(digestOf(d))); len(seen) == 0 {
		t.Error("the corrupted blob was never requested")
	}
}

// digestOf converts a go-containerregistry hash.
func digestOf(h v1.Hash) digest.Digest { return digest.Digest(h.String()) }
