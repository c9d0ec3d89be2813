package archive

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"regexp"

	"github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/regscope/regscope/pkg/layers"
	"github.com/regscope/regscope/pkg/manifest"
)

// savedImage is one entry of a docker save tarball's manifest.json.
type savedImage struct {
	Config   string
	RepoTags []string
	Layers   []string
}

// namedDigest matches a file named by its sha256 digest: "blobs/sha256/HEX",
// "HEX.json", "HEX.tar.gz" (not "HEX/layer.tar", whose HEX is a v1 image id).
var namedDigest = regexp.MustCompile(`(?:^|/)([a-f0-9]{64})(?:\.json|\.tar|\.tar\.gz|\.tar\.zst)?$`)

// openDockerSave serves each image of manifest.json under a Docker schema 2
// manifest made here: the config as saved (its digest checked against its
// file name), and each layer file with the digest its name or, for an
// uncompressed layer of an old-style tarball, the config's DiffID gives —
// the pull then checks every layer's bytes against it. A compressed layer
// named by no digest is hashed once here.
func (a *Archive) openDockerSave() error {
	b, err := a.readMember("manifest.json")
	if err != nil {
		return err
	}
	var saved []savedImage
	if err := json.Unmarshal(b, &saved); err != nil {
		return fmt.Errorf("manifest.json: %v", err)
	}
	for i, s := range saved {
		md, err := a.savedManifest(s)
		if err != nil {
			return fmt.Errorf("manifest.json image %d: %w", i, err)
		}
		tag := ""
		if len(s.RepoTags) > 0 {
			if i := lastColon(s.RepoTags[0]); i >= 0 {
				tag = s.RepoTags[0][i+1:]
			}
		}
		a.addTag(tag, md, s.RepoTags...)
	}
	return nil
}

// savedManifest makes and stores the manifest of s and returns its digest.
func (a *Archive) savedManifest(s savedImage) (digest.Digest, error) {
	cfgName := cleanName(s.Config)
	cfg, err := a.readMember(cfgName)
	if err != nil {
		return "", err
	}
	cd := digest.FromBytes(cfg)
	if m := namedDigest.FindStringSubmatch(cfgName); m != nil && m[1] != cd.Encoded() {
		return "", &digestMismatch{what: "config " + cfgName, want: digest.NewDigestFromEncoded(digest.SHA256, m[1]), got: cd}
	}
	var parsed struct {
		RootFS struct {
			DiffIDs []digest.Digest `json:"diff_ids"`
		} `json:"rootfs"`
	}
	if err := json.Unmarshal(cfg, &parsed); err != nil {
		return "", fmt.Errorf("config %s: %v", cfgName, err)
	}
	a.blobs[cd] = blob{mediaType: manifest.MediaTypeDockerConfig, data: cfg}
	m := v1.Manifest{MediaType: manifest.MediaTypeDockerV2,
		Config: v1.Descriptor{MediaType: manifest.MediaTypeDockerConfig, Digest: cd, Size: int64(len(cfg))}}
	m.SchemaVersion = 2
	for j, l := range s.Layers {
		desc, err := a.savedLayer(cleanName(l), j, parsed.RootFS.DiffIDs)
		if err != nil {
			return "", err
		}
		m.Layers = append(m.Layers, desc)
	}
	return a.putJSON(manifest.MediaTypeDockerV2, m)
}

// savedLayer describes (and stores) layer j, the file name.
func (a *Archive) savedLayer(name string, j int, diffIDs []digest.Digest) (v1.Descriptor, error) {
	mem, ok := a.members[name]
	if !ok {
		return v1.Descriptor{}, fmt.Errorf("layer %s is missing", name)
	}
	head := make([]byte, 512)
	n, _ := a.r.ReadAt(head[:min(int64(len(head)), mem.size)], mem.off)
	c := layers.Detect(head[:n])
	var d digest.Digest
	switch m := namedDigest.FindStringSubmatch(name); {
	case m != nil:
		d = digest.NewDigestFromEncoded(digest.SHA256, m[1])
	case c == layers.None && j < len(diffIDs):
		d = diffIDs[j] // an uncompressed layer's digest is its DiffID
	default:
		h := sha256.New()
		if _, err := io.Copy(h, io.NewSectionReader(a.r, mem.off, mem.size)); err != nil {
			return v1.Descriptor{}, fmt.Errorf("layer %s: %v", name, err)
		}
		d = digest.NewDigest(digest.SHA256, h)
	}
	mt := map[layers.Compression]string{layers.None: manifest.MediaTypeDockerLayerTar, layers.Gzip: manifest.MediaTypeDockerLayer,
		layers.Zstd: manifest.MediaTypeOCILayerZstd}[c]
	a.blobs[d] = blob{mediaType: mt, off: mem.off, size: mem.size}
	return v1.Descriptor{MediaType: mt, Digest: d, Size: mem.size}, nil
}

// putJSON stores v as a blob of media type mt and returns its digest.
func (a *Archive) putJSON(mt string, v any) (digest.Digest, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	d := digest.FromBytes(b)
	a.blobs[d] = blob{mediaType: mt, data: b}
	return d, nil
}

// digestMismatch is a file whose content is not what its name says.
type digestMismatch struct {
	what      string
	want, got digest.Digest
}

func (e *digestMismatch) Error() string {
	return fmt.Sprintf("%s: digest mismatch: its name says %s, its content is %s", e.what, e.want, e.got)
}
