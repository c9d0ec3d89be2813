package demo

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/distribution/reference"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/regscope/regscope/pkg/archive"
	"github.com/regscope/regscope/pkg/manifest"
	"github.com/regscope/regscope/pkg/registry"
)

// Load adds the images of a `docker save` tarball, an OCI image layout
// (a directory or a tar of one) or a single layer tar as local/NAME:TAG.
// pkg/archive reads the file; each image is then read through the registry
// client, so every manifest and blob is checked against its digest before
// it is served. NAME and TAG come from the tarball's RepoTags or the
// layout's ref-name annotations, else NAME is the file name and TAG
// "latest". Errors name path.
func (r *Registry) Load(p string) ([]Image, error) {
	imgs, err := r.load(context.Background(), p)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", p, err)
	}
	for _, im := range imgs {
		r.logger.Printf("loaded %s:%s from %s", im.Repo, im.Tag, p)
	}
	return imgs, nil
}

func (r *Registry) load(ctx context.Context, p string) ([]Image, error) {
	a, f, err := openArchive(p)
	if err != nil {
		return nil, err
	}
	keep := false
	defer func() {
		if !keep {
			f.Close()
		}
	}()
	c := registry.NewClient(registry.Options{Transport: a.Transport(), MaxAttempts: 1})
	type loaded struct {
		localName
		m tree
	}
	var all []loaded // served only once every image has been read
	for i, tag := range a.Tags() {
		ref, err := registry.ParseRef(a.Ref(tag))
		if err != nil {
			return nil, err
		}
		m, err := archiveTree(ctx, c, a, ref, tag)
		if err != nil {
			return nil, fmt.Errorf("image %d (%s): %w", i, tag, err)
		}
		names, err := localNames(a, tag, i)
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			all = append(all, loaded{n, m})
		}
	}
	if len(all) > 0 { // served from the file from now on: it stays open
		keep = true
		r.keepOpen(f)
	}
	var out []Image
	for _, l := range all {
		desc := "loaded from " + filepath.Base(p)
		if l.from != "" {
			desc += " (" + l.from + ")"
		}
		r.put(l.repo, l.tag, l.m, l.repo+":"+l.tag, desc)
		out = append(out, Image{Repo: l.repo, Tag: l.tag})
	}
	return out, nil
}

// openArchive opens the file at p with pkg/archive; a directory (an OCI
// image layout) is first written into a tar in a temporary file, confined
// to the directory. The caller closes f, which the archive reads, once
// nothing is served from it any more.
func openArchive(p string) (a *archive.Archive, f *os.File, err error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, nil, err
	}
	name := filepath.Base(filepath.Clean(p))
	if fi.IsDir() {
		if _, err := os.Stat(filepath.Join(p, "oci-layout")); err != nil {
			return nil, nil, errors.New("a directory must be an OCI image layout (no oci-layout file)")
		}
		f, err = tarDir(p)
	} else {
		f, err = os.Open(p)
	}
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err == nil {
		a, err = archive.Open(f, st.Size(), name)
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return a, f, nil
}

