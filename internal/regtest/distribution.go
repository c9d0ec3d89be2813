//go:build !js

package regtest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// DistributionBinary is where Debian's docker-registry package installs
// CNCF Distribution 2.8.
const DistributionBinary = "/usr/bin/docker-registry"

// Auth selects how a Distribution registry authenticates.
type Auth int

const (
	// None: anyone may pull and push.
	None Auth = iota
	// Htpasswd: Basic authentication, User/Password.
	Htpasswd
	// Token: Bearer tokens from a TokenIssuer run by the test.
	Token
)

// String is "none", "htpasswd" or "token".
func (a Auth) String() string {
	switch a {
	case None:
		return "none"
	case Htpasswd:
		return "htpasswd"
	case Token:
		return "token"
	}
	return "Auth(" + strconv.Itoa(int(a)) + ")"
}

// Registry is a running Distribution process.
type Registry struct {
	Host   string       // "127.0.0.1:PORT"
	Issuer *TokenIssuer // the token service, for Auth Token; nil otherwise
}

// Distribution starts Debian's docker-registry with auth and returns its
// host; see StartDistribution.
func Distribution(t testing.TB, auth Auth) string {
	t.Helper()
	return StartDistribution(t, auth).Host
}

// StartDistribution starts /usr/bin/docker-registry (CNCF Distribution 2.8)
// with a generated config.yml: filesystem storage in t.TempDir(), listening
// on 127.0.0.1 at a free port, with the given authentication (for Token, a
// new TokenIssuer whose certificate is the rootcertbundle). It returns once
// /v2/ answers, and kills the process at t.Cleanup.
//
// A missing binary is fatal — install it with `apt-get install
// docker-registry` — except under -short, where the test is skipped.
func StartDistribution(t testing.TB, auth Auth) *Registry {
	t.Helper()
	requireDistribution(t)
	dir := t.TempDir()
	reg := &Registry{}
	authYAML := ""
	switch auth {
	case Htpasswd:
		file := filepath.Join(dir, "htpasswd")
		writeFile(t, file, htpasswdLine)
		authYAML = fmt.Sprintf("auth:\n  htpasswd:\n    realm: regtest\n    path: %s\n", file)
	case Token:
		reg.Issuer = NewTokenIssuer(t)
		bundle := filepath.Join(dir, "token.pem")
		writeFile(t, bundle, string(reg.Issuer.CertPEM))
		authYAML = fmt.Sprintf("auth:\n  token:\n    realm: %s\n    service: %s\n    issuer: %s\n    rootcertbundle: %s\n",
			reg.Issuer.URL, reg.Issuer.Service, reg.Issuer.Issuer, bundle)
	}

	runDistribution(t, dir, reg, "", authYAML)
	return reg
}

// StartDistributionCORS starts Debian's docker-registry as StartDistribution
// does, anonymous, configured (http.headers) to send the CORS headers a page
// at origin needs to pull from it directly: Access-Control-Allow-Origin,
// -Allow-Headers (Authorization, Accept, Range) and -Expose-Headers
// (Docker-Content-Digest, WWW-Authenticate, Content-Range, Link).
// Distribution answers the preflight OPTIONS itself.
func StartDistributionCORS(t testing.TB, origin string) *Registry {
	t.Helper()
	requireDistribution(t)
	reg := &Registry{}
	headers := fmt.Sprintf(`  headers:
    Access-Control-Allow-Origin: [%q]
    Access-Control-Allow-Headers: ["Authorization, Accept, Range"]
    Access-Control-Expose-Headers: ["Docker-Content-Digest, WWW-Authenticate, Content-Range, Link"]
`, origin)
	runDistribution(t, t.TempDir(), reg, headers, "")
	return reg
}

// StartProxy starts Debian's docker-registry as a pull-through cache
// (proxy.remoteurl) of remote ("http://127.0.0.1:PORT"), anonymous, as
// StartDistribution starts a registry.
func StartProxy(t testing.TB, remote string) *Registry {
	t.Helper()
	requireDistribution(t)
	reg := &Registry{}
	runDistribution(t, t.TempDir(), reg, "", fmt.Sprintf("proxy:\n  remoteurl: %s\n", remote))
	return reg
}

func requireDistribution(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(DistributionBinary); err != nil {
		if testing.Short() {
			t.Skipf("regtest: %s missing (apt-get install docker-registry); skipped in -short mode", DistributionBinary)
		}
		t.Fatalf("regtest: %s missing: apt-get install docker-registry (%v)", DistributionBinary, err)
	}
}

// runDistribution writes a config with httpYAML added to its http section
// and extraYAML appended into dir, and starts the registry on a free port,
// which it sets in reg.Host.
func runDistribution(t testing.TB, dir string, reg *Registry, httpYAML, extraYAML string) {
	t.Helper()
	var lastErr error
	for try := 0; try < 3; try++ { // the free port may be taken before the registry binds it
		reg.Host = freeAddr(t)
		config := filepath.Join(dir, "config.yml")
		writeFile(t, config, fmt.Sprintf(`version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: %s
  delete:
    enabled: true
http:
  addr: %s
  secret: regtest-not-secret
%s%s`, filepath.Join(dir, "data"), reg.Host, httpYAML, extraYAML))
		if lastErr = start(t, config, reg.Host); lastErr == nil {
			return
		}
	}
	t.Fatalf("regtest: starting %s: %v", DistributionBinary, lastErr)
}

// start runs the registry and waits for /v2/ to answer (any status).
func start(t testing.TB, config, host string) error {
	t.Helper()
	cmd := exec.Command(DistributionBinary, "serve", config)
	var out SyncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		cmd.Process.Kill()
		<-exited
	}

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+host+"/v2/", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			t.Cleanup(stop)
			return nil
		}
		select {
		case err := <-exited:
			exited <- err
			return fmt.Errorf("exited before answering (%v): %s", err, out.String())
		case <-ctx.Done():
			stop()
			return fmt.Errorf("no answer on http://%s/v2/ within 15s: %s", host, out.String())
		case <-tick.C:
		}
	}
}

// freeAddr returns a 127.0.0.1 address with a port free a moment ago.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("regtest: finding a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().String()
}

func writeFile(t testing.TB, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
		t.Fatalf("regtest: %v", err)
	}
}

// SyncBuffer is a bytes.Buffer safe for concurrent writers: a process's
// output from two pipes, a server's log, a browser's console.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *SyncBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *SyncBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
