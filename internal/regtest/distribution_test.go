//go:build !js

package regtest

import (
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

func TestDistribution(t *testing.T) {
	img, err := random.Image(1024, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, auth := range []Auth{None, Htpasswd, Token} {
		t.Run(auth.String(), func(t *testing.T) {
			reg := StartDistribution(t, auth)
			Push(t, reg.Host+"/a/b:tag", img)
			ref, _ := name.ParseReference(reg.Host+"/a/b:tag", name.Insecure)
			_, err := remote.Image(ref) // anonymous
			var te *transport.Error
			switch {
			case auth == None && err != nil:
				t.Errorf("anonymous pull: %v", err)
			case auth != None && (!errors.As(err, &te) || te.StatusCode != http.StatusUnauthorized):
				t.Errorf("anonymous pull: %v, want 401", err)
			}
			if auth == Token && len(reg.Issuer.Requests()) == 0 {
				t.Error("token issuer saw no requests")
			}
		})
	}
}
