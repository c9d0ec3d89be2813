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
	write := func(r name.Reference, o ...remote.Option) error { return remote.Write(r, img, o...) }
	return push(t, "image", ref, write, img.Digest, opts)
}

// PushIndex writes idx (and every image and index it refers to) to ref as
// Push does, and returns the index digest.
func PushIndex(t testing.TB, ref string, idx v1.ImageIndex, opts ...remote.Option) v1.Hash {
	t.Helper()
	write := func(r name.Reference, o ...remote.Option) error { return remote.WriteIndex(r, idx, o...) }
	return push(t, "index", ref, write, idx.Digest, opts)
}

// push writes what (an "image" or "index") to ref with write and returns its digest.
func push(t testing.TB, what, ref string, write func(name.Reference, ...remote.Option) error, digest func() (v1.Hash, error), opts []remote.Option) v1.Hash {
	t.Helper()
	if err := write(parse(t, ref), defaults(t, opts)...); err != nil {
		t.Fatalf("regtest: pushing %s to %s: %v", what, ref, err)
	}
	d, err := digest()
	if err != nil {
		t.Fatalf("regtest: digest of %s pushed to %s: %v", what, ref, err)
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
