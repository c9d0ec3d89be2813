//go:build !js

package cli

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/opencontainers/go-digest"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/tartest"
)

// Credential tests for the CLI: credentials are never printed, never
// written to disk, never sent to a host other than the registry that
// challenged and the token realm it announced, and never put in URLs.

// aliceAuth pushes as the registries' user.
var aliceAuth = remote.WithAuth(&authn.Basic{Username: regtest.User, Password: regtest.Password})

// basicBlob is the base64 of User:pass, as it travels in a Basic header.
func basicBlob(pass string) string {
	return base64.StdEncoding.EncodeToString([]byte(regtest.User + ":" + pass))
}

// secrets lists what must never appear in output or URLs for pass and the
// tokens a test's issuer handed out.
func secrets(pass string, tokens ...string) []string {
	return append([]string{pass, basicBlob(pass)}, tokens...)
}

// noLeak fails when any secret appears in text (what the CLI printed).
func noLeak(t *testing.T, what, text string, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("%s contains a secret (%.12s…):\n%s", what, s, text)
		}
	}
}

// noSecretsInURLs fails when a request URL (path or query) carries the
// user, a secret, or userinfo.
func noSecretsInURLs(t *testing.T, who string, seen []regtest.Seen, secrets []string) {
	t.Helper()
	for _, s := range seen {
		u := s.Path + "?" + s.Query
		for _, sec := range append([]string{regtest.User}, secrets...) {
			if sec != "" && strings.Contains(u, sec) {
				t.Errorf("%s: request URL %s carries %.12s…", who, u, sec)
			}
		}
	}
}

// privateImage pushes a two-layer image to host with alice's credentials.
func privateImage(t *testing.T, host string) string {
	ref := host + "/private/img:1"
	regtest.Push(t, ref, imagetest.Image(t, imagetest.OCI,
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "etc/hello", Body: "hello\n"}),
		imagetest.Layer(t, imagetest.None, tartest.Entry{Name: "big", Body: strings.Repeat("x", 50_000)})), aliceAuth)
	return ref
}

// echo makes a registry answer authorised blob requests with an error
// body that repeats back the Authorization header it received, its
// credential and, for Basic, the decoded user:password, as a careless
// registry or proxy might.
func echo(code int) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			authz := r.Header.Get("Authorization")
			if r.Method != http.MethodGet || !strings.Contains(r.URL.Path, "/blobs/") || authz == "" {
				next.ServeHTTP(w, r)
				return
			}
			_, cred, _ := strings.Cut(authz, " ")
			pass := "(none)"
			if u, p, ok := r.BasicAuth(); ok {
				pass = u + ":" + p
			}
			if code == http.StatusForbidden {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(code)
				fmt.Fprintf(w, `{"errors":[{"code":"DENIED","message":"denied for Authorization: %s (credential %s, password %s)"}]}`, authz, cred, pass)
				return
			}
			w.WriteHeader(code)
			fmt.Fprintf(w, "bad request\nAuthorization: %s\ncredential: %s\npassword: %s\n", authz, cred, pass)
		})
	}
}

