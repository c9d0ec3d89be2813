//go:build !js

package relay

import (
	"bytes"
	"encoding/base64"
	"io"
	"log"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/regscope/regscope/internal/regtest"
)

// realmKeys is everything the relay's realm cache holds.
func (r *Relay) realmKeys() []string {
	r.realms.mu.Lock()
	defer r.realms.mu.Unlock()
	var keys []string
	for k := range r.realms.byKey {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// inFlight is the per-client table of the relay (client addresses only).
func (r *Relay) inFlight() map[string]int {
	r.clients.mu.Lock()
	defer r.clients.mu.Unlock()
	return maps.Clone(r.clients.count)
}

// TestRelayCredentialsNeitherLoggedNorKept pulls from CNCF Distribution with
// Bearer tokens through the relay, once with the right password and once
// with a wrong one, and sends credentials to a blocked and to an unreachable
// destination. The relay's log must hold none of the secrets (password,
// Basic header, issued tokens) nor any query (account=, scope=), and after
// the pulls its only state — the realm cache and the per-client table —
// must hold no credentials: the realm URL alone, and no clients.
func TestRelayCredentialsNeitherLoggedNorKept(t *testing.T) {
	reg := regtest.StartDistribution(t, regtest.Token)
	img, err := random.Image(16<<10, 2)
	if err != nil {
		t.Fatal(err)
	}
	regtest.Push(t, reg.Host+"/team/app:v1", img)
	issuer, err := url.Parse(reg.Issuer.URL)
	if err != nil {
		t.Fatal(err)
	}
	closed := closedPort(t)
	var logs regtest.SyncBuffer
	r := newRelay(t, Options{Insecure: []string{reg.Host, issuer.Host, closed}, Logger: log.New(&logs, "", 0)})
	srv := httptest.NewServer(r)

	ref, err := name.ParseReference(reg.Host+"/team/app:v1", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	pull := func(password string) error {
		img, err := remote.Image(ref, remote.WithTransport(viaRelay{srv.URL}),
			remote.WithAuth(&authn.Basic{Username: regtest.User, Password: password}))
		if err != nil {
			return err
		}
		ls, err := img.Layers()
		if err != nil {
			return err
		}
		for _, l := range ls {
			rc, err := l.Compressed()
			if err != nil {
				return err
			}
			_, err = io.Copy(io.Discard, rc)
			rc.Close()
			if err != nil {
				return err
			}
		}
		return nil
	}
	if err := pull(regtest.Password); err != nil {
		t.Fatalf("pull with the right password: %v", err)
	}
	const wrong = "wr0ng-pa55word"
	if err := pull(wrong); err == nil {
		t.Fatal("pull with a wrong password succeeded")
	}

	// A token request with an account in its query, and failures carrying
	// credentials and an account: blocked, and allowed but unreachable.
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(regtest.User+":"+regtest.Password))
	errorBodies := map[string]string{}
	for _, tc := range []struct {
		uri    string
		status int
	}{
		{"/relay/" + issuer.Host + "/token?account=" + regtest.User + "&scope=repository:team/app:pull&service=" + reg.Issuer.Service, 200},
		{"/relay/127.0.0.1/v2/team/app/tags/list?account=" + regtest.User, 403},
		{"/relay/" + closed + "/v2/team/app/tags/list?account=" + regtest.User, 502},
	} {
		req, _ := http.NewRequest("GET", srv.URL+tc.uri, nil)
		req.Header.Set("Authorization", basic)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("GET %s: %d %s; want %d", tc.uri, resp.StatusCode, b, tc.status)
		}
		if resp.StatusCode >= 400 {
			errorBodies[tc.uri] = string(b)
		}
	}
	srv.Close() // waits for every handler, so every log line is written

	tokens := reg.Issuer.Tokens()
	if len(tokens) == 0 {
		t.Fatal("the issuer issued no token: the pull did not authenticate")
	}
	secrets := append([]string{
		regtest.Password, wrong, basic,
		base64.StdEncoding.EncodeToString([]byte(regtest.User + ":" + wrong)),
		"account=", "scope=", "service=", "Bearer", "Basic",
	}, tokens...)
	out := logs.String()
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("the relay log contains %q:\n%s", truncate(s, 40), out)
		}
	}
	if !strings.Contains(out, "GET "+issuer.Host+" /token 200") || !strings.Contains(out, "GET "+issuer.Host+" /token 401") {
		t.Errorf("the log lacks the token requests (method, host, path, status):\n%s", out)
	}
	for u, body := range errorBodies {
		for _, s := range secrets {
			if strings.Contains(body, s) {
				t.Errorf("GET %s: error %s contains %q", u, body, truncate(s, 40))
			}
		}
	}

	// The relay's state: the realm the registry announced, nothing else.
	if got, want := r.realmKeys(), []string{"http://" + issuer.Host + "/token"}; !slices.Equal(got, want) {
		t.Errorf("realm cache holds %q, want %q", got, want)
	}
	if got := r.inFlight(); len(got) != 0 {
		t.Errorf("per-client table holds %v after every request ended", got)
	}
}

