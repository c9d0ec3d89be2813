//go:build !js

package main

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/pagepull"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/tartest"
	"github.com/regscope/regscope/pkg/pull"
	"github.com/regscope/regscope/pkg/registry"
)

// The JSON access log of a pull with credentials through the relay (Basic
// to the token realm, Bearer to the registry, scopes in the realm's query)
// names every request's path, status and outcome, and never a password, a
// token or a query.
func TestAccessLogCarriesNoSecrets(t *testing.T) {
	reg := regtest.StartDistribution(t, regtest.Token)
	ref := reg.Host + "/team/private:1"
	regtest.Push(t, ref, imagetest.Image(t, imagetest.OCI,
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "secret-free", Body: "hello"})))
	realm := strings.TrimPrefix(reg.Issuer.URL, "http://")
	realmHost := realm[:strings.IndexByte(realm, '/')]
	srv := startServe(t, "--insecure-registry", reg.Host, "--insecure-registry", realmHost, "--log-format", "json")

	_, err := pagepull.PullWith(t.Context(), strings.TrimSuffix(srv.url, "/"), ref, pull.Options{Registry: registry.Options{
		Credentials: func(string) (string, string, bool) { return regtest.User, regtest.Password, true },
	}})
	if err != nil {
		t.Fatalf("pull with credentials: %v", err)
	}
	if srv.stop() != 0 {
		t.Fatalf("serve exited with an error: %s", srv.log.String())
	}
	log := srv.log.String()
	secrets := []string{regtest.Password, base64.StdEncoding.EncodeToString([]byte(regtest.User + ":" + regtest.Password)), "scope", "service=", "?"}
	secrets = append(secrets, reg.Issuer.Tokens()...)
	if len(secrets) < 6 {
		t.Fatalf("no token was issued; log:\n%s", log)
	}
	for _, s := range secrets {
		if strings.Contains(log, s) {
			t.Errorf("the log contains %q:\n%s", s, log)
		}
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		var rec struct {
			Msg, Method, Path, Outcome string
			Status                     int
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q is not JSON: %v", line, err)
		}
		if rec.Msg == "request" {
			seen[rec.Method+" "+rec.Path+" "+rec.Outcome] = true
		}
	}
	for _, want := range []string{
		"GET /relay/" + reg.Host + "/v2/ unauthorized",
		"GET /relay/" + realm + " ok",
		"GET /relay/" + reg.Host + "/v2/team/private/manifests/1 ok",
	} {
		if !seen[want] {
			t.Errorf("no access log record %q in %v", want, seen)
		}
	}
}