// Nothing the CLI prints, on success or failure, contains the password,
// the Basic blob or a token, even when the registry echoes them back.
func TestCredentialsNeverPrinted(t *testing.T) {
	const wrong = "Wr0ng-Pa55word-xyzzy"
	basic := regtest.Distribution(t, regtest.Htpasswd)
	tok := regtest.StartDistribution(t, regtest.Token)
	basicRef, tokRef := privateImage(t, basic), privateImage(t, tok.Host)
	echoBasic := strings.SplitN(privateImage(t, regtest.Front(t, basic, echo(http.StatusForbidden))), "/", 2)[0]
	echoText := strings.SplitN(privateImage(t, regtest.Front(t, basic, echo(http.StatusBadRequest))), "/", 2)[0]
	echoTok := strings.SplitN(privateImage(t, regtest.Front(t, tok.Host, echo(http.StatusForbidden))), "/", 2)[0]
	creds := []string{"-u", regtest.User, "-p", regtest.Password}
	env := map[string]string{"REGSCOPE_USERNAME": regtest.User, "REGSCOPE_PASSWORD": regtest.Password}

	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		code int
		want string // in stderr's last line when failing, in stdout when not
	}{
		{"basic, flags", nil, append([]string{"pull"}, append(creds, basicRef)...), 0, "verified"},
		{"basic, environment, json", env, []string{"pull", "--json", basicRef}, 0, `"verified": true`},
		{"basic, ls", env, []string{"ls", "-R", basicRef}, 0, "etc/hello"},
		{"basic, wrong password", nil, []string{"pull", "-u", regtest.User, "-p", wrong, basicRef}, 1, "401 Unauthorized"},
		{"basic, none", nil, []string{"pull", basicRef}, 1, "401 Unauthorized"},
		{"token, flags", nil, append([]string{"pull"}, append(creds, tokRef)...), 0, "verified"},
		{"token, cat", env, []string{"cat", tokRef, "/etc/hello"}, 0, "hello"},
		{"token, wrong password", nil, []string{"pull", "-u", regtest.User, "-p", wrong, tokRef}, 1, "token from " + tok.Issuer.URL},
		{"basic, registry echoes JSON", env, []string{"pull", echoBasic + "/private/img:1"}, 1, "403 Forbidden: DENIED"},
		{"basic, registry echoes text", env, []string{"pull", echoText + "/private/img:1"}, 1, "400 Bad Request"},
		{"token, registry echoes JSON", env, []string{"pull", echoTok + "/private/img:1"}, 1, "403 Forbidden: DENIED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := run(t, tc.env, tc.args...)
			last := strings.TrimSpace(errs)
			if i := strings.LastIndex(last, "\n"); i >= 0 {
				last = last[i+1:]
			}
			if code != tc.code || (code == 0 && !strings.Contains(out, tc.want)) || (code != 0 && !strings.Contains(last, tc.want)) {
				t.Errorf("exit %d, want %d with %q\nstdout:\n%s\nstderr:\n%s", code, tc.code, tc.want, out, errs)
			}
			all := append(secrets(regtest.Password, tok.Issuer.Tokens()...), wrong, basicBlob(wrong))
			noLeak(t, "stdout", out, all)
			noLeak(t, "stderr", errs, all)
		})
	}
	if len(tok.Issuer.Tokens()) == 0 {
		t.Error("the token registry issued no tokens: the token cases tested nothing")
	}
}

