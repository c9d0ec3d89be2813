//go:build !js

package e2e

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/regscope/regscope/internal/regtest"
)

// NginxBinary is where Debian's nginx package installs nginx.
const NginxBinary = "/usr/sbin/nginx"

// deployment is deploy/'s example made of real processes on loopback: an
// upstream registry (Debian's docker-registry) behind a wrapper that counts
// its requests, a second docker-registry in proxy mode as the mirror
// (behind a wrapper that can break its answers), `regscope serve` replicas
// with --mirror, and Debian's nginx with deploy/nginx.conf balancing them.
type deployment struct {
	upstream string          // the counting wrapper's host:port
	up       *regtest.Faults // what the upstream received
	upBytes  atomic.Int64    // body bytes the upstream sent
	mirror   string          // the mirror wrapper's host:port ("" without a mirror)
	mir      *regtest.Faults
	replicas []*server
	lb       string // the balancer's origin, "http://127.0.0.1:PORT"
}

// startDeployment starts n replicas, with the mirror when mirror is true.
func startDeployment(t testing.TB, n int, mirror bool) *deployment {
	t.Helper()
	d := &deployment{up: &regtest.Faults{}, mir: &regtest.Faults{}}
	d.upstream = regtest.Front(t, regtest.Distribution(t, regtest.None), func(h http.Handler) http.Handler {
		return countBytes(d.up.Wrap(h), &d.upBytes)
	})
	args := []string{"--insecure-registry", d.upstream, "--trusted-proxy", "127.0.0.1"}
	if mirror {
		d.mirror = regtest.Front(t, regtest.StartProxy(t, "http://"+d.upstream).Host, d.mir.Wrap)
		args = append(args, "--mirror", d.upstream+"=http://"+d.mirror)
	}
	for range n {
		// One wasm cache for the replicas, started one after the other: the
		// second finds the first one's build.
		ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
		s, err := startServer(ctx, args...)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.stop() })
		d.replicas = append(d.replicas, s)
	}
	d.lb = startNginx(t, d.replicas)
	return d
}

// startNginx runs nginx in the foreground with deploy/nginx.conf, its
// upstream servers replaced by the replicas, on a free loopback port, and
// returns its origin. It stops at the test's end.
func startNginx(t testing.TB, replicas []*server) string {
	t.Helper()
	if _, err := os.Stat(NginxBinary); err != nil {
		t.Fatalf("%s missing: install it with `apt-get install -y nginx` (%v)", NginxBinary, err)
	}
	conf, err := os.ReadFile(filepath.Join(env.root, "deploy", "nginx.conf"))
	if err != nil {
		t.Fatal(err)
	}
	var servers []string
	for _, s := range replicas {
		servers = append(servers, "    server "+s.host+" max_fails=1 fail_timeout=10s;")
	}
	site := string(conf)
	for _, example := range []string{"regscope-1:8080", "regscope-2:8080"} {
		line := "    server " + example + " max_fails=1 fail_timeout=10s;"
		if !strings.Contains(site, line) {
			t.Fatalf("deploy/nginx.conf lacks %q", line)
		}
		site = strings.Replace(site, line, "", 1)
	}
	site = strings.Replace(site, "upstream regscope {\n", "upstream regscope {\n"+strings.Join(servers, "\n")+"\n", 1)
	dir := t.TempDir()
	addr := freePort(t)
	site = strings.Replace(site, "listen 8080;", "listen "+addr+";", 1)
	main := fmt.Sprintf(`daemon off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;
events { worker_connections 1024; }
http {
    access_log %[1]s/access.log;
    client_body_temp_path %[1]s/body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
    include %[1]s/regscope.conf;
}
`, dir)
	for name, body := range map[string]string{"nginx.conf": main, "regscope.conf": site} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(NginxBinary, "-p", dir, "-c", filepath.Join(dir, "nginx.conf"))
	var out regtest.SyncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	})
	origin := "http://" + addr
	for try := 0; ; try++ {
		if resp, err := http.Get(origin + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return origin
			}
		}
		if try == 2400 { // a minute, on a busy machine
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("nginx on %s does not answer /healthz: %s%s", addr, out.String(), log)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

func freePort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// blobGets counts the GETs of blob path (regtest.BlobPath) w received.
func blobGets(w *regtest.Faults, path string) int {
	n := 0
	for _, s := range w.Seen(path) {
		if s.Method == http.MethodGet {
			n++
		}
	}
	return n
}

// metric reads one series from a replica's /metrics; -1 when absent.
func metric(t testing.TB, s *server, series string) float64 {
	t.Helper()
	resp, err := http.Get(s.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %q: %v", series, sc.Text(), err)
			}
			return f
		}
	}
	return -1
}

// countBytes adds the body bytes next writes to n.
func countBytes(next http.Handler, n *atomic.Int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&byteCounter{ResponseWriter: w, n: n}, r)
	})
}

type byteCounter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (c *byteCounter) Write(p []byte) (int, error) {
	k, err := c.ResponseWriter.Write(p)
	c.n.Add(int64(k))
	return k, err
}

func (c *byteCounter) Unwrap() http.ResponseWriter { return c.ResponseWriter }
