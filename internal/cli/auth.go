package cli

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// credentials returns the lookup the registry client calls when a registry
// asks for credentials. Flags win, then REGSCOPE_USERNAME/REGSCOPE_PASSWORD;
// both apply to the reference's own registry only. Every other registry (and
// the image's own, when neither is given) is looked up in Docker's
// config.json as docker does: the registry's entry in `credHelpers`, else
// `credsStore`, runs `docker-credential-NAME get`; with neither, `auths`.
// A helper that fails is reported on stderr and the registry is tried
// anonymously. Each host's helper runs at most once per command.
func credentials(domain, user, pass string, getenv func(string) string, stderr io.Writer) (func(host string) (string, string, bool), error) {
	if user == "" && pass == "" {
		user, pass = getenv("REGSCOPE_USERNAME"), getenv("REGSCOPE_PASSWORD")
	}
	if (user == "") != (pass == "") {
		return nil, fmt.Errorf("credentials for %s: give both a username and a password", domain)
	}
	cfg, err := readDockerConfig(getenv)
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex
	asked := map[string]userPass{}
	return func(host string) (string, string, bool) {
		if user != "" && host == domain {
			return user, pass, true
		}
		mu.Lock()
		defer mu.Unlock()
		up, ok := asked[host]
		if !ok {
			up, err = cfg.lookup(host)
			if err != nil {
				fmt.Fprintf(stderr, "regscope: warning: %s; trying %s without credentials\n", oneLine(err.Error()), host)
			}
			asked[host] = up
		}
		return up.user, up.pass, up.user != ""
	}, nil
}

type userPass struct{ user, pass string }

// dockerConfig is what regscope uses of Docker's config.json.
type dockerConfig struct {
	path        string
	auths       map[string]userPass
	credsStore  string            // the helper for every registry without its own
	credHelpers map[string]string // registry host → helper
}

// lookup finds the credentials for host: its credential helper if the
// config names one, else its auths entry. No credentials is not an error.
func (c dockerConfig) lookup(host string) (userPass, error) {
	if helper := c.helper(host); helper != "" {
		return runHelper(helper, helperServer(host))
	}
	for _, k := range authKeys(host) {
		if a, ok := c.auths[k]; ok {
			return a, nil
		}
	}
	return userPass{}, nil
}

// helper names the credential helper for host, as docker chooses it: the
// host's credHelpers entry, else credsStore.
func (c dockerConfig) helper(host string) string {
	for _, k := range authKeys(host) {
		if h, ok := c.credHelpers[k]; ok && h != "" {
			return h
		}
	}
	return c.credsStore
}

// readDockerConfig reads $DOCKER_CONFIG/config.json or
// ~/.docker/config.json. A missing file means no credentials.
func readDockerConfig(getenv func(string) string) (dockerConfig, error) {
	dir := getenv("DOCKER_CONFIG")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return dockerConfig{}, nil
		}
		dir = filepath.Join(home, ".docker")
	}
	path := filepath.Join(dir, "config.json")
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return dockerConfig{}, nil
	}
	if err != nil {
		return dockerConfig{}, err
	}
	var raw struct {
		Auths map[string]struct {
			Auth     string `json:"auth"`
			Username string `json:"username"`
			Password string `json:"password"`
		} `json:"auths"`
		CredsStore  string            `json:"credsStore"`
		CredHelpers map[string]string `json:"credHelpers"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return dockerConfig{}, fmt.Errorf("%s: %v", path, err)
	}
	cfg := dockerConfig{path: path, auths: map[string]userPass{}, credsStore: raw.CredsStore, credHelpers: raw.CredHelpers}
	for k, a := range raw.Auths {
		up := userPass{a.Username, a.Password}
		if a.Auth != "" {
			dec, err := base64.StdEncoding.DecodeString(a.Auth)
			if err != nil {
				return dockerConfig{}, fmt.Errorf("%s: auths[%q].auth is not base64", path, k)
			}
			u, p, ok := strings.Cut(string(dec), ":")
			if !ok {
				return dockerConfig{}, fmt.Errorf("%s: auths[%q].auth is not user:password", path, k)
			}
			up = userPass{u, p}
		}
		if up.user != "" {
			cfg.auths[k] = up
		}
	}
	return cfg, nil
}

// dockerHubKey is the server URL docker files Docker Hub's credentials
// under, in auths and when asking a credential helper.
const dockerHubKey = "https://index.docker.io/v1/"

// isDockerHub reports whether host is one of Docker Hub's names.
func isDockerHub(host string) bool {
	return host == "docker.io" || host == "index.docker.io" || host == "registry-1.docker.io"
}

// authKeys lists the keys Docker's config may use for a registry host.
func authKeys(host string) []string {
	keys := []string{host, "https://" + host, "http://" + host, "https://" + host + "/v1/", "https://" + host + "/v2/"}
	if isDockerHub(host) {
		keys = append(keys, dockerHubKey, "index.docker.io", "docker.io", "registry-1.docker.io")
	}
	return keys
}