// snapshot records every file under roots: path, mode, size and content hash.
func snapshot(t *testing.T, roots ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, root := range roots {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			sum := ""
			if info.Mode().IsRegular() {
				b, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				sum = fmt.Sprintf("%x", sha256.Sum256(b))
			}
			out[p] = fmt.Sprintf("%v %d %s", info.Mode(), info.Size(), sum)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// The CLI writes nothing: $HOME, $DOCKER_CONFIG (whose config.json it
// reads), $TMPDIR, the XDG directories and the working directory are the
// same after pulls with credentials from flags, the environment and
// config.json, successful or not.
func TestCredentialsNeverPersisted(t *testing.T) {
	host := regtest.Distribution(t, regtest.Htpasswd)
	ref := privateImage(t, host)
	home, docker, tmp, xdg, work := t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir()
	cfg := `{"auths":{"` + host + `":{"auth":"` + basicBlob(regtest.Password) + `"}}}`
	if err := os.WriteFile(filepath.Join(docker, "config.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(home, ".docker"), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Chdir(work)
	env := map[string]string{"HOME": home, "DOCKER_CONFIG": docker, "TMPDIR": tmp,
		"XDG_CONFIG_HOME": filepath.Join(xdg, "config"), "XDG_CACHE_HOME": filepath.Join(xdg, "cache"), "XDG_DATA_HOME": filepath.Join(xdg, "data")}
	roots := []string{home, docker, tmp, xdg, work}
	before := snapshot(t, roots...)

	withEnv := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range env {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"pull", ref}, 0}, // config.json
		{[]string{"pull", "-u", regtest.User, "-p", regtest.Password, ref}, 0},
		{[]string{"ls", "-R", ref}, 0},
		{[]string{"cat", ref, "/etc/hello"}, 0},
		{[]string{"pull", "-u", regtest.User, "-p", "wrong", ref}, 1},
	} {
		if code, _, errs := run(t, env, tc.args...); code != tc.code {
			t.Errorf("%v: exit %d, want %d: %s", tc.args, code, tc.code, errs)
		}
	}
	code, _, errs := run(t, withEnv(map[string]string{"REGSCOPE_USERNAME": regtest.User, "REGSCOPE_PASSWORD": regtest.Password}), "pull", ref)
	if code != 0 {
		t.Errorf("environment credentials: exit %d: %s", code, errs)
	}

	after := snapshot(t, roots...)
	// The blob cache may appear, holding only blobs named by their digest
	// whose bytes hash to it: image content, never a credential.
	blobs := filepath.Join(xdg, "cache", "regscope", "blobs")
	for p, v := range after {
		ancestor := p != xdg && strings.HasPrefix(blobs, p+string(filepath.Separator))
		if rel, err := filepath.Rel(blobs, p); err == nil && !strings.HasPrefix(rel, "..") || ancestor {
			if d := digest.NewDigestFromEncoded(digest.SHA256, filepath.Base(p)); strings.HasPrefix(v, "-") && !strings.HasSuffix(v, " "+d.Encoded()) {
				t.Errorf("%s in the blob cache is not the blob its name says (%s)", p, v)
			}
			continue
		}
		if before[p] != v {
			t.Errorf("%s changed or appeared: %q → %q", p, before[p], v)
		}
	}
	for p := range before {
		if _, ok := after[p]; !ok {
			t.Errorf("%s disappeared", p)
		}
	}
}

// rawManifest lets a test push exact manifest bytes.
type rawManifest struct {
	body []byte
	mt   types.MediaType
}

func (r rawManifest) RawManifest() ([]byte, error)        { return r.body, nil }
func (r rawManifest) MediaType() (types.MediaType, error) { return r.mt, nil }

// foreignImage puts on home (which demands alice's Basic credentials) an
// image whose only layer is a foreign layer served by the registry at
// cdn, and returns its reference.
func foreignImage(t *testing.T, home, cdn string) string {
	img := imagetest.Image(t, imagetest.Docker,
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "foreign", Body: "from the other registry\n"}))
	regtest.Push(t, cdn+"/cdn/layers:1", img)
	ls, _ := img.Layers()
	ld, _ := ls[0].Digest()
	m, _ := img.Manifest()
	m = m.DeepCopy()
	m.Layers[0].MediaType = types.DockerForeignLayer
	m.Layers[0].URLs = []string{"http://" + cdn + "/v2/cdn/layers/blobs/" + ld.String()}
	body, _ := json.Marshal(m)
	cfg, _ := img.RawConfigFile()
	ref := home + "/private/foreign:1"
	r, _ := name.ParseReference(ref, name.Insecure)
	if err := remote.WriteLayer(r.Context(), static.NewLayer(cfg, types.DockerConfigJSON), aliceAuth); err != nil {
		t.Fatal(err)
	}
	if err := remote.Put(r, rawManifest{body, types.DockerManifestSchema2}, aliceAuth); err != nil {
		t.Fatal(err)
	}
	return ref
}

