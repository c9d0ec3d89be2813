//go:build !js

package registry

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/opencontainers/go-digest"

	"github.com/regscope/regscope/internal/regtest"
)

// alice answers Credentials for domain with regtest's user and pass.
func alice(domain, pass string) func(string) (string, string, bool) {
	return func(host string) (string, string, bool) {
		if host != domain {
			return "", "", false
		}
		return regtest.User, pass, true
	}
}

// pullAll fetches the manifest by tag and by digest, the config and, at
// once, every layer, checking the bytes.
func pullAll(t *testing.T, c *Client, p pushed) {
	t.Helper()
	ctx := context.Background()
	for _, reference := range []string{"tag", string(p.digest)} {
		f, err := c.Manifest(ctx, p.ref, reference, manifestTypes, maxManifest)
		if err != nil {
			t.Fatalf("Manifest(%s): %v", reference, err)
		}
		if !bytes.Equal(f.Body, p.manifest) || f.ContentType != p.mediaType {
			t.Fatalf("Manifest(%s): %s, %d bytes", reference, f.ContentType, len(f.Body))
		}
	}
	if b, err := c.BlobBytes(ctx, p.ref, p.config, 1<<20); err != nil || !bytes.Equal(b, p.blobs[p.config.Digest]) {
		t.Fatalf("config: %d bytes, %v", len(b), err)
	}
	var wg sync.WaitGroup
	for _, l := range p.layers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if b, err := readBlob(t, c, p.ref, l); err != nil || !bytes.Equal(b, p.blobs[l.Digest]) {
				t.Errorf("layer %s: %d bytes, %v", l.Digest, len(b), err)
			}
		}()
	}
	wg.Wait()
}

func TestDistributionAnonymous(t *testing.T) {
	host := regtest.Distribution(t, regtest.None)
	p := pushRandom(t, host, "test/img", 20_000, 3)
	pullAll(t, NewClient(Options{}), p)
	_, err := NewClient(Options{}).Manifest(context.Background(), p.ref, "nope", manifestTypes, maxManifest)
	if !errors.Is(err, ErrManifestUnknown) || !strings.Contains(err.Error(), "404 Not Found: MANIFEST_UNKNOWN") {
		t.Errorf("err = %v, want MANIFEST_UNKNOWN", err)
	}
}

func TestDistributionHtpasswd(t *testing.T) {
	host := regtest.Distribution(t, regtest.Htpasswd)
	p := pushRandom(t, host, "test/img", 20_000, 3)
	ctx := context.Background()

	_, err := NewClient(Options{}).Manifest(ctx, p.ref, "tag", manifestTypes, maxManifest)
	want := "GET http://" + host + "/v2/test/img/manifests/tag: 401 Unauthorized: UNAUTHORIZED"
	if !errors.Is(err, ErrUnauthorized) || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("without credentials: %v, want prefix %q", err, want)
	}
	_, err = NewClient(Options{Credentials: alice(host, "wrong")}).Manifest(ctx, p.ref, "tag", manifestTypes, maxManifest)
	if !errors.Is(err, ErrUnauthorized) || strings.Contains(err.Error(), "wrong") {
		t.Errorf("wrong password: %v, want ErrUnauthorized without the password", err)
	}
	pullAll(t, NewClient(Options{Credentials: alice(host, regtest.Password)}), p)
}

func TestDistributionToken(t *testing.T) {
	reg := regtest.StartDistribution(t, regtest.Token)
	p := pushRandom(t, reg.Host, "test/img", 20_000, 3)
	ctx := context.Background()
	issued := func() []regtest.TokenRequest { return reg.Issuer.Requests() }

	t.Run("anonymous refused", func(t *testing.T) {
		_, err := NewClient(Options{}).Manifest(ctx, p.ref, "tag", manifestTypes, maxManifest)
		if !errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), "/v2/test/img/manifests/tag: 401") {
			t.Errorf("err = %v, want a 401 from the registry", err)
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		_, err := NewClient(Options{Credentials: alice(reg.Host, "wrong")}).Manifest(ctx, p.ref, "tag", manifestTypes, maxManifest)
		realm := strings.TrimPrefix(reg.Issuer.URL, "http://")
		if !errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), realm+": 401") || strings.Contains(err.Error(), "wrong") {
			t.Errorf("err = %v, want the token service's 401 naming %s", err, realm)
		}
	})
	t.Run("one token for a whole pull", func(t *testing.T) {
		before := len(issued())
		pullAll(t, NewClient(Options{Credentials: alice(reg.Host, regtest.Password)}), p)
		got := issued()[before:]
		if len(got) != 1 {
			t.Fatalf("%d token requests, want 1: %+v", len(got), got)
		}
		if r := got[0]; r.User != regtest.User || r.Service != reg.Issuer.Service || strings.Join(r.Scopes, " ") != "repository:test/img:pull" {
			t.Errorf("token request %+v", r)
		}
	})
	t.Run("expired token re-authenticates once", func(t *testing.T) {
		c := NewClient(Options{Credentials: alice(reg.Host, regtest.Password)})
		before := len(issued())
		reg.Issuer.ExpireNext(1)
		pullAll(t, c, p)
		if n := len(issued()) - before; n != 2 {
			t.Errorf("%d token requests, want 2 (the expired one and its replacement)", n)
		}
		// Tokens that never work: one retry, then the registry's 401.
		c = NewClient(Options{Credentials: alice(reg.Host, regtest.Password)})
		before = len(issued())
		reg.Issuer.ExpireNext(100)
		defer reg.Issuer.ExpireNext(0)
		_, err := c.Manifest(ctx, p.ref, "tag", manifestTypes, maxManifest)
		if !errors.Is(err, ErrUnauthorized) {
			t.Errorf("err = %v, want ErrUnauthorized", err)
		}
		if n := len(issued()) - before; n != 2 {
			t.Errorf("%d token requests, want 2", n)
		}
	})
	t.Run("access_token without expires_in", func(t *testing.T) {
		reg.Issuer.OAuth.Store(true)
		defer reg.Issuer.OAuth.Store(false)
		before := len(issued())
		pullAll(t, NewClient(Options{Credentials: alice(reg.Host, regtest.Password)}), p)
		if n := len(issued()) - before; n != 1 {
			t.Errorf("%d token requests, want 1 (cached for the default 60s)", n)
		}
	})
	t.Run("anonymous pull granted", func(t *testing.T) {
		reg.Issuer.AnonymousPull.Store(true)
		defer reg.Issuer.AnonymousPull.Store(false)
		before := len(issued())
		pullAll(t, NewClient(Options{}), p)
		if got := issued()[before:]; len(got) != 1 || got[0].User != "" {
			t.Errorf("token requests %+v, want one anonymous", got)
		}
	})
}

