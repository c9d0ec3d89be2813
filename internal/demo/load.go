package demo

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// Annotations that name an image in an OCI layout's index.json.
const (
	annotationRefName       = "org.opencontainers.image.ref.name"
	annotationContainerdRef = "io.containerd.image.name"
)

// Load adds the images of a `docker save` tarball, an OCI image layout
// directory, or a tar of an OCI image layout as local/NAME:TAG. NAME and TAG
// come from the tarball's RepoTags or the layout's ref-name annotations, else
// NAME is the file name and TAG "latest". Errors name path.
func (r *Registry) Load(p string) ([]Image, error) {
	imgs, err := r.load(p)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", p, err)
	}
	for _, im := range imgs {
		r.logger.Printf("loaded %s:%s from %s", im.Repo, im.Tag, p)
	}
	return imgs, nil
}

func (r *Registry) load(p string) ([]Image, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	base := baseName(p)
	if fi.IsDir() {
		if _, err := os.Stat(filepath.Join(p, "oci-layout")); err != nil {
			return nil, errors.New("a directory must be an OCI image layout (no oci-layout file)")
		}
		return r.loadLayout(p, base)
	}
	members, err := tarMembers(p)
	if err != nil {
		return nil, err
	}
	switch {
	case members["manifest.json"]: // docker save (also when it carries an OCI layout too)
		return r.loadDockerSave(p, base)
	case members["oci-layout"] && members["index.json"]:
		dir, err := os.MkdirTemp("", "regscope-layout-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		if err := extractTar(p, dir); err != nil {
			return nil, err
		}
		return r.loadLayout(dir, base)
	default:
		return nil, errors.New("neither a docker save tarball (manifest.json) nor an OCI image layout (oci-layout, index.json)")
	}
}

func (r *Registry) loadDockerSave(p, base string) ([]Image, error) {
	opener := func() (io.ReadCloser, error) { return os.Open(p) }
	m, err := tarball.LoadManifest(opener)
	if err != nil {
		return nil, err
	}
	var out []Image
	for i, d := range m {
		tags := d.RepoTags
		if len(tags) == 0 {
			img, err := tarball.Image(opener, nil)
			if err != nil {
				return nil, fmt.Errorf("untagged image %d (%s): %w", i, d.Config, err)
			}
			repo, tag := "local/"+base, "latest"
			if i > 0 {
				tag = fmt.Sprintf("image-%d", i)
			}
			if err := r.putImage(repo, tag, img, repo+":"+tag, "loaded from "+filepath.Base(p)); err != nil {
				return nil, err
			}
			out = append(out, Image{Repo: repo, Tag: tag})
			continue
		}
		for _, t := range tags {
			nt, err := name.NewTag(t)
			if err != nil {
				return nil, fmt.Errorf("RepoTag %q: %w", t, err)
			}
			img, err := tarball.Image(opener, &nt)
			if err != nil {
				return nil, fmt.Errorf("image %s: %w", t, err)
			}
			repo, tag := localRepo(nt.RepositoryStr()), nt.TagStr()
			if err := r.putImage(repo, tag, img, repo+":"+tag, "loaded from "+filepath.Base(p)+" ("+t+")"); err != nil {
				return nil, err
			}
			out = append(out, Image{Repo: repo, Tag: tag})
		}
	}
	return out, nil
}

func (r *Registry) loadLayout(dir, base string) ([]Image, error) {
	lp, err := layout.FromPath(dir)
	if err != nil {
		return nil, err
	}
	ii, err := lp.ImageIndex()
	if err != nil {
		return nil, err
	}
	im, err := ii.IndexManifest()
	if err != nil {
		return nil, err
	}
	if len(im.Manifests) == 0 {
		return nil, errors.New("index.json lists no images")
	}
	var out []Image
	for i, d := range im.Manifests {
		repo, tag := layoutName(d, base, i)
		title, desc := repo+":"+tag, "loaded from "+base
		switch {
		case d.MediaType.IsIndex():
			idx, err := ii.ImageIndex(d.Digest)
			if err != nil {
				return nil, fmt.Errorf("index %s: %w", d.Digest, err)
			}
			err = r.putIndex(repo, tag, idx, title, desc)
			if err != nil {
				return nil, err
			}
		case d.MediaType.IsImage():
			img, err := ii.Image(d.Digest)
			if err != nil {
				return nil, fmt.Errorf("image %s: %w", d.Digest, err)
			}
			if err := r.putImage(repo, tag, img, title, desc); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("index.json entry %s: unsupported media type %q", d.Digest, d.MediaType)
		}
		out = append(out, Image{Repo: repo, Tag: tag})
	}
	return out, nil
}

// layoutName names the i-th image of a layout from its annotations: a full
// reference ("docker.io/library/alpine:3.20") or a bare tag ("3.20").
func layoutName(d v1.Descriptor, base string, i int) (repo, tag string) {
	for _, k := range []string{annotationContainerdRef, annotationRefName} {
		v := d.Annotations[k]
		if v == "" {
			continue
		}
		if strings.ContainsAny(v, "/:") {
			if t, err := name.NewTag(v); err == nil {
				return localRepo(t.RepositoryStr()), t.TagStr()
			}
		}
		if _, err := name.NewTag("x:" + v); err == nil {
			return "local/" + base, v
		}
	}
	if i == 0 {
		return "local/" + base, "latest"
	}
	return "local/" + base, fmt.Sprintf("image-%d", i)
}

// localRepo maps a repository path to local/…, dropping Docker Hub's "library/".
func localRepo(repoPath string) string {
	return "local/" + strings.TrimPrefix(repoPath, "library/")
}

// baseName turns a file name into a repository path component:
// "/tmp/My App.tar" → "my-app".
func baseName(p string) string {
	b := strings.ToLower(filepath.Base(filepath.Clean(p)))
	for _, ext := range []string{".tar", ".oci", ".docker"} {
		b = strings.TrimSuffix(b, ext)
	}
	var s strings.Builder
	for _, c := range b {
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
			s.WriteRune(c)
		case s.Len() > 0 && !strings.HasSuffix(s.String(), "-"):
			s.WriteByte('-')
		}
	}
	out := strings.Trim(s.String(), "-")
	if out == "" {
		return "image"
	}
	return out
}

// tarMembers lists the top-level regular files of a tar (cleaned names).
func tarMembers(p string) (map[string]bool, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	out := map[string]bool{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("not a readable tar: %w", err)
		}
		out[path.Clean(strings.TrimPrefix(h.Name, "./"))] = true
	}
}

// extractTar writes the regular files and directories of the tar at p under
// dir, refusing names that would leave it.
func extractTar(p, dir string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		name := path.Clean(strings.TrimPrefix(h.Name, "./"))
		if !filepath.IsLocal(name) {
			return fmt.Errorf("tar member %q: outside the layout", h.Name)
		}
		switch h.Typeflag {
		case tar.TypeDir:
			if err := root.MkdirAll(name, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if d := path.Dir(name); d != "." {
				if err := root.MkdirAll(d, 0o755); err != nil {
					return err
				}
			}
			w, err := root.Create(name)
			if err != nil {
				return err
			}
			_, err = io.Copy(w, tr)
			if cerr := w.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return fmt.Errorf("tar member %q: %w", h.Name, err)
			}
		}
	}
}
