package demo

import (
	"archive/tar"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
)

// tarFiles is a tar's regular files in memory, with its symlinks and
// hardlinks resolved on read; names are cleaned and relative ("blobs/sha256/…").
type tarFiles struct {
	files map[string][]byte
	links map[string]string // link name → target name
}

// maxLinkHops bounds how many links ReadFile follows: a tar can link in a loop.
const maxLinkHops = 40

// readTar reads the tar at p. The loaded content is served from memory
// anyway, so reading it whole costs no more than the registry keeps.
func readTar(p string) (tarFiles, error) {
	f, err := os.Open(p)
	if err != nil {
		return tarFiles{}, err
	}
	defer f.Close()
	t := tarFiles{files: map[string][]byte{}, links: map[string]string{}}
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return t, nil
		}
		if err != nil {
			return tarFiles{}, fmt.Errorf("not a readable tar: %w", err)
		}
		name := cleanName(h.Name)
		switch h.Typeflag {
		case tar.TypeReg:
			b, err := io.ReadAll(tr)
			if err != nil {
				return tarFiles{}, fmt.Errorf("tar member %q: %w", h.Name, err)
			}
			t.files[name] = b
		case tar.TypeSymlink: // relative to the link's directory, absolute from the archive's root
			target := h.Linkname
			if !path.IsAbs(target) {
				target = path.Join(path.Dir(name), target)
			}
			t.links[name] = cleanName(strings.TrimPrefix(path.Clean(target), "/"))
		case tar.TypeLink:
			t.links[name] = cleanName(h.Linkname)
		}
	}
}

func cleanName(n string) string { return path.Clean(strings.TrimPrefix(n, "./")) }

func (t tarFiles) has(name string) bool {
	_, ok := t.files[name]
	return ok
}

// ReadFile returns the content of the member name, following links.
func (t tarFiles) ReadFile(name string) ([]byte, error) {
	n := cleanName(name)
	for range maxLinkHops {
		if b, ok := t.files[n]; ok {
			return b, nil
		}
		target, ok := t.links[n]
		if !ok {
			return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
		}
		n = target
	}
	return nil, fmt.Errorf("tar member %q: more than %d links", name, maxLinkHops)
}