// A graceful shutdown lets a blob being streamed through the relay finish
// (every byte, digest intact) and then exits 0; with a deadline too short
// for the stream, the stream is cut and the server still exits 0.
func TestShutdownLetsStreamsFinish(t *testing.T) {
	var f regtest.Faults
	host := regtest.GGCRWith(t, f.Wrap)
	body := "slow bytes"
	img := imagetest.Image(t, imagetest.OCI, imagetest.Layer(t, imagetest.None, tartest.Entry{Name: "slow", Body: body}))
	regtest.Push(t, host+"/team/slow:1", img)
	ls, _ := img.Layers()
	d, _ := ls[0].Digest()
	path := "relay/" + host + "/v2/team/slow/blobs/" + d.String()

	for _, tc := range []struct {
		name     string
		timeout  string
		drip     time.Duration // per byte, ≈2 kB
		finishes bool
	}{{"stream finishes", "30s", time.Millisecond, true}, {"stream cut at the deadline", "100ms", 10 * time.Millisecond, false}} {
		t.Run(tc.name, func(t *testing.T) {
			f = regtest.Faults{}
			f.Add(regtest.Fault{Kind: regtest.Drip, Path: "/blobs/", Offset: 100, Delay: tc.drip})
			srv := startServe(t, "--insecure-registry", host, "--shutdown-timeout", tc.timeout)
			resp, err := http.Get(srv.url + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			first := make([]byte, 100)
			if _, err := io.ReadFull(resp.Body, first); err != nil {
				t.Fatalf("first bytes: %v", err)
			}
			stopped := make(chan int, 1)
			go func() { stopped <- srv.stop() }()
			rest, err := io.ReadAll(resp.Body)
			h := sha256.Sum256(append(first, rest...))
			got := "sha256:" + hex.EncodeToString(h[:])
			if tc.finishes && (err != nil || got != d.String()) {
				t.Errorf("stream during shutdown: %v, digest %s; want every byte of %s", err, got, d)
			}
			if !tc.finishes && err == nil {
				t.Errorf("stream past the deadline read to the end (%d bytes); want it cut", len(first)+len(rest))
			}
			if code := <-stopped; code != 0 {
				t.Errorf("exit %d; log:\n%s", code, srv.log.String())
			}
			if !strings.Contains(srv.log.String(), `msg="shutting down" timeout=`+tc.timeout) {
				t.Errorf("log does not tell of the shutdown:\n%s", srv.log.String())
			}
		})
	}
}

// Every serve flag has an environment variable, REGSCOPE_ and its name in
// capitals with _ for -; the command line wins; repeatable flags take a
// comma-separated list; a bad value names the variable.
func TestServeFlagsFromEnvironment(t *testing.T) {
	fl := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fl.String("addr", "127.0.0.1:8080", "")
	format := fl.String("log-format", "text", "")
	var insecure listFlag
	fl.Var(&insecure, "insecure-registry", "")
	env := map[string]string{
		"REGSCOPE_ADDR":              "0.0.0.0:9000",
		"REGSCOPE_LOG_FORMAT":        "json",
		"REGSCOPE_INSECURE_REGISTRY": "a:5000, b:5000",
	}
	if err := fl.Parse([]string{"--addr", "127.0.0.1:1"}); err != nil {
		t.Fatal(err)
	}
	if err := applyEnv(fl, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if *addr != "127.0.0.1:1" || *format != "json" || strings.Join(insecure, " ") != "a:5000 b:5000" {
		t.Errorf("addr %q, log-format %q, insecure %q; want the flag's 127.0.0.1:1, json, [a:5000 b:5000]", *addr, *format, insecure)
	}

	var stderr regtest.SyncBuffer
	t.Setenv("REGSCOPE_SHUTDOWN_TIMEOUT", "soon")
	if code := runServe(t.Context(), []string{"--addr", "127.0.0.1:0"}, io.Discard, &stderr); code != 2 ||
		stderr.String() != "regscope serve: REGSCOPE_SHUTDOWN_TIMEOUT=\"soon\": parse error\n" {
		t.Errorf("bad variable: exit %d, stderr %q", code, stderr.String())
	}
}

// The variables deploy/compose.yaml, the Dockerfile and docs/DEPLOY.md name
// are serve flags' variables, and DEPLOY.md's table names every flag.
func TestDeployNamesRealVariables(t *testing.T) {
	var help regtest.SyncBuffer
	if code := runServe(t.Context(), []string{"-h"}, io.Discard, &help); code != 2 {
		t.Fatalf("serve -h: exit %d", code)
	}
	flags := map[string]bool{}
	for _, line := range strings.Split(help.String(), "\n") {
		if name, ok := strings.CutPrefix(line, "  -"); ok {
			flags[envName(strings.Fields(name)[0])] = true
		}
	}
	if len(flags) < 13 {
		t.Fatalf("only %d flags in serve -h:\n%s", len(flags), help.String())
	}
	varRE := regexp.MustCompile(`REGSCOPE_[A-Z_]+`)
	for _, file := range []string{"deploy/compose.yaml", "deploy/Dockerfile", "docs/DEPLOY.md"} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range varRE.FindAllString(string(b), -1) {
			if !flags[v] && v != "REGSCOPE_" {
				t.Errorf("%s names %s, which is no serve flag's variable", file, v)
			}
		}
		if file == "docs/DEPLOY.md" {
			for v := range flags {
				if !strings.Contains(string(b), "`"+v+"`") {
					t.Errorf("docs/DEPLOY.md does not list %s", v)
				}
			}
		}
	}
}