// A 401 in the middle of a pull (here injected in front of the real
// registry after the token was cached) drops the token and fetches another.
func TestReauthMidPull(t *testing.T) {
	reg := regtest.StartDistribution(t, regtest.Token)
	var f regtest.Faults
	front := regtest.Front(t, reg.Host, f.Wrap)
	pushRandom(t, reg.Host, "test/img", 20_000, 1)
	p := pushRandom(t, front, "test/img", 20_000, 1)
	c := NewClient(Options{Credentials: alice(front, regtest.Password)})
	ctx := context.Background()
	if _, err := c.Manifest(ctx, p.ref, "tag", manifestTypes, maxManifest); err != nil {
		t.Fatal(err)
	}
	before := len(reg.Issuer.Requests())
	f.Add(regtest.Fault{Kind: regtest.Status, Code: http.StatusUnauthorized, Path: regtest.BlobPath(p.layers[0].Digest), Times: 1})
	if b, err := readBlob(t, c, p.ref, p.layers[0]); err != nil || !bytes.Equal(b, p.blobs[p.layers[0].Digest]) {
		t.Fatalf("blob after a 401: %d bytes, %v", len(b), err)
	}
	if n := len(reg.Issuer.Requests()) - before; n != 1 {
		t.Errorf("%d new token requests, want 1", n)
	}
}

// A registry that redirects blobs to another host (a CDN, object storage)
// must not see its Authorization forwarded there.
func TestRedirectKeepsAuthorizationHome(t *testing.T) {
	reg := regtest.StartDistribution(t, regtest.Token)
	var cdn regtest.Faults
	cdnHost := regtest.GGCRWith(t, cdn.Wrap)
	var home regtest.Faults
	redirect := func(next http.Handler) http.Handler {
		return home.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/blobs/") && r.Header.Get("Authorization") != "" {
				http.Redirect(w, r, "http://"+cdnHost+r.URL.Path+"?X-Amz-Signature=secret", http.StatusTemporaryRedirect)
				return
			}
			next.ServeHTTP(w, r)
		}))
	}
	front := regtest.Front(t, reg.Host, redirect)
	p := pushRandom(t, front, "test/img", 20_000, 2)
	for d, b := range p.blobs { // the CDN holds the same blobs
		pushBlob(t, cdnHost, "test/img", d, b)
	}
	before := len(cdn.Seen(""))
	pullAll(t, NewClient(Options{Credentials: alice(front, regtest.Password)}), p)

	var authorised int
	for _, s := range home.Seen("/blobs/") {
		if s.Method == http.MethodGet && s.Authorization {
			authorised++
		}
	}
	if authorised < len(p.layers)+1 {
		t.Errorf("registry saw %d authorised blob GETs, want %d", authorised, len(p.layers)+1)
	}
	gets := 0
	for _, s := range cdn.Seen("")[before:] {
		if s.Authorization {
			t.Errorf("CDN received Authorization on %s %s", s.Method, s.Path)
		}
		if s.Method == http.MethodGet {
			gets++
		}
	}
	if gets != len(p.layers)+1 {
		t.Errorf("CDN served %d blob GETs, want %d", gets, len(p.layers)+1)
	}
}

// pushBlob uploads b to host/repo in one monolithic POST.
func pushBlob(t *testing.T, host, repo string, d digest.Digest, b []byte) {
	t.Helper()
	resp, err := http.Post("http://"+host+"/v2/"+repo+"/blobs/uploads/?digest="+string(d), "application/octet-stream", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("uploading %s to %s: %s", d, host, resp.Status)
	}
}

// With Insecure, a host that does not speak TLS is reached over plain HTTP
// after the HTTPS attempt fails; without it, the TLS failure stands.
func TestInsecureFallsBackToHTTP(t *testing.T) {
	host := regtest.GGCR(t)
	p := pushRandom(t, host, "test/img", 100, 1)
	// Every name resolves to the loopback registry, so "registry.test" is
	// not a loopback name but is served locally.
	dial := &net.Dialer{}
	tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return dial.DialContext(ctx, network, host)
	}}
	defer tr.CloseIdleConnections()
	r := p.ref
	r.Domain = "registry.test:443"
	f, err := NewClient(Options{Transport: tr, Insecure: true}).Manifest(context.Background(), r, "tag", manifestTypes, maxManifest)
	if err != nil || !bytes.Equal(f.Body, p.manifest) {
		t.Fatalf("insecure: %v", err)
	}
	_, err = NewClient(Options{Transport: tr, MaxAttempts: 1}).Manifest(context.Background(), r, "tag", manifestTypes, maxManifest)
	if err == nil || !strings.Contains(err.Error(), "https://registry.test:443/v2/") {
		t.Errorf("secure: err = %v, want the HTTPS failure", err)
	}
}
