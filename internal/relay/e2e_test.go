//go:build !js

package relay

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/regscope/regscope/internal/regtest"
)

// viaRelay sends every request to the relay, as the page does: the registry
// URL https?://host/path?query becomes {relay}/relay/host/path?query.
type viaRelay struct{ relay string }

func (v viaRelay) RoundTrip(r *http.Request) (*http.Response, error) {
	target := v.relay + Prefix + r.URL.Host + r.URL.EscapedPath()
	if r.URL.RawQuery != "" {
		target += "?" + r.URL.RawQuery
	}
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	out := r.Clone(r.Context())
	out.URL, out.Host = u, ""
	return http.DefaultTransport.RoundTrip(out)
}

// TestRelayDistributionWithTokens pulls an image from CNCF Distribution with
// Bearer-token authentication entirely through the relay: the ping's
// challenge announces the token realm, the token request is relayed to it,
// and every blob verifies.
func TestRelayDistributionWithTokens(t *testing.T) {
	reg := regtest.StartDistribution(t, regtest.Token)
	img, err := random.Image(32<<10, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := regtest.Push(t, reg.Host+"/team/app:v1", img)

	issuer, err := url.Parse(reg.Issuer.URL)
	if err != nil {
		t.Fatal(err)
	}
	r := newRelay(t, Options{Insecure: []string{reg.Host, issuer.Host}})
	srv := httptest.NewServer(r)
	defer srv.Close()

	ref, err := name.ParseReference(reg.Host+"/team/app:v1", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	opts := []remote.Option{
		remote.WithTransport(viaRelay{srv.URL}),
		remote.WithAuth(&authn.Basic{Username: regtest.User, Password: regtest.Password}),
		remote.WithContext(context.Background()),
	}
	got, err := remote.Image(ref, opts...)
	if err != nil {
		t.Fatalf("pull through the relay: %v", err)
	}
	if d, _ := got.Digest(); d != want {
		t.Fatalf("digest %s, want %s", d, want)
	}
	layers, _ := got.Layers()
	for _, l := range layers {
		rc, err := l.Compressed() // verifies the digest at EOF
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, rc); err != nil {
			t.Fatalf("layer through the relay: %v", err)
		}
		rc.Close()
	}
	if !strings.Contains(reg.Issuer.URL, "/token") {
		t.Fatalf("issuer URL %q", reg.Issuer.URL)
	}
	granted := false
	for _, tr := range reg.Issuer.Requests() {
		granted = granted || tr.Granted && tr.User == regtest.User
	}
	if !granted {
		t.Fatal("the token issuer granted no token to the user: the realm was not reached through the relay")
	}
}
