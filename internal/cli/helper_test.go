//go:build !js

package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/regscope/regscope/internal/regtest"
)

// helperScript is a docker-credential helper as a shell script: it logs
// "NAME ARGS <stdin>" to the file LOG, then answers server URL SERVER with
// alice's credentials (USER, SECRET) and every other with "not found".
const helperScript = `#!/bin/sh
read -r server
echo "$(basename "$0") $* $server" >> 'LOG'
if [ "$server" = 'SERVER' ]; then
	printf '{"ServerURL":"%s","Username":"USER","Secret":"SECRET"}\n' "$server"
	exit 0
fi
echo 'credentials not found in native keychain'
exit 1
`

// helperEnv writes helper scripts named docker-credential-NAME into a
// directory put first on $PATH, and a config.json in $DOCKER_CONFIG. It
// returns the environment for run and the log file the helpers append to.
func helperEnv(t *testing.T, config string, helpers map[string]string) (map[string]string, string) {
	t.Helper()
	bin, cfg := t.TempDir(), t.TempDir()
	log := filepath.Join(bin, "log")
	for name, body := range helpers {
		body = strings.ReplaceAll(body, "LOG", log)
		if err := os.WriteFile(filepath.Join(bin, "docker-credential-"+name), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(cfg, "config.json"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	return map[string]string{"PATH": bin + string(os.PathListSeparator) + os.Getenv("PATH"), "DOCKER_CONFIG": cfg}, log
}

// answering returns helperScript answering server with user and secret.
func answering(server, user, secret string) string {
	return strings.NewReplacer("SERVER", server, "USER", user, "SECRET", secret).Replace(helperScript)
}

// failing is a helper that fails the way a locked store does.
const failing = "#!/bin/sh\ncat > /dev/null\necho 'error: the password store is locked' >&2\nexit 3\n"

// readLog returns the lines the helpers logged (none when they never ran).
func readLog(t *testing.T, log string) []string {
	t.Helper()
	b, err := os.ReadFile(log)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

// The CLI runs the Docker config's credential helpers the way docker does:
// the registry's credHelpers entry, else credsStore, each asked once with
// `get` and the registry host on stdin; the answer authenticates the pull;
// a helper with nothing, a failing one and a missing one leave the pull
// anonymous, the last two with a warning that names the helper.
func TestCredentialHelpers(t *testing.T) {
	host := regtest.Distribution(t, regtest.Htpasswd)
	ref := privateImage(t, host)
	open := cliImage(t, regtest.GGCR(t))
	good := answering(host, regtest.User, regtest.Password)
	wrongAuths := fmt.Sprintf(`"auths":{%q:{"auth":%q}}`, host, basicBlob("wrong"))
	anon := "regscope: warning: credential helper docker-credential-%s for " + host + ": %s; trying " + host + " without credentials"

	for _, tc := range []struct {
		name    string
		config  string
		helpers map[string]string
		ref     string
		code    int
		log     []string // what the helpers were asked
		warning string   // the whole warning line, "" for none
	}{
		{"credsStore", `{"credsStore":"store"}`, map[string]string{"store": good}, ref, 0,
			[]string{"docker-credential-store get " + host}, ""},
		{"credHelpers wins over credsStore and auths", `{"credsStore":"broken","credHelpers":{"` + host + `":"mine"},` + wrongAuths + `}`,
			map[string]string{"mine": good, "broken": failing}, ref, 0, []string{"docker-credential-mine get " + host}, ""},
		{"credsStore wins over auths", `{"credsStore":"store",` + wrongAuths + `}`, map[string]string{"store": good}, ref, 0,
			[]string{"docker-credential-store get " + host}, ""},
		{"another registry's helper is not run", `{"credHelpers":{"example.com":"mine"},"auths":{"` + host + `":{"auth":"` + basicBlob(regtest.Password) + `"}}}`,
			map[string]string{"mine": good}, ref, 0, nil, ""},
		{"not asked when the registry does not challenge", `{"credsStore":"store"}`, map[string]string{"store": good}, open, 0, nil, ""},
		{"helper holds nothing", `{"credsStore":"store"}`, map[string]string{"store": answering("example.com", "x", "y")}, ref, 1,
			[]string{"docker-credential-store get " + host}, ""},
		{"helper fails", `{"credsStore":"locked"}`, map[string]string{"locked": failing}, ref, 1, nil,
			fmt.Sprintf(anon, "locked", "exit status 3: error: the password store is locked")},
		{"helper missing", `{"credsStore":"nope"}`, nil, ref, 1, nil,
			fmt.Sprintf(anon, "nope", `exec: "docker-credential-nope": executable file not found in $PATH`)},
		{"identity token", `{"credsStore":"oauth"}`, map[string]string{"oauth": answering(host, "<token>", "refresh-xyzzy")}, ref, 1,
			[]string{"docker-credential-oauth get " + host},
			"regscope: warning: credential helper docker-credential-oauth for " + host + " returned an identity token, which regscope cannot use (it needs a username and password or access token); trying " + host + " without credentials"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env, log := helperEnv(t, tc.config, tc.helpers)
			code, out, errs := run(t, env, "pull", tc.ref)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, out, errs)
			}
			lines := strings.Split(strings.TrimSpace(errs), "\n")
			last := lines[len(lines)-1]
			if code == 0 && !strings.Contains(out, "digests verified (") {
				t.Errorf("no verified summary:\n%s", out)
			}
			if code == 1 && last != "regscope: pull "+ref+": GET http://"+host+"/v2/private/img/manifests/1: 401 Unauthorized: UNAUTHORIZED: authentication required" {
				t.Errorf("last line %q, want the registry's 401", last)
			}
			var warnings []string
			for _, l := range lines {
				if strings.HasPrefix(l, "regscope: warning:") {
					warnings = append(warnings, l)
				}
			}
			switch {
			case tc.warning == "" && len(warnings) > 0:
				t.Errorf("unexpected warnings %q", warnings)
			case tc.warning != "" && (len(warnings) != 1 || warnings[0] != tc.warning):
				t.Errorf("warnings %q, want exactly\n%q", warnings, tc.warning)
			}
			if got := readLog(t, log); strings.Join(got, "|") != strings.Join(tc.log, "|") {
				t.Errorf("helpers asked %q, want %q", got, tc.log)
			}
			all := append(secrets(regtest.Password), "refresh-xyzzy", basicBlob("wrong"))
			noLeak(t, "stdout", out, all)
			noLeak(t, "stderr", errs, all)
		})
	}
}

// Docker Hub's credentials are asked for under docker's legacy server URL,
// whichever of Hub's names the registry goes by, and a credHelpers entry
// under any of those names applies.
func TestCredentialHelperDockerHub(t *testing.T) {
	for _, key := range []string{"docker.io", "index.docker.io", "registry-1.docker.io", dockerHubKey} {
		env, log := helperEnv(t, `{"credHelpers":{"`+key+`":"hub"}}`,
			map[string]string{"hub": answering(dockerHubKey, "hubuser", "hubsecret")})
		for k, v := range env {
			t.Setenv(k, v)
		}
		cfg, err := readDockerConfig(os.Getenv)
		if err != nil {
			t.Fatal(err)
		}
		up, err := cfg.lookup("docker.io")
		if err != nil || up != (userPass{"hubuser", "hubsecret"}) {
			t.Errorf("credHelpers[%q]: %v, %v; want hubuser", key, up, err)
		}
		if got := readLog(t, log); len(got) != 1 || got[0] != "docker-credential-hub get "+dockerHubKey {
			t.Errorf("credHelpers[%q]: helper asked %q, want one get of %s", key, got, dockerHubKey)
		}
	}
}
