//go:build !js

package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/regscope/regscope/internal/regtest"
)

// server is one `regscope serve` process on 127.0.0.1 at a port it chose.
type server struct {
	url  string // "http://127.0.0.1:PORT"
	host string // "127.0.0.1:PORT"
	cmd  *exec.Cmd
	log  *regtest.SyncBuffer // stderr: build progress, relay lines, errors
	done chan struct{}       // closed when the process has exited
	err  error               // the process's exit error, once done
}

// startServer runs `regscope serve --addr 127.0.0.1:0 args...` from the module
// root (the server builds the page's wasm from there at start-up) and returns
// once /api/info reports the wasm ready.
func startServer(ctx context.Context, args ...string) (*server, error) {
	// One cache directory for every server: the page's WebAssembly and its
	// encodings are kept there by content hash, so brotli (tens of seconds
	// of a core) is made once for the run, not by every server in the
	// background while the browser tests compete for the cores.
	cache := filepath.Join(env.tmp, "cache-servers")
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return nil, err
	}
	s := &server{log: &regtest.SyncBuffer{}, done: make(chan struct{})}
	s.cmd = exec.Command(env.bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	s.cmd.Dir = env.root
	s.cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+cache, "GOCACHE="+env.gocache)
	s.cmd.Stderr = s.log
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %v", env.bin, err)
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "regscope: open "); ok {
				select {
				case addr <- strings.TrimSuffix(u, "/"):
				default:
				}
			}
		}
	}()
	go func() {
		s.err = s.cmd.Wait()
		close(s.done)
	}()
	select {
	case s.url = <-addr:
		s.host = strings.TrimPrefix(s.url, "http://")
	case <-s.done:
		return nil, fmt.Errorf("regscope serve %s exited before listening: %v\n%s", strings.Join(args, " "), s.err, s.log)
	case <-ctx.Done():
		s.stop()
		return nil, fmt.Errorf("regscope serve %s did not print its URL: %v\n%s", strings.Join(args, " "), ctx.Err(), s.log)
	}
	if err := s.waitReady(ctx); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

// startServerT is startServer for one test: stopped at Cleanup, its log
// printed when the test failed.
func startServerT(t testing.TB, args ...string) *server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := startServer(ctx, args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.stop(); err != nil {
			t.Errorf("stopping the server: %v", err)
		}
		if t.Failed() {
			t.Logf("server log (regscope serve %s):\n%s", strings.Join(args, " "), s.tail(150))
		}
	})
	return s
}

// info is the part of GET /api/info the tests read.
type info struct {
	View       string `json:"view"`
	Engine     string `json:"engine"`
	WasmStatus string `json:"wasmStatus"`
	Images     []struct {
		Ref string `json:"ref"`
	} `json:"images"`
}

// waitReady polls /api/info until the wasm is built (or its build failed).
func (s *server) waitReady(ctx context.Context) error {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var last string
	for {
		in, err := s.info(ctx)
		switch {
		case err != nil:
			last = err.Error()
		case in.WasmStatus == "ready":
			return nil
		case strings.HasPrefix(in.WasmStatus, "failed"):
			return fmt.Errorf("%s: the page's wasm did not build: %s", s.url, in.WasmStatus)
		default:
			last = "wasmStatus " + in.WasmStatus
		}
		select {
		case <-tick.C:
		case <-s.done:
			return fmt.Errorf("%s exited: %v\n%s", s.url, s.err, s.log)
		case <-ctx.Done():
			return fmt.Errorf("%s not ready (%s): %v\n%s", s.url, last, ctx.Err(), s.log)
		}
	}
}

func (s *server) info(ctx context.Context) (*info, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url+"/api/info", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /api/info: %s", resp.Status)
	}
	var in info
	if err := json.NewDecoder(resp.Body).Decode(&in); err != nil {
		return nil, fmt.Errorf("GET /api/info: %v", err)
	}
	return &in, nil
}

// stop interrupts the server, waits for it to shut down (killing it after
// 15 s) and reports an unclean exit.
func (s *server) stop() error {
	select {
	case <-s.done:
		return nil // already stopped (or died: the caller sees it in the log)
	default:
	}
	s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(15 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
		return errors.New("did not exit within 15s of SIGINT; killed")
	}
	if s.err != nil {
		return fmt.Errorf("exited with %v", s.err)
	}
	return nil
}

// tail returns the last n lines of the server's log.
func (s *server) tail(n int) string {
	lines := strings.Split(strings.TrimRight(s.log.String(), "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("… %d lines before", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}