// Credentials go to the registry that challenged and the realm it
// announced, nowhere else: not to a host blobs are redirected to, not to a
// second registry serving foreign layers (even one that challenges, even
// with credentials for it in config.json), and never in a URL.
func TestCredentialsStayWithTheirRegistry(t *testing.T) {
	creds := []string{"-u", regtest.User, "-p", regtest.Password}

	t.Run("blobs redirected to another host", func(t *testing.T) {
		reg := regtest.Distribution(t, regtest.Htpasswd)
		var cdn, home regtest.Faults
		cdnHost := regtest.GGCRWith(t, cdn.Wrap)
		front := regtest.Front(t, reg, func(next http.Handler) http.Handler {
			return home.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/blobs/") && r.Header.Get("Authorization") != "" {
					http.Redirect(w, r, "http://"+cdnHost+r.URL.Path+"?X-Amz-Signature=s", http.StatusTemporaryRedirect)
					return
				}
				next.ServeHTTP(w, r)
			}))
		})
		ref := privateImage(t, front)
		privateImage(t, cdnHost) // the CDN holds the same blobs
		before := len(cdn.Seen(""))
		code, out, errs := run(t, nil, append([]string{"pull"}, append(creds, ref)...)...)
		if code != 0 || !strings.Contains(out, "verified") {
			t.Fatalf("exit %d: %s", code, errs)
		}
		served := 0
		for _, s := range cdn.Seen("")[before:] {
			served++
			if s.Authorization {
				t.Errorf("the CDN received %s authorization on %s %s", s.AuthScheme, s.Method, s.Path)
			}
		}
		if served < 3 {
			t.Errorf("the CDN served %d requests, want the config and 2 layers", served)
		}
		noSecretsInURLs(t, "registry", home.Seen(""), secrets(regtest.Password))
		noSecretsInURLs(t, "CDN", cdn.Seen(""), secrets(regtest.Password))
	})

	t.Run("token realm on another host", func(t *testing.T) {
		reg := regtest.StartDistribution(t, regtest.Token)
		var home regtest.Faults
		front := regtest.Front(t, reg.Host, home.Wrap)
		ref := privateImage(t, front)
		before, beforeTok := len(home.Seen("")), len(reg.Issuer.Faults.Seen(""))
		code, _, errs := run(t, nil, append([]string{"pull"}, append(creds, ref)...)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		realm := reg.Issuer.Faults.Seen("")[beforeTok:]
		if len(realm) == 0 {
			t.Fatal("the realm saw no request")
		}
		for _, s := range realm {
			if s.AuthScheme != "Basic" {
				t.Errorf("realm request %s?%s with %q authorization, want Basic", s.Path, s.Query, s.AuthScheme)
			}
		}
		for _, s := range home.Seen("")[before:] {
			if s.AuthScheme == "Basic" {
				t.Errorf("the registry received the Basic credentials on %s %s; it gets tokens", s.Method, s.Path)
			}
		}
		toks := reg.Issuer.Tokens()
		noSecretsInURLs(t, "registry", home.Seen(""), secrets(regtest.Password, toks...))
		noSecretsInURLs(t, "realm", reg.Issuer.Faults.Seen(""), secrets(regtest.Password, toks...))
	})

	t.Run("foreign layers on a second registry", func(t *testing.T) {
		var home, cdn regtest.Faults
		homeHost := regtest.GGCRWith(t, func(next http.Handler) http.Handler { return home.Wrap(regtest.BasicAuth(next)) })
		cdnHost := regtest.GGCRWith(t, cdn.Wrap)
		rogue := regtest.NewTokenIssuer(t)
		ref := foreignImage(t, homeHost, cdnHost)
		// config.json has credentials for both registries.
		dir := t.TempDir()
		cfg := fmt.Sprintf(`{"auths":{%q:{"auth":%q},%q:{"auth":%q}}}`, homeHost, basicBlob(regtest.Password), cdnHost, basicBlob(regtest.Password))
		if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		env := map[string]string{"DOCKER_CONFIG": dir}

		before := len(cdn.Seen(""))
		code, out, errs := run(t, env, "cat", ref, "/foreign")
		if code != 0 || out != "from the other registry\n" {
			t.Fatalf("exit %d, %q: %s", code, out, errs)
		}
		if len(cdn.Seen("")) == before {
			t.Fatal("the second registry served nothing")
		}
		// The second registry now challenges, announcing a realm of its own.
		cdn.Add(regtest.Fault{Kind: regtest.Status, Code: http.StatusUnauthorized,
			Header: http.Header{"Www-Authenticate": {fmt.Sprintf(`Bearer realm=%q,service="cdn"`, rogue.URL)}}})
		code, _, errs = run(t, env, "pull", ref)
		if code != 1 || !strings.Contains(errs, "401") {
			t.Errorf("challenging second registry: exit %d: %s; want the 401", code, errs)
		}
		for _, s := range cdn.Seen("") {
			if s.Method == http.MethodGet && s.Authorization {
				t.Errorf("the second registry received %s authorization on %s", s.AuthScheme, s.Path)
			}
		}
		if n := len(rogue.Faults.Seen("")); n != 0 {
			t.Errorf("the second registry's realm received %d requests, want none", n)
		}
		authorised := 0
		for _, s := range home.Seen("") {
			if s.Authorization {
				authorised++
			}
		}
		if authorised == 0 {
			t.Error("the home registry received no credentials: the test proves nothing")
		}
		noSecretsInURLs(t, "home", home.Seen(""), secrets(regtest.Password))
		noSecretsInURLs(t, "second registry", cdn.Seen(""), secrets(regtest.Password))
	})
}
