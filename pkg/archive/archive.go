// Package archive reads container images from files, lazily, through an
// io.ReaderAt (an *os.File, or a browser File read in slices): a `docker
// save` tarball, a tar of an OCI image layout, or a single layer (.tar,
// .tar.gz, .tar.zst). An Archive answers the registry API for what it holds
// (Transport), so the pull pipeline reads a local image exactly as it reads
// a registry's — every digest and DiffID verified — and nothing is read
// whole into memory but the small JSON files.
package archive

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/opencontainers/go-digest"

	"github.com/regscope/regscope/pkg/layers"
)

// Host is the registry host an Archive's references name. ".invalid" is
// reserved (RFC 2606): no request for it can leave the machine.
const Host = "local.invalid"

// Kind is the format of an archive.
type Kind string

const (
	DockerSave Kind = "docker save"      // manifest.json, configs and layers
	OCILayout  Kind = "OCI image layout" // oci-layout, index.json, blobs/
	Layer      Kind = "single layer"     // one layer tar, possibly compressed
)

// maxJSON bounds the JSON files read whole (manifest.json, index.json,
// manifests, configs).
const maxJSON = 16 << 20

// Archive is an opened image archive.
type Archive struct {
	Kind Kind
	Name string // the file name it was opened as

	r       io.ReaderAt
	size    int64
	members map[string]member // regular files of the tar, links resolved

	repo  string                   // repository the images are served as
	tags  []string                 // in archive order
	byTag map[string]digest.Digest // tag → manifest (or index) digest
	names map[string][]string      // tag → the references it was saved under, as written
	blobs map[digest.Digest]blob   // manifests, configs, layers
}

// member is a regular file inside the tar: its data's offset and size.
type member struct{ off, size int64 }

// blob is served content: bytes in memory (JSON made or read here), or a
// section of the file.
type blob struct {
	mediaType string
	data      []byte // when in memory
	off, size int64  // otherwise
}

// Open indexes the archive r of size bytes (named name, for messages and
// the repository name), reading tar headers and the JSON files only, and
// decides its kind. Errors name what is wrong with the file.
func Open(r io.ReaderAt, size int64, name string) (*Archive, error) {
	a := &Archive{Name: name, r: r, size: size, members: map[string]member{}, byTag: map[string]digest.Digest{}, names: map[string][]string{}, blobs: map[digest.Digest]blob{}}
	a.repo = repoName(name)
	head := make([]byte, 512)
	n, err := r.ReadAt(head, 0)
	if n == 0 && err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if c := layers.Detect(head[:n]); c != layers.None {
		return a.asLayer(c)
	}
	if err := a.index(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	switch {
	case a.has("manifest.json"):
		a.Kind = DockerSave
		err = a.openDockerSave()
	case a.has("oci-layout") && a.has("index.json"):
		a.Kind = OCILayout
		err = a.openLayout()
	default:
		return a.asLayer(layers.None)
	}
	if err != nil {
		return nil, fmt.Errorf("%s (%s): %w", name, a.Kind, err)
	}
	if len(a.tags) == 0 {
		return nil, fmt.Errorf("%s (%s): no image in it", name, a.Kind)
	}
	return a, nil
}

// asLayer opens a as a single layer compressed with c.
func (a *Archive) asLayer(c layers.Compression) (*Archive, error) {
	if err := a.openLayer(c); err != nil {
		return nil, err
	}
	return a, nil
}

// index reads the tar's headers, skipping the data (io.SectionReader
// seeks), and records each regular file; hard and symbolic links to
// regular files are resolved.
func (a *Archive) index() error {
	sr := io.NewSectionReader(a.r, 0, a.size)
	tr := tar.NewReader(sr)
	links := map[string]string{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("not a readable tar: %w", err)
		}
		name := cleanName(h.Name)
		switch h.Typeflag {
		case tar.TypeReg:
			off, _ := sr.Seek(0, io.SeekCurrent)
			a.members[name] = member{off, h.Size}
		case tar.TypeLink:
			links[name] = cleanName(h.Linkname)
		case tar.TypeSymlink:
			target := h.Linkname
			if !path.IsAbs(target) {
				target = path.Join(path.Dir(name), target)
			}
			links[name] = cleanName(target)
		}
	}
	for name, target := range links {
		for hops := 0; hops < 40; hops++ {
			if m, ok := a.members[target]; ok {
				a.members[name] = m
				break
			}
			next, ok := links[target]
			if !ok {
				break
			}
			target = next
		}
	}
	return nil
}

