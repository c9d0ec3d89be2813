//go:build !js

package registry

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/regscope/regscope/internal/regtest"
)

// The token endpoint failing: 5xx bursts are retried a bounded number of
// times, a hung endpoint is abandoned after StallTimeout, bad credentials
// stop at once; every error names the realm.
func TestTokenEndpointFaults(t *testing.T) {
	reg := regtest.StartDistribution(t, regtest.Token)
	p := pushRandom(t, reg.Host, "test/img", 1000, 1)
	realm := reg.Issuer.URL
	tf := &reg.Issuer.Faults
	for _, tc := range []struct {
		name     string
		fault    *regtest.Fault
		pass     string
		requests int    // token requests
		fails    string // "" = success
		is       error
	}{
		{name: "503 twice", fault: &regtest.Fault{Kind: regtest.Status, Code: 503, Times: 2}, requests: 3},
		{name: "502 always", fault: &regtest.Fault{Kind: regtest.Status, Code: 502}, requests: 3, fails: "token from " + realm + " for " + reg.Host + ": GET " + realm + ": 502 Bad Gateway"},
		{name: "500 always", fault: &regtest.Fault{Kind: regtest.Status, Code: 500}, requests: 3, fails: "500 Internal Server Error"},
		{name: "hangs", fault: &regtest.Fault{Kind: regtest.Hang}, requests: 3, fails: realm + ": stalled"},
		{name: "bad credentials", pass: "not-the-password", requests: 1, fails: "token from " + realm, is: ErrUnauthorized},
		{name: "404 realm", fault: &regtest.Fault{Kind: regtest.Status, Code: 404}, requests: 1, fails: "token from " + realm, is: ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			*tf = regtest.Faults{}
			if tc.fault != nil {
				tf.Add(*tc.fault)
			}
			pass := regtest.Password
			if tc.pass != "" {
				pass = tc.pass
			}
			c := fastClient(Options{MaxAttempts: 3, StallTimeout: 150 * time.Millisecond, Credentials: alice(reg.Host, pass)})
			start := time.Now()
			_, err := c.Manifest(context.Background(), p.ref, "tag", manifestTypes, maxManifest)
			switch {
			case tc.fails == "" && err != nil:
				t.Errorf("err = %v, want success", err)
			case tc.fails != "" && (err == nil || !strings.Contains(err.Error(), tc.fails)):
				t.Errorf("err = %v, want %q", err, tc.fails)
			case tc.is != nil && !errors.Is(err, tc.is):
				t.Errorf("err = %v, want errors.Is %v", err, tc.is)
			}
			if err != nil && strings.Contains(err.Error(), pass) {
				t.Errorf("error %q contains the password", err)
			}
			if n := len(tf.Seen("/token")); n != tc.requests {
				t.Errorf("%d token requests, want %d", n, tc.requests)
			}
			if el := time.Since(start); el > 5*time.Second {
				t.Errorf("took %v", el)
			}
		})
	}
	*tf = regtest.Faults{}
}

// The registry announces its realm; the Basic credentials go there (and
// to no other host), never in the URL.
func TestTokenRequestsCarryNoSecretsInURL(t *testing.T) {
	reg := regtest.StartDistribution(t, regtest.Token)
	var f regtest.Faults
	front := regtest.Front(t, reg.Host, f.Wrap)
	p := pushRandom(t, front, "test/img", 1000, 2)
	before := len(f.Seen(""))
	pullAll(t, NewClient(Options{Credentials: alice(front, regtest.Password)}), p)
	toks := reg.Issuer.Tokens()
	if len(toks) == 0 {
		t.Fatal("no tokens issued")
	}
	for _, s := range reg.Issuer.Faults.Seen("/token") {
		if s.AuthScheme != "" && s.AuthScheme != "Basic" {
			t.Errorf("token request with %s authorization", s.AuthScheme)
		}
		if strings.Contains(s.Query, regtest.User) || strings.Contains(s.Query, regtest.Password) {
			t.Errorf("token request URL carries the user or password: ?%s", s.Query)
		}
	}
	for _, s := range f.Seen("")[before:] {
		if s.Method == http.MethodGet && s.Path != "/v2/" && s.AuthScheme != "Bearer" {
			t.Errorf("%s %s sent %q authorization, want Bearer", s.Method, s.Path, s.AuthScheme)
		}
		for _, secret := range append(toks, regtest.Password) {
			if strings.Contains(s.Path+"?"+s.Query, secret) {
				t.Errorf("%s %s?%s carries a secret", s.Method, s.Path, s.Query)
			}
		}
	}
}
