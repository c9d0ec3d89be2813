//go:build !js

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// env is what TestMain prepares once for the whole package: the built binary,
// one server with default flags, and one headless Chromium. It is written
// only by TestMain, before any test runs.
var env struct {
	root    string // the module root (the server builds the wasm from it)
	bin     string // the built regscope binary
	gocache string // the go build cache shared by every server's wasm build
	tmp     string // removed after the run

	srv        *server // `regscope serve` with no flags: the demo images, relay allowing nothing private
	browser    *browser
	browserErr error // why the browser could not start (a test needing it fails with this)
}

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	fail := func(format string, a ...any) int {
		fmt.Fprintf(os.Stderr, "e2e: "+format+"\n", a...)
		return 1
	}
	var err error
	if env.tmp, err = os.MkdirTemp("", "regscope-e2e-"); err != nil {
		return fail("%v", err)
	}
	defer os.RemoveAll(env.tmp)
	if env.root, err = moduleRoot(); err != nil {
		return fail("%v", err)
	}
	out, err := exec.Command("go", "env", "GOCACHE").Output()
	if err != nil {
		return fail("go env GOCACHE: %v", err)
	}
	env.gocache = strings.TrimSpace(string(out))
	// The CLI run as an oracle keeps its blob cache in env.tmp, not in the
	// home directory of whoever runs the tests; builds keep the shared Go
	// build cache (which lives under the user cache directory by default).
	for k, v := range map[string]string{"GOCACHE": env.gocache, "XDG_CACHE_HOME": filepath.Join(env.tmp, "cache")} {
		if err := os.Setenv(k, v); err != nil {
			return fail("%v", err)
		}
	}

	env.bin = filepath.Join(env.tmp, "regscope")
	build := exec.Command("go", "build", "-o", env.bin, ".")
	build.Dir = env.root
	if out, err := build.CombinedOutput(); err != nil {
		return fail("go build -o %s . failed: %v\n%s", env.bin, err, out)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	env.srv, err = startServer(ctx)
	cancel()
	if err != nil {
		return fail("%v", err)
	}
	defer func() {
		if err := env.srv.stop(); err != nil {
			fmt.Fprintf(os.Stderr, "e2e: stopping the shared server: %v\n", err)
		}
	}()

	env.browser, env.browserErr = startBrowser(filepath.Join(env.tmp, "chromium"))
	if env.browser != nil {
		defer env.browser.close()
	}

	code := m.Run()
	if code != 0 {
		fmt.Fprintf(os.Stderr, "e2e: the shared server's log (%s):\n%s\n", env.srv.url, env.srv.tail(200))
	}
	return code
}

// moduleRoot walks up from the working directory to the directory holding go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}
