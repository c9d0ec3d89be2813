package demo

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/distribution/reference"
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
		root, err := os.OpenRoot(p)
		if err != nil {
			return nil, err
		}
		defer root.Close()
		return r.loadLayout(root, base)
	}
	files, err := readTar(p)
	if err != nil {
		return nil, err
	}
	switch {
	case files.has("manifest.json"): // docker save (also when it carries an OCI layout too)
		return r.loadDockerSave(files, base, filepath.Base(p))
	case files.has("oci-layout") && files.has("index.json"):
		return r.loadLayout(files, base)
	default:
		return nil, errors.New("neither a docker save tarball (manifest.json) nor an OCI image layout (oci-layout, index.json)")
	}
}

// fileReader reads the files of what is being loaded: an *os.Root (a
// directory) or tarFiles (a tar's members).
type fileReader interface {
	ReadFile(name string) ([]byte, error)
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

// untaggedName names the i-th unnamed image of a file whose base name is base.
func untaggedName(base string, i int) (repo, tag string) {
	if i == 0 {
		return "local/" + base, "latest"
	}
	return "local/" + base, fmt.Sprintf("image-%d", i)
}
