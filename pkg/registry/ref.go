package registry

import (
	"fmt"

	"github.com/distribution/reference"
	"github.com/opencontainers/go-digest"
)

// Ref is a parsed, normalised image reference, following the rules of
// github.com/distribution/reference (the ones docker pull uses): a bare name
// gets the docker.io domain and, for single-component names, the library/
// prefix; a reference with neither tag nor digest gets the tag "latest".
type Ref struct {
	Domain string        // "docker.io", "ghcr.io", "localhost:5000"
	Path   string        // "library/alpine"
	Tag    string        // "latest" when neither tag nor digest was given; "" when only a digest was
	Digest digest.Digest // "" unless pinned
}

// dockerHubDomain is the canonical domain of Docker Hub, and dockerHubHost
// the host that serves its registry API.
const (
	dockerHubDomain = "docker.io"
	dockerHubHost   = "registry-1.docker.io"
)

// ParseRef parses and normalises s ("alpine", "ghcr.io/o/r:tag",
// "localhost:5000/r@sha256:…", "name:tag@sha256:…"). The error quotes s.
func ParseRef(s string) (Ref, error) {
	named, err := reference.ParseNormalizedNamed(s)
	if err != nil {
		return Ref{}, fmt.Errorf("invalid image reference %q: %w", s, err)
	}
	r := Ref{Domain: reference.Domain(named), Path: reference.Path(named)}
	if t, ok := named.(reference.Tagged); ok {
		r.Tag = t.Tag()
	}
	if d, ok := named.(reference.Digested); ok {
		r.Digest = d.Digest()
	}
	if r.Tag == "" && r.Digest == "" {
		r.Tag = "latest"
	}
	return r, nil
}

// Name is the full repository name, "docker.io/library/alpine".
func (r Ref) Name() string { return r.Domain + "/" + r.Path }

// String is the full reference: the name, then ":tag" and/or "@digest".
func (r Ref) String() string {
	s := r.Name()
	if r.Tag != "" {
		s += ":" + r.Tag
	}
	if r.Digest != "" {
		s += "@" + string(r.Digest)
	}
	return s
}

// Familiar is the short form Docker shows ("alpine:3.20", "user/app:1",
// "ghcr.io/o/r:tag"), as reference.FamiliarString does.
func (r Ref) Familiar() string {
	named, err := reference.ParseNormalizedNamed(r.String())
	if err != nil {
		return r.String()
	}
	return reference.FamiliarString(named)
}

// Identifier is what goes after /manifests/ in the API: the digest when the
// reference is pinned, else the tag.
func (r Ref) Identifier() string {
	if r.Digest != "" {
		return string(r.Digest)
	}
	return r.Tag
}

// Host is the host (and port) serving the registry API: registry-1.docker.io
// for docker.io, else Domain.
func (r Ref) Host() string {
	if r.Domain == dockerHubDomain {
		return dockerHubHost
	}
	return r.Domain
}

// WithDigest returns a copy of r pinned to d (the tag is kept, as in
// "name:tag@digest").
func (r Ref) WithDigest(d digest.Digest) Ref {
	r.Digest = d
	return r
}