// Section returns where the archive holds the blob d (a layer or config
// it contains, or a manifest or config made here), without reading it; ok
// is false when d is not in the archive. The section reads the archive's
// file each time, so the file must stay open while it is used; the bytes
// are not checked here (pkg/registry checks them through Transport).
func (a *Archive) Section(d digest.Digest) (sr *io.SectionReader, ok bool) {
	b, ok := a.blobs[d]
	if !ok {
		return nil, false
	}
	if b.data != nil {
		return io.NewSectionReader(bytes.NewReader(b.data), 0, int64(len(b.data))), true
	}
	return io.NewSectionReader(a.r, b.off, b.size), true
}

func cleanName(n string) string { return strings.TrimPrefix(path.Clean("/"+n), "/") }

func (a *Archive) has(name string) bool { _, ok := a.members[name]; return ok }

// readMember reads a small file of the tar whole.
func (a *Archive) readMember(name string) ([]byte, error) {
	m, ok := a.members[name]
	if !ok {
		return nil, fmt.Errorf("%s is missing", name)
	}
	if m.size > maxJSON {
		return nil, fmt.Errorf("%s: %d bytes, more than the %d a JSON file of an archive may have", name, m.size, maxJSON)
	}
	b := make([]byte, m.size)
	if _, err := a.r.ReadAt(b, m.off); err != nil && !(errors.Is(err, io.EOF) && m.size == 0) {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	return b, nil
}

// Tags lists the tags the archive's images are served under, in order.
func (a *Archive) Tags() []string { return append([]string(nil), a.tags...) }

// Ref is the reference of the archive's tag (its first image when tag is
// ""), to pull with Transport: "local.invalid/NAME:TAG".
func (a *Archive) Ref(tag string) string {
	if tag == "" {
		tag = a.tags[0]
	}
	return Host + "/" + a.repo + ":" + tag
}

// Repo is the repository the archive's images are served as: its file
// name made a repository name ("My App.tar" → "my-app").
func (a *Archive) Repo() string { return a.repo }

// Names lists the references the image served as tag was saved under, as
// the archive wrote them: a docker save image's RepoTags ("alpine:3.20"), a
// layout entry's ref-name annotation (a reference or a bare tag, "3.20");
// none when it was saved unnamed.
func (a *Archive) Names(tag string) []string { return append([]string(nil), a.names[tag]...) }

// addTag serves the manifest d as tag, made a valid tag, and records the
// names it was saved under.
func (a *Archive) addTag(tag string, d digest.Digest, names ...string) {
	tag = tagName(tag, len(a.tags))
	if _, dup := a.byTag[tag]; dup {
		tag = tagName("", len(a.tags))
	}
	a.byTag[tag] = d
	a.tags = append(a.tags, tag)
	a.names[tag] = names
}

// repoName makes a repository name of a file name: lower case, [a-z0-9._-]
// runs, extensions dropped.
func repoName(file string) string {
	base := strings.ToLower(path.Base(strings.ReplaceAll(file, "\\", "/")))
	for _, ext := range []string{".gz", ".tgz", ".zst", ".tar"} {
		base = strings.TrimSuffix(base, ext)
	}
	var b strings.Builder
	sep := true
	for _, c := range base {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
			sep = false
		} else if !sep {
			b.WriteByte('-')
			sep = true
		}
	}
	if s := strings.Trim(b.String(), "-"); s != "" {
		return s
	}
	return "image"
}

// tagName makes s a valid tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}); "" or
// nothing valid gives "image-N" (or "latest" for the first).
func tagName(s string, i int) string {
	var b strings.Builder
	for _, c := range s {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || (b.Len() > 0 && (c == '.' || c == '-')) {
			b.WriteRune(c)
		}
	}
	t := b.String()
	if len(t) > 128 {
		t = t[:128]
	}
	if t != "" {
		return t
	}
	if i == 0 {
		return "latest"
	}
	return fmt.Sprintf("image-%d", i)
}
