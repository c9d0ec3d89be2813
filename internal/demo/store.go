package demo

import (
	"slices"
	"sync"

	digest "github.com/opencontainers/go-digest"
)

// repository is what one repository holds: tags pointing at manifests, and
// the manifests and blobs that reach it.
type repository struct {
	tags      map[string]digest.Digest
	manifests map[digest.Digest]blob
	blobs     map[digest.Digest]blob
}

// store is the registry's content, repository by repository. Content is
// only ever added; a blob's bytes are shared, never copied, between
// repositories that hold it.
type store struct {
	mu    sync.RWMutex
	repos map[string]*repository
}

// put tags m as repo:tag, adding it and everything it references to repo.
func (s *store) put(repo, tag string, m tree) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.repos == nil {
		s.repos = map[string]*repository{}
	}
	r := s.repos[repo]
	if r == nil {
		r = &repository{tags: map[string]digest.Digest{}, manifests: map[digest.Digest]blob{}, blobs: map[digest.Digest]blob{}}
		s.repos[repo] = r
	}
	r.add(m)
	r.tags[tag] = m.digest
}

func (r *repository) add(m tree) {
	r.manifests[m.digest] = m.blob
	for _, c := range m.children {
		r.add(c)
	}
	for _, b := range m.blobs {
		r.blobs[b.digest] = b
	}
}

// manifest finds repo's manifest by tag or digest.
func (s *store) manifest(repo, ref string) (blob, *regError) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r := s.repos[repo]
	if r == nil {
		return blob{}, errNameUnknown(repo)
	}
	d, ok := r.tags[ref]
	if !ok {
		d = digest.Digest(ref)
	}
	if m, ok := r.manifests[d]; ok {
		return m, nil
	}
	return blob{}, errManifestUnknown(repo, ref)
}

// blob finds a blob repo holds.
func (s *store) blob(repo string, d digest.Digest) (blob, *regError) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r := s.repos[repo]
	if r == nil {
		return blob{}, errNameUnknown(repo)
	}
	if b, ok := r.blobs[d]; ok {
		return b, nil
	}
	return blob{}, errBlobUnknown(repo, d)
}

// tags lists repo's tags in lexical order.
func (s *store) tags(repo string) ([]string, *regError) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r := s.repos[repo]
	if r == nil {
		return nil, errNameUnknown(repo)
	}
	var out []string
	for t := range r.tags {
		out = append(out, t)
	}
	slices.Sort(out)
	return out, nil
}
