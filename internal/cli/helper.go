package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// Docker credential helpers: programs named docker-credential-NAME on
// $PATH that answer `get` with the credentials for the server URL read
// from stdin, as JSON {"ServerURL","Username","Secret"} on stdout. This is
// the protocol of github.com/docker/docker-credential-helpers, which
// docker, crane and podman all speak.

// helperNotFound is what helpers print (and exit non-zero with) when they
// hold nothing for the server: no credentials, not a failure.
const helperNotFound = "credentials not found in native keychain"

// identityTokenUser is the Username a helper returns when Secret is an
// OAuth2 refresh (identity) token rather than a password.
const identityTokenUser = "<token>"

// helperTimeout bounds one helper run; helpers may prompt (a keychain
// unlock, a hardware key), so it is generous.
const helperTimeout = 2 * time.Minute

// helperServer is the server URL a helper is asked about for host: the
// host itself, or docker's legacy URL for Docker Hub.
func helperServer(host string) string {
	if isDockerHub(host) {
		return dockerHubKey
	}
	return host
}

// runHelper runs `docker-credential-NAME get` for server. A helper that
// holds nothing for server gives no credentials and no error.
func runHelper(name, server string) (userPass, error) {
	prog := "docker-credential-" + name
	ctx, cancel := context.WithTimeout(context.Background(), helperTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, prog, "get")
	cmd.Stdin = strings.NewReader(server)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	out := strings.TrimSpace(stdout.String())
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) && out == helperNotFound {
			return userPass{}, nil
		}
		if out == "" {
			out = strings.TrimSpace(stderr.String())
		}
		if errors.As(err, &exit) && out != "" {
			err = fmt.Errorf("%v: %s", err, truncate(out, 200))
		}
		return userPass{}, fmt.Errorf("credential helper %s for %s: %v", prog, server, err)
	}
	var resp struct {
		Username string `json:"Username"`
		Secret   string `json:"Secret"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &resp); err != nil {
		return userPass{}, fmt.Errorf("credential helper %s for %s: its answer is not the credentials JSON: %v", prog, server, err)
	}
	switch {
	case resp.Username == identityTokenUser:
		return userPass{}, fmt.Errorf("credential helper %s for %s returned an identity token, which regscope cannot use (it needs a username and password or access token)", prog, server)
	case resp.Username == "" || resp.Secret == "":
		return userPass{}, fmt.Errorf("credential helper %s for %s returned no username or no secret", prog, server)
	}
	return userPass{resp.Username, resp.Secret}, nil
}
