package regtest

import (
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Push writes img to ref ("127.0.0.1:PORT/repo:tag") with
// go-containerregistry's remote.Write, over plain HTTP, authenticating as
// User/Password when the registry asks. opts come after the defaults, so
// remote.WithAuth in opts replaces them. It returns the manifest digest.
func Push(t testing.TB, ref string, img v1.Image, opts ...remote.Option) v1.Hash {
	t.Helper()
	r := parse(t, ref)
	if err := remote.Write(r, img, defaults(t, opts)...); err != nil {
		t.Fatalf("regtest: pushing image to %s: %v", ref, err)
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatalf("regtest: digest of image pushed to %s: %v", ref, err)
	}
	return d
}

// PushIndex writes idx (and every image and index it refers to) to ref as
// Push does, and returns the index digest.
func PushIndex(t testing.TB, ref string, idx v1.ImageIndex, opts ...remote.Option) v1.Hash {
	t.Helper()
	r := parse(t, ref)
	if err := remote.WriteIndex(r, idx, defaults(t, opts)...); err != nil {
		t.Fatalf("regtest: pushing index to %s: %v", ref, err)
	}
	d, err := idx.Digest()
	if err != nil {
		t.Fatalf("regtest: digest of index pushed to %s: %v", ref, err)
	}
	return d
}

func parse(t testing.TB, ref string) name.Reference {
	t.Helper()
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatalf("regtest: reference %q: %v", ref, err)
	}
	return r
}

func defaults(t testing.TB, opts []remote.Option) []remote.Option {
	base := []remote.Option{
		remote.WithAuth(&authn.Basic{Username: User, Password: Password}),
		remote.WithContext(t.Context()),
	}
	return append(base, opts...)
}
