//go:build !js

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/regscope/regscope/internal/demo"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/relay"
	"github.com/regscope/regscope/internal/wasmbin"
)

func TestServerRoutes(t *testing.T) {
	static := fstest.MapFS{
		"index.html": {Data: []byte("<!doctype html><title>regscope</title>")},
		"style.css":  {Data: []byte("body{}")},
	}
	view := wasmbin.NewModule(wasmbin.View, wasmbin.Compress([]byte("\x00asm\x01\x00\x00\x00view")), nil)
	engine := wasmbin.NewModule(wasmbin.Engine, wasmbin.Compress([]byte("\x00asm\x01\x00\x00\x00engine")), nil)
	bin := wasmbin.NewBinary(view, engine, []byte("// wasm_exec.js"))
	reg, err := demo.New(context.Background(), demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rel, err := relay.New(relay.Options{})
	if err != nil {
		t.Fatal(err)
	}
	gate, err := relay.NewGate(relay.GateOptions{Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(newHandler(static, wasmbin.Ready(bin), reg, rel, gate))
	defer srv.Close()

	for _, tc := range []struct {
		method, path string
		header       map[string]string
		status       int
		wantHeader   map[string]string
		wantBody     string
	}{
		{"GET", "/", nil, 200, map[string]string{"Cache-Control": "no-cache"}, "<title>regscope</title>"},
		{"GET", "/style.css", nil, 200, map[string]string{"Content-Type": "text/css; charset=utf-8"}, "body{}"},
		{"POST", "/", nil, 405, nil, ""},
		{"GET", "/view.wasm?v=" + view.ETag(), map[string]string{"Accept-Encoding": "gzip"}, 200,
			map[string]string{"Content-Type": "application/wasm", "Content-Encoding": "gzip", "Cache-Control": "public, max-age=31536000, immutable"}, ""},
		{"GET", "/view.wasm", map[string]string{"Accept-Encoding": "identity"}, 200,
			map[string]string{"Content-Type": "application/wasm", "Cache-Control": "no-cache"}, "\x00asm\x01\x00\x00\x00view"},
		{"GET", "/engine.wasm?v=" + engine.ETag(), map[string]string{"Accept-Encoding": "identity"}, 200,
			map[string]string{"Content-Type": "application/wasm", "Cache-Control": "public, max-age=31536000, immutable"}, "\x00asm\x01\x00\x00\x00engine"},
		{"GET", "/regscope.wasm", nil, 404, nil, ""},
		{"GET", "/wasm_exec.js", nil, 200, nil, "// wasm_exec.js"},
		{"GET", "/v2/", nil, 200, map[string]string{"Content-Security-Policy": "sandbox", "X-Content-Type-Options": "nosniff"}, ""},
		{"HEAD", "/v2/demo/showcase/manifests/latest", map[string]string{"Accept": "application/vnd.oci.image.index.v1+json"}, 200,
			map[string]string{"Content-Type": "application/vnd.oci.image.index.v1+json", "Content-Security-Policy": "sandbox", "X-Content-Type-Options": "nosniff"}, ""},
		{"PUT", "/v2/demo/showcase/manifests/latest", nil, 405, nil, "read-only"},
		{"DELETE", "/v2/demo/showcase/manifests/latest", nil, 405, nil, "read-only"},
		{"GET", "/relay/127.0.0.1:1/v2/", nil, 403, map[string]string{"Access-Control-Allow-Origin": "", relay.RefusalHeader: "1"}, "loopback"},
		// The gate: the relay and the registry answer only to the server's own names and page.
		{"GET", "/relay/registry.example/v2/", map[string]string{"Host": "rebound.example:8080"}, 403, map[string]string{relay.RefusalHeader: "1"},
			`{"error":"Host \"rebound.example:8080\" is not one of this server's names (127.0.0.1, ::1, localhost); a server reached by another name needs --host NAME"}`},
		{"GET", "/v2/", map[string]string{"Host": "rebound.example"}, 403, nil, `is not one of this server's names`},
		{"GET", "/v2/", map[string]string{"Host": "localhost:1234"}, 200, nil, ""},
		{"GET", "/v2/", map[string]string{"Sec-Fetch-Site": "cross-site"}, 403, map[string]string{"Access-Control-Allow-Origin": ""},
			`{"error":"cross-site request refused: only this server's own page, and origins named with --allow-origin, may use it"}`},
		{"GET", "/relay/registry.example/v2/", map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}, 403, nil,
			`{"error":"cross-origin request from \"https://evil.example\" refused: only this server's own page, and origins named with --allow-origin, may use it"}`},
		{"GET", "/relay/registry.example/v2/../../127.0.0.1/v2/", nil, 403, nil, "dot segments"},
		{"POST", "/relay/registry.example/v2/", nil, 405, nil, "POST"},
	} {
		req, _ := http.NewRequest(tc.method, srv.URL+tc.path, nil)
		for k, v := range tc.header {
			req.Header.Set(k, v)
		}
		if h := tc.header["Host"]; h != "" {
			req.Host = h
		}
		tr := &http.Transport{DisableCompression: true}
		resp, err := (&http.Client{Transport: tr}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%s %s: %d, want %d (%s)", tc.method, tc.path, resp.StatusCode, tc.status, body)
			continue
		}
		for k, v := range tc.wantHeader {
			if got := resp.Header.Get(k); got != v {
				t.Errorf("%s %s: %s = %q, want %q", tc.method, tc.path, k, got, v)
			}
		}
		if !bytes.Contains(body, []byte(tc.wantBody)) {
			t.Errorf("%s %s: body %q lacks %q", tc.method, tc.path, body, tc.wantBody)
		}
	}

	// /api/info names images on the host the page was loaded from.
	req, _ := http.NewRequest("GET", srv.URL+"/api/info", nil)
	req.Host = "regscope.example:9000"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var in serverInfo
	if err := json.NewDecoder(resp.Body).Decode(&in); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if in.View != view.ETag() || in.Engine != engine.ETag() || in.View == in.Engine || in.WasmStatus != "ready" || !in.Relay || len(in.Images) < 4 ||
		in.Images[0].Ref != "regscope.example:9000/demo/showcase:latest" || in.Images[0].Title == "" {
		t.Errorf("/api/info = %+v", in)
	}
}

// TestRunServe starts the real command on an ephemeral port, uses it, and
// stops it as SIGINT would.
func TestRunServe(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	outR, outW := io.Pipe()
	var stderr regtest.SyncBuffer
	done := make(chan int, 1)
	go func() {
		done <- runServe(ctx, []string{"--addr", "127.0.0.1:0", "--insecure-registry", "127.0.0.1:5000"}, outW, &stderr)
		outW.Close()
	}()
	line, err := bufio.NewReader(outR).ReadString('\n')
	if err != nil {
		t.Fatalf("no URL printed: %v", err)
	}
	url := strings.TrimSpace(strings.TrimPrefix(line, "regscope: open "))
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("printed %q", line)
	}
	go io.Copy(io.Discard, outR)
	resp, err := http.Get(url + "v2/demo/showcase/tags/list")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "latest") {
		t.Fatalf("tags/list: %d %s", resp.StatusCode, body)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d", code)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("server did not shut down")
	}
}

func TestRunServeBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--insecure-registry", "evil@127.0.0.1:5000"},
		{"--allow-host", "0x7f.1:443"},
		{"--load", "/nonexistent/image.tar"},
		{"--host", "regscope.example:8080"},
		{"--allow-origin", "https://static.example/app"},
		{"extra"},
	} {
		stderr := &regtest.SyncBuffer{}
		code := runServe(context.Background(), append(args, "--addr", "127.0.0.1:0"), io.Discard, stderr)
		if code == 0 || stderr.String() == "" {
			t.Errorf("runServe(%q) = %d, stderr %q; want a failure with a message", args, code, stderr.String())
		}
		if strings.HasPrefix(args[0], "--") && !strings.Contains(stderr.String(), args[1]) {
			t.Errorf("runServe(%q): message %q does not name %q", args, stderr.String(), args[1])
		}
	}
}

// TestExposureWarning: a server listening beyond loopback says so, naming
// what its relay reaches.
func TestExposureWarning(t *testing.T) {
	for _, tc := range []struct {
		addr            string
		insecure, allow []string
		want            string
	}{
		{"127.0.0.1:8080", []string{"registry.corp:5000"}, nil, ""},
		{"[::1]:8080", nil, nil, ""},
		{"0.0.0.0:8080", nil, nil, "regscope: warning: listening on 0.0.0.0:8080, not a loopback address: anyone who can connect may use the relay to reach public registries, and read the embedded registry; put the server behind a proxy that authenticates (see README, \"Serving beyond localhost\")"},
		{"192.0.2.1:80", []string{"registry.corp:5000"}, []string{"10.0.0.8:443"}, "regscope: warning: listening on 192.0.2.1:80, not a loopback address: anyone who can connect may use the relay to reach public registries and registry.corp:5000, 10.0.0.8:443, and read the embedded registry; put the server behind a proxy that authenticates (see README, \"Serving beyond localhost\")"},
	} {
		addr, err := net.ResolveTCPAddr("tcp", tc.addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := exposureWarning(addr, tc.insecure, tc.allow); got != tc.want {
			t.Errorf("exposureWarning(%s) = %q, want %q", tc.addr, got, tc.want)
		}
	}
}

// TestSlowlorisCutOff opens 50 connections that never finish their request
// headers — 20 stop mid-header, 20 trickle a byte every 50 ms, 10 send
// nothing — against the server as runServe builds it, with the relay behind
// it. A relayed request from a well-behaved client is served meanwhile, each
// slow connection is closed by the server after the header timeout (a
// trickle does not extend it), and goroutines return to baseline.
func TestSlowlorisCutOff(t *testing.T) {
	upstream := regtest.GGCR(t)
	rel, err := relay.New(relay.Options{Insecure: []string{upstream}})
	if err != nil {
		t.Fatal(err)
	}
	defer rel.CloseIdleConnections()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	const headerTimeout = 300 * time.Millisecond
	srv := newHTTPServer(rel, log.New(io.Discard, "", 0), headerTimeout)
	go srv.Serve(ln)
	defer srv.Close()
	baseline := runtime.NumGoroutine()

	type mode int
	const (
		stops mode = iota
		trickles
		silent
	)
	var modes []mode
	for range 20 {
		modes = append(modes, stops, trickles)
	}
	for range 10 {
		modes = append(modes, silent)
	}
	held := make(chan time.Duration, len(modes))
	errs := make(chan error, len(modes))
	var wg sync.WaitGroup
	for _, m := range modes {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close()
			start := time.Now()
			closed := make(chan struct{})
			if m != silent {
				io.WriteString(c, "GET /relay/"+upstream+"/v2/ HTTP/1.1\r\nHost: x\r\nX-Slow: ")
			}
			if m == trickles {
				go func() {
					for {
						select {
						case <-closed:
							return
						case <-time.After(50 * time.Millisecond):
							if _, err := c.Write([]byte("a")); err != nil {
								return
							}
						}
					}
				}()
			}
			c.SetReadDeadline(time.Now().Add(10 * time.Second))
			_, err := io.Copy(io.Discard, c) // returns when the server closes (or resets) the connection
			close(closed)
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				errs <- fmt.Errorf("mode %d: the server held the slow connection past 10s", m)
				return
			}
			held <- time.Since(start)
		}()
	}

	// A well-behaved client is served while the slow ones hang.
	resp, err := http.Get("http://" + ln.Addr().String() + "/relay/" + upstream + "/v2/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("relayed request during the slowloris: %d", resp.StatusCode)
	}

	wg.Wait()
	close(held)
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var longest time.Duration
	for d := range held {
		longest = max(longest, d)
	}
	if longest > 5*time.Second {
		t.Errorf("a slow client held its connection %v; header timeout %v", longest, headerTimeout)
	}
	http.DefaultClient.CloseIdleConnections()
	rel.CloseIdleConnections()
	if n := settleGoroutines(baseline); n > baseline+2 {
		t.Errorf("%d goroutines after the slow clients were cut, baseline %d", n, baseline)
	}
	t.Logf("%d slow connections cut; the longest held %v (header timeout %v)", len(modes), longest.Round(time.Millisecond), headerTimeout)
}

// settleGoroutines waits (bounded) for the goroutine count to fall to want.
func settleGoroutines(want int) int {
	deadline := time.Now().Add(5 * time.Second)
	n := runtime.NumGoroutine()
	for n > want && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
		n = runtime.NumGoroutine()
	}
	return n
}

// TestBinaryCarriesOnlyWhatItRuns: the shipped binary links no
// go-containerregistry (a test dependency: the registries tests push to)
// and so none of the Docker CLI code it brings along.
func TestBinaryCarriesOnlyWhatItRuns(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps .: %v", err)
	}
	if !bytes.Contains(out, []byte("github.com/regscope/regscope/internal/demo\n")) {
		t.Fatalf("go list -deps . does not list internal/demo:\n%s", out)
	}
	for _, pkg := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		for _, banned := range []string{"github.com/google/go-containerregistry", "github.com/docker/", "github.com/sirupsen/logrus"} {
			if strings.HasPrefix(pkg, banned) {
				t.Errorf("regscope links %s", pkg)
			}
		}
	}
}