// closedPort returns a loopback host:port nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hp := ln.Addr().String()
	ln.Close()
	return hp
}

// TestRelayRealmCacheHoldsNoCredentials announces realms carrying userinfo,
// queries and fragments: the cache keeps scheme://host:port/path only, and
// refuses a realm with userinfo outright.
func TestRelayRealmCacheHoldsNoCredentials(t *testing.T) {
	var up *upstream
	up = newUpstream(t, func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/v2/" {
			return false
		}
		for _, realm := range []string{
			"http://user:s3cret@" + up.hp + "/userinfo",
			"http://" + up.hp + "/token?account=alice&access_token=s3cret",
			"http://" + up.hp + "/frag#s3cret",
		} {
			w.Header().Add("WWW-Authenticate", `Bearer realm="`+realm+`",service="x"`)
		}
		w.WriteHeader(http.StatusUnauthorized)
		return true
	})
	r := newRelay(t, Options{Insecure: []string{up.hp}})
	if got := do(t, r, "GET", "/relay/"+up.hp+"/v2/", http.Header{"Authorization": {"Bearer s3cret"}}); got.status != 401 {
		t.Fatalf("ping: %d", got.status)
	}
	want := []string{"http://" + up.hp + "/frag", "http://" + up.hp + "/token"}
	if got := r.realmKeys(); !slices.Equal(got, want) {
		t.Errorf("realm cache holds %q, want %q", got, want)
	}
	for _, k := range r.realmKeys() {
		if strings.ContainsAny(k, "?#@") || strings.Contains(k, "s3cret") || strings.Contains(k, "alice") {
			t.Errorf("realm key %q carries more than scheme, host and path", k)
		}
	}
	if got := do(t, r, "GET", "/relay/"+up.hp+"/userinfo", nil); got.status != 403 {
		t.Errorf("realm announced with userinfo: %d; want 403 (never remembered)", got.status)
	}
}

// TestRelayAuthorizationStaysWithNamedHost follows a registry's redirect of a
// blob to another host (a storage service, by name, as S3 or a CDN would be):
// the Authorization and Cookie the client sent, and the cookie the registry
// set on its redirect, never reach the storage host; the registry named in
// the request gets Authorization but no Cookie; nothing moves into a URL.
func TestRelayAuthorizationStaysWithNamedHost(t *testing.T) {
	type seen struct{ auth, cookie, query string }
	var mu sync.Mutex
	var atStorage, atRegistry []seen
	record := func(list *[]seen, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		*list = append(*list, seen{r.Header.Get("Authorization"), r.Header.Get("Cookie"), r.URL.RawQuery})
	}

	storageHost := regtest.GGCRWith(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			record(&atStorage, r)
			next.ServeHTTP(w, r)
		})
	})
	img, err := random.Image(32<<10, 1)
	if err != nil {
		t.Fatal(err)
	}
	regtest.Push(t, storageHost+"/team/app:v1", img)
	ls, _ := img.Layers()
	layer, _ := ls[0].Digest()
	_, storagePort, _ := net.SplitHostPort(storageHost)
	mu.Lock()
	atStorage = nil // the push
	mu.Unlock()

	regHost := regtest.GGCRWith(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			record(&atRegistry, r)
			if strings.Contains(r.URL.Path, "/blobs/") {
				http.SetCookie(w, &http.Cookie{Name: "registry-session", Value: "from-registry"})
				http.Redirect(w, r, "http://storage.test:"+storagePort+r.URL.Path+"?expires=1&sig=signed", http.StatusTemporaryRedirect)
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	_, regPort, _ := net.SplitHostPort(regHost)
	res := &mapResolver{answers: map[string][]string{"registry.test": {"127.0.0.1"}, "storage.test": {"127.0.0.1"}}}
	r := newRelay(t, Options{
		Resolver: res,
		Insecure: []string{"registry.test:" + regPort, "storage.test:" + storagePort},
	})

	const token = "Bearer t0ken-for-registry-only"
	got := do(t, r, "GET", "/relay/registry.test:"+regPort+"/v2/team/app/blobs/"+layer.String(),
		http.Header{"Authorization": {token}, "Cookie": {"browser-session=from-browser"}})
	if got.status != 200 {
		t.Fatalf("blob through the redirect: %d %s", got.status, got.body)
	}
	rc, _ := ls[0].Compressed()
	want, _ := io.ReadAll(rc)
	if !bytes.Equal(got.body, want) {
		t.Fatalf("blob through the redirect: %d bytes, want the layer's %d", len(got.body), len(want))
	}
	if c := got.header.Values("Set-Cookie"); len(c) != 0 {
		t.Errorf("Set-Cookie reached the client: %q", c)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(atRegistry) != 1 || len(atStorage) != 1 {
		t.Fatalf("registry saw %d requests, storage %d; want 1 each", len(atRegistry), len(atStorage))
	}
	if atRegistry[0].auth != token {
		t.Errorf("the named registry got Authorization %q, want %q", atRegistry[0].auth, token)
	}
	for who, s := range map[string]seen{"registry": atRegistry[0], "storage": atStorage[0]} {
		if s.cookie != "" {
			t.Errorf("%s got Cookie %q", who, s.cookie)
		}
		if strings.Contains(s.query, "t0ken") {
			t.Errorf("%s got the token in its URL: %q", who, s.query)
		}
	}
	if atStorage[0].auth != "" {
		t.Errorf("the storage host got Authorization %q", atStorage[0].auth)
	}
	if atStorage[0].query != "expires=1&sig=signed" {
		t.Errorf("storage query %q; want the registry's signed URL unchanged", atStorage[0].query)
	}
}

// TestRelayErrorsOmitQueries: the relay's refusals and failures name hosts and
// paths but never echo a query, where token requests carry account names and
// storage redirects carry signatures.
func TestRelayErrorsOmitQueries(t *testing.T) {
	closed := closedPort(t)
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/v2/r/blobs/signed" {
			http.Redirect(w, r, "gopher://storage.example/obj?X-Amz-Signature=s3cret", http.StatusTemporaryRedirect)
			return true
		}
		if r.URL.Path == "/v2/r/blobs/gone" {
			http.Redirect(w, r, "http://"+closed+"/obj?X-Amz-Signature=s3cret", http.StatusTemporaryRedirect)
			return true
		}
		return false
	})
	var logs regtest.SyncBuffer
	r := newRelay(t, Options{Insecure: []string{up.hp, closed}, Logger: log.New(&logs, "", 0)})
	for _, tc := range []struct {
		uri     string
		status  int
		mention string
	}{
		{"/relay/" + closed + "/v2/r/tags/list?account=alice&n=s3cret", 502, closed},
		{"/relay/" + up.hp + "/v2/r/blobs/signed", 403, "scheme gopher"},
		{"/relay/" + up.hp + "/v2/r/blobs/gone", 502, closed + "/obj?…"},
		{"/relay/registry.example/v2/?account=alice&x=s3cret%00", 403, "query refused"},
		{"/relay/registry.example/v2/?account=alice&x=s3cret%zz", 403, "malformed percent-encoding"},
	} {
		got := do(t, r, "GET", tc.uri, http.Header{"Authorization": {"Bearer s3cret"}})
		if got.status != tc.status || !strings.Contains(got.err, tc.mention) {
			t.Errorf("GET %s: %d %q; want %d naming %q", tc.uri, got.status, got.err, tc.status, tc.mention)
		}
		for _, s := range []string{"s3cret", "alice", "account="} {
			if strings.Contains(got.err, s) {
				t.Errorf("GET %s: error %q contains %q", tc.uri, got.err, s)
			}
		}
	}
	for _, s := range []string{"s3cret", "alice", "account=", "?"} {
		if strings.Contains(logs.String(), s) {
			t.Errorf("log contains %q:\n%s", s, logs.String())
		}
	}
}

