package cli

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// credentials returns the lookup the registry client calls when a registry
// asks for credentials. Flags win, then REGSCOPE_USERNAME/REGSCOPE_PASSWORD;
// both apply to the reference's own registry only. Every other registry (and
// the image's own, when neither is given) is looked up in the `auths` of
// Docker's config.json. Credential helpers are not run.
func credentials(domain, user, pass string, getenv func(string) string) (func(host string) (string, string, bool), error) {
	if user == "" && pass == "" {
		user, pass = getenv("REGSCOPE_USERNAME"), getenv("REGSCOPE_PASSWORD")
	}
	if (user == "") != (pass == "") {
		return nil, fmt.Errorf("credentials for %s: give both a username and a password", domain)
	}
	auths, err := dockerAuths(getenv)
	if err != nil {
		return nil, err
	}
	return func(host string) (string, string, bool) {
		if user != "" && host == domain {
			return user, pass, true
		}
		for _, k := range authKeys(host) {
			if a, ok := auths[k]; ok {
				return a.user, a.pass, true
			}
		}
		return "", "", false
	}, nil
}

type userPass struct{ user, pass string }

// dockerAuths reads the auths of $DOCKER_CONFIG/config.json or
// ~/.docker/config.json. A missing file means no credentials.
func dockerAuths(getenv func(string) string) (map[string]userPass, error) {
	dir := getenv("DOCKER_CONFIG")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return nil, nil
		}
		dir = filepath.Join(home, ".docker")
	}
	path := filepath.Join(dir, "config.json")
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var cfg struct {
		Auths map[string]struct {
			Auth     string `json:"auth"`
			Username string `json:"username"`
			Password string `json:"password"`
		} `json:"auths"`
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	out := map[string]userPass{}
	for k, a := range cfg.Auths {
		up := userPass{a.Username, a.Password}
		if a.Auth != "" {
			raw, err := base64.StdEncoding.DecodeString(a.Auth)
			if err != nil {
				return nil, fmt.Errorf("%s: auths[%q].auth is not base64", path, k)
			}
			u, p, ok := strings.Cut(string(raw), ":")
			if !ok {
				return nil, fmt.Errorf("%s: auths[%q].auth is not user:password", path, k)
			}
			up = userPass{u, p}
		}
		if up.user != "" {
			out[k] = up
		}
	}
	return out, nil
}

// authKeys lists the keys Docker's config may use for a registry host.
func authKeys(host string) []string {
	keys := []string{host, "https://" + host, "http://" + host, "https://" + host + "/v1/", "https://" + host + "/v2/"}
	if host == "docker.io" || host == "index.docker.io" || host == "registry-1.docker.io" {
		keys = append(keys, "https://index.docker.io/v1/", "index.docker.io", "docker.io", "registry-1.docker.io")
	}
	return keys
}