// tarDir writes the directory at p into a tar in a temporary file, without
// leaving it (a symlink is kept as a link, never followed), and returns the
// file open for reading. Its name is removed at once: the bytes last as
// long as the file is open.
func tarDir(p string) (*os.File, error) {
	root, err := os.OpenRoot(p)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	f, err := os.CreateTemp("", "regscope-layout-*.tar")
	if err != nil {
		return nil, err
	}
	os.Remove(f.Name()) //nolint:errcheck // where removing an open file fails, the OS's temp cleanup has it
	tw := tar.NewWriter(f)
	if err = tw.AddFS(root.FS()); err == nil {
		err = tw.Close()
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// archiveTree reads the manifest that ident (a tag or digest) names, and
// everything it references, through c: verified. Manifests are kept in
// memory; configs and layers are read through once to check their digests
// and then served from where a holds them, never kept whole. A
// non-distributable layer the archive does not hold is left out, as a
// registry would.
func archiveTree(ctx context.Context, c *registry.Client, a *archive.Archive, ref registry.Ref, ident string) (tree, error) {
	f, err := c.Manifest(ctx, ref, ident, manifest.AcceptTypes(), manifest.MaxManifestSize)
	if err != nil {
		return tree{}, err
	}
	m, err := manifest.Parse(f.Body, f.ContentType)
	if err != nil {
		return tree{}, fmt.Errorf("manifest %s: %w", f.Digest, err)
	}
	t := tree{blob: blob{mediaType: m.MediaType, data: f.Body, digest: f.Digest}}
	switch {
	case m.Index != nil:
		for _, d := range m.Index.Manifests {
			child, err := archiveTree(ctx, c, a, ref, d.Digest.String())
			if err != nil {
				return tree{}, err
			}
			t.children = append(t.children, child)
		}
	case m.Image != nil:
		for _, d := range append([]v1.Descriptor{m.Image.Config}, m.Image.Layers...) {
			d.URLs = nil // what the archive holds, nothing from elsewhere
			err := verifyBlob(ctx, c, ref, d)
			if errors.Is(err, registry.ErrNotFound) && manifest.IsNonDistributable(d.MediaType) {
				continue
			}
			if err != nil {
				return tree{}, err
			}
			sr, ok := a.Section(d.Digest)
			if !ok { // verified through a's transport, so a holds it
				return tree{}, fmt.Errorf("blob %s: read but not found in %s", d.Digest, a.Name)
			}
			t.blobs = append(t.blobs, blob{mediaType: d.MediaType, file: sr, digest: d.Digest})
		}
	default:
		return tree{}, fmt.Errorf("manifest %s: a %s is not served", f.Digest, m.MediaType)
	}
	return t, nil
}

// verifyBlob reads the blob d through c to its end, which checks its size
// and digest, keeping none of it.
func verifyBlob(ctx context.Context, c *registry.Client, ref registry.Ref, d v1.Descriptor) error {
	rc, err := c.Blob(ctx, ref, d)
	if err != nil {
		return err
	}
	defer rc.Close()
	_, err = io.Copy(io.Discard, rc)
	return err
}

// localName is where a loaded image is served, and the name it was saved
// under ("" when none).
type localName struct{ repo, tag, from string }

// localNames says where the i-th image of a, served there as tag, is
// served here: under each RepoTag of a docker save image; under the first
// usable name a layout's annotations give (a reference, or a bare tag on
// the file's name); else as local/FILE:latest (image-N after the first).
func localNames(a *archive.Archive, tag string, i int) ([]localName, error) {
	var out []localName
	for _, n := range a.Names(tag) {
		if a.Kind == archive.DockerSave {
			repo, t, err := parseTag(n)
			if err != nil {
				return nil, fmt.Errorf("RepoTag %q: %w", n, err)
			}
			out = append(out, localName{repo, t, n})
			continue
		}
		if strings.ContainsAny(n, "/:") {
			if repo, t, err := parseTag(n); err == nil {
				return []localName{{repo, t, n}}, nil
			}
		} else if _, t, err := parseTag("x:" + n); err == nil && t == n {
			return []localName{{"local/" + a.Repo(), n, ""}}, nil
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	repo, t := untaggedName(a.Repo(), i)
	return []localName{{repo, t, ""}}, nil
}

// parseTag parses a reference such as "alpine:3.20" or
// "quay.io/org/app:2.0" into the local repository and tag it is served as;
// an untagged reference is "latest".
func parseTag(s string) (repo, tag string, err error) {
	named, err := reference.ParseNormalizedNamed(s)
	if err != nil {
		return "", "", err
	}
	tag = "latest"
	if t, ok := named.(reference.Tagged); ok {
		tag = t.Tag()
	}
	return localRepo(reference.Path(named)), tag, nil
}

// localRepo maps a repository path to local/…, dropping Docker Hub's "library/".
func localRepo(repoPath string) string {
	return "local/" + strings.TrimPrefix(repoPath, "library/")
}

// untaggedName names the i-th unnamed image of a file whose repository name is base.
func untaggedName(base string, i int) (repo, tag string) {
	if i == 0 {
		return "local/" + base, "latest"
	}
	return "local/" + base, fmt.Sprintf("image-%d", i)
}