// TestRelayRealmsOnOperatorHosts: a realm on a host the operator allowed by
// flag (possibly private) is remembered only when a host the operator
// allowed announced it, so a public registry cannot open paths beyond /v2/
// on the operator's own hosts; realms on public hosts are remembered from
// anyone. (A public registry cannot be reached on loopback, so the rule is
// exercised on learnRealms directly.)
func TestRelayRealmsOnOperatorHosts(t *testing.T) {
	r := newRelay(t, Options{Insecure: []string{"127.0.0.1:5001"}, Allow: []string{"10.0.0.5"}})
	for _, tc := range []struct {
		from  string // the announcing registry's host:port
		realm string
		want  string // remembered key, "" for none
	}{
		{"registry.example:443", "http://127.0.0.1:5001/token", ""},
		{"registry.example:443", "https://10.0.0.5/admin", ""},
		{"registry.example:443", "https://auth.example/token", "https://auth.example:443/token"},
		{"127.0.0.1:5001", "http://127.0.0.1:5001/token", "http://127.0.0.1:5001/token"},
		{"127.0.0.1:5001", "https://10.0.0.5/token", "https://10.0.0.5:443/token"},
		{"10.0.0.5:443", "https://auth.example/token", "https://auth.example:443/token"},
		{"127.0.0.1:5001", "http://127.0.0.1:5001/to%6ben", ""},
		{"127.0.0.1:5001", "http://user@127.0.0.1:5001/token", ""},
		{"127.0.0.1:5001", "http://10.0.0.5/token", ""},
	} {
		r := newRelay(t, r.o)
		r.learnRealms(tc.from, []string{`Bearer realm="` + tc.realm + `"`})
		got := strings.Join(r.realmKeys(), ",")
		if got != tc.want {
			t.Errorf("realm %s announced by %s: remembered %q, want %q", tc.realm, tc.from, got, tc.want)
		}
	}
	for u, want := range map[string]string{
		"http://Registry.Example/v2/": "registry.example:80",
		"https://[::1]:5000/v2/":      "[::1]:5000",
		"https://a.example/v2/":       "a.example:443",
	} {
		pu, _ := url.Parse(u)
		if got, err := hostPortOf(pu); got != want || err != nil {
			t.Errorf("hostPortOf(%s) = %q, %v; want %q", u, got, err, want)
		}
	}
}
