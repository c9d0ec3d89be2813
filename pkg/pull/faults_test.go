//go:build !js

package pull_test

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	ggcr "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/opencontainers/go-digest"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/tartest"
	"github.com/regscope/regscope/pkg/layers"
	"github.com/regscope/regscope/pkg/pull"
	"github.com/regscope/regscope/pkg/registry"
)

// fast keeps retries quick in tests.
var fast = registry.Options{Backoff: 1, MaxBackoff: 10 * 1e6}

// twoLayers pushes a two-layer image through a Faults wrapper and returns
// its reference and layer digests.
func twoLayers(t *testing.T) (*regtest.Faults, string, []digest.Digest) {
	f := &regtest.Faults{}
	host := regtest.GGCRWith(t, f.Wrap)
	body := strings.Repeat("0123456789abcdef", 1<<14) // 256 KiB
	img := imagetest.Image(t, imagetest.OCI,
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "lower", Body: "lower"}),
		imagetest.Layer(t, imagetest.None, tartest.Entry{Name: "upper", Body: body}))
	ref := host + "/faulty:1"
	regtest.Push(t, ref, img)
	return f, ref, imagetest.LayerDigests(t, img)
}

func TestPullCorruptBlob(t *testing.T) {
	f, ref, ds := twoLayers(t)
	f.Add(regtest.Fault{Kind: regtest.Corrupt, Path: regtest.BlobPath(ds[1]), Offset: 1000})
	var failed []pull.Event
	img, err := pull.Pull(context.Background(), ref, pull.Options{Registry: fast, Progress: func(e pull.Event) {
		if e.State == pull.Failed {
			failed = append(failed, e)
		}
	}})
	var de *registry.DigestError
	if img != nil || !errors.As(err, &de) || !strings.Contains(err.Error(), "layer 1") || !strings.Contains(err.Error(), string(ds[1])) {
		t.Fatalf("corrupt blob: image %v, err %v; want a DigestError naming layer 1 and %s", img, err, ds[1])
	}
	if len(failed) != 1 || failed[0].Layer != 1 {
		t.Errorf("failed events %+v, want one for layer 1", failed)
	}
}

func TestPullResumesAfterReset(t *testing.T) {
	f, ref, ds := twoLayers(t)
	f.Add(regtest.Fault{Kind: regtest.Reset, Path: regtest.BlobPath(ds[1]), Offset: 100_000, Times: 1})
	img, err := pull.Pull(context.Background(), ref, pull.Options{Registry: fast})
	if err != nil {
		t.Fatalf("pull after one reset: %v", err)
	}
	if len(img.FS.History("upper")) != 0 || img.Layers[1].DiffID == "" {
		t.Errorf("layers %+v", img.Layers)
	}
	var seen []regtest.Seen
	for _, s := range f.Seen(regtest.BlobPath(ds[1])) {
		if s.Method == "GET" {
			seen = append(seen, s)
		}
	}
	if len(seen) != 2 || !strings.HasPrefix(seen[1].Range, "bytes=100000-") {
		t.Errorf("blob requests %+v, want a second one resuming at byte 100000", seen)
	}
}

func TestPullTruncatedBlobFails(t *testing.T) {
	f, ref, ds := twoLayers(t)
	f.Add(regtest.Fault{Kind: regtest.Truncate, Path: regtest.BlobPath(ds[1]), Offset: 5000})
	f.Add(regtest.Fault{Kind: regtest.IgnoreRange, Path: regtest.BlobPath(ds[1])})
	_, err := pull.Pull(context.Background(), ref, pull.Options{Registry: fast})
	if err == nil || !strings.Contains(err.Error(), string(ds[1])) {
		t.Fatalf("always-truncated blob: %v, want an error naming %s", err, ds[1])
	}
	if n := len(f.Seen(regtest.BlobPath(ds[1]))); n < 2 || n > 10 {
		t.Errorf("%d attempts at the blob, want bounded retries", n)
	}
}

// rawManifest lets a test push exact manifest bytes.
type rawManifest struct {
	body []byte
	mt   types.MediaType
}

func (r rawManifest) RawManifest() ([]byte, error)        { return r.body, nil }
func (r rawManifest) MediaType() (types.MediaType, error) { return r.mt, nil }

func putRaw(t *testing.T, ref string, body []byte, mt types.MediaType) {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Put(r, rawManifest{body, mt}); err != nil {
		t.Fatal(err)
	}
}

func writeLayer(t *testing.T, repo string, l ggcr.Layer) {
	t.Helper()
	r, err := name.NewRepository(repo)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteLayer(r, l); err != nil {
		t.Fatal(err)
	}
}

// A manifest whose descriptor size lies about the blob.
func TestPullWrongSize(t *testing.T) {
	host := regtest.GGCR(t)
	img := imagetest.Image(t, imagetest.OCI, imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "f", Body: "x"}))
	regtest.Push(t, host+"/size:ok", img)
	m, _ := img.Manifest()
	m = m.DeepCopy()
	m.Layers[0].Size++
	body, _ := json.Marshal(m)
	putRaw(t, host+"/size:bad", body, types.OCIManifestSchema1)
	_, err := pull.Pull(context.Background(), host+"/size:bad", pull.Options{Registry: fast})
	var se *registry.SizeError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), m.Layers[0].Digest.String()) {
		t.Fatalf("wrong size: %v, want a SizeError naming the layer", err)
	}
}

// A config whose DiffIDs do not match the content: Docker's
// errRootFSMismatch, and nothing of the image is returned.
func TestPullDiffIDMismatch(t *testing.T) {
	host := regtest.GGCR(t)
	img := imagetest.Image(t, imagetest.OCI,
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "a", Body: "a"}),
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "b", Body: "b"}))
	cf, _ := img.ConfigFile()
	cf = cf.DeepCopy()
	wrong := ggcr.Hash{Algorithm: "sha256", Hex: fmt.Sprintf("%x", sha256.Sum256([]byte("not the layer")))}
	right := cf.RootFS.DiffIDs[1]
	cf.RootFS.DiffIDs[1] = wrong
	bad, err := mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatal(err)
	}
	regtest.Push(t, host+"/diffid:bad", bad)
	_, err = pull.Pull(context.Background(), host+"/diffid:bad", pull.Options{})
	var de *pull.DiffIDError
	if !errors.As(err, &de) || de.Layer != 1 || de.Want.String() != wrong.String() || de.Got.String() != right.String() {
		t.Fatalf("DiffID mismatch: %v, want a DiffIDError for layer 1 with both digests", err)
	}
	for _, s := range []string{"layer 1", wrong.String(), right.String()} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not name %s", err, s)
		}
	}

	// A config listing fewer DiffIDs than the manifest has layers.
	cf.RootFS.DiffIDs = cf.RootFS.DiffIDs[:1]
	short, _ := mutate.ConfigFile(img, cf)
	regtest.Push(t, host+"/diffid:short", short)
	_, err = pull.Pull(context.Background(), host+"/diffid:short", pull.Options{})
	var re *pull.RootFSError
	if !errors.As(err, &re) || re.Layers != 2 || re.DiffIDs != 1 {
		t.Errorf("short rootfs: %v, want a RootFSError 2 vs 1", err)
	}
}

// Bearer tokens from a real token service in front of Distribution.
func TestPullTokenAuth(t *testing.T) {
	reg := regtest.StartDistribution(t, regtest.Token)
	ref := reg.Host + "/private/tok:1"
	regtest.Push(t, ref, imagetest.Image(t, imagetest.OCI,
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "f", Body: "token"})),
		remote.WithAuth(&authn.Basic{Username: regtest.User, Password: regtest.Password}))

	before := len(reg.Issuer.Requests())
	_, err := pull.Pull(context.Background(), ref, pull.Options{})
	if !errors.Is(err, registry.ErrUnauthorized) && !errors.Is(err, registry.ErrDenied) {
		t.Errorf("anonymous: %v, want unauthorized", err)
	}
	creds := func(host string) (string, string, bool) {
		return regtest.User, regtest.Password, host == reg.Host
	}
	img, err := pull.Pull(context.Background(), ref, pull.Options{Registry: registry.Options{Credentials: creds}})
	if err != nil {
		t.Fatalf("with credentials: %v", err)
	}
	if s := readFile(t, img, "f"); s != "token" {
		t.Errorf("f = %q", s)
	}
	if n := len(reg.Issuer.Requests()) - before; n < 1 || n > 3 {
		t.Errorf("%d token requests for one pull, want tokens cached per scope", n)
	}
}

// Schema1, unsigned: fsLayers top first, throwaway entries skipped, DiffIDs
// computed from the content.
func TestPullSchema1(t *testing.T) {
	host := regtest.GGCR(t)
	repo := host + "/old/school"
	lower := imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "etc/", Type: tar.TypeDir}, tartest.Entry{Name: "etc/v", Body: "1"})
	upper := imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "etc/v", Body: "2"})
	writeLayer(t, repo, lower)
	writeLayer(t, repo, upper)
	ld, _ := lower.Digest()
	ud, _ := upper.Digest()
	lid, _ := lower.DiffID()
	uid, _ := upper.DiffID()
	id := func(s string) string { return strings.Repeat(s, 64) }
	v1c := func(id, parent string, throwaway bool, cmd string) map[string]string {
		b, _ := json.Marshal(map[string]any{"id": id, "parent": parent, "throwaway": throwaway,
			"architecture": "amd64", "os": "linux", "created": "2020-01-01T00:00:00Z",
			"container_config": map[string]any{"Cmd": []string{"/bin/sh", "-c", cmd}},
			"config":           map[string]any{"Env": []string{"A=1"}, "Cmd": []string{"sh"}}})
		return map[string]string{"v1Compatibility": string(b)}
	}
	m := map[string]any{
		"schemaVersion": 1, "name": "old/school", "tag": "1", "architecture": "amd64",
		"fsLayers": []map[string]string{{"blobSum": ud.String()}, {"blobSum": ld.String()}, {"blobSum": ld.String()}},
		"history":  []map[string]string{v1c(id("c"), id("b"), false, "upper"), v1c(id("b"), id("a"), true, "ENV A=1"), v1c(id("a"), "", false, "lower")},
	}
	body, _ := json.MarshalIndent(m, "", "   ")
	putRaw(t, repo+":1", body, types.DockerManifestSchema1)

	img := pullOK(t, repo+":1", pull.Options{})
	if len(img.Layers) != 2 || img.Layers[0].Digest.String() != ld.String() || img.Layers[1].Digest.String() != ud.String() {
		t.Fatalf("layers %+v, want lower then upper (throwaway skipped)", img.Layers)
	}
	if got := img.Image.RootFS.DiffIDs; len(got) != 2 || got[0].String() != lid.String() || got[1].String() != uid.String() {
		t.Errorf("computed DiffIDs %v, want %s %s", got, lid, uid)
	}
	if s := readFile(t, img, "etc/v"); s != "2" {
		t.Errorf("etc/v = %q", s)
	}
	if img.Config.Digest != "" || img.Manifest.MediaType != "application/vnd.docker.distribution.manifest.v1+json" {
		t.Errorf("config %+v, manifest type %s", img.Config, img.Manifest.MediaType)
	}
	if img.Layers[1].History == nil || !strings.Contains(img.Layers[1].History.CreatedBy, "upper") {
		t.Errorf("upper layer history %+v", img.Layers[1].History)
	}
	// What was checked: the manifest (Docker-Content-Digest) and the blobs;
	// not the DiffIDs, which schema1 does not list.
	const sentence = "3 of 5 digests verified (the manifest, 2 layer blobs); not checked: 2 DiffIDs (a schema1 manifest lists none)"
	if s := img.Checks.String(); s != sentence {
		t.Errorf("checks %q, want %q", s, sentence)
	}
	for _, c := range img.Checks {
		if c.Kind == pull.CheckDiffID && (c.Result != pull.NotChecked || c.Expected != "") {
			t.Errorf("schema1 %s: %+v; want not checked, no expected digest", c.What, c)
		}
	}
}

// For a generated image with every kind of entry, the merged filesystem
// equals go-containerregistry's flattening (mutate.Extract) entry for entry.
func TestPullMatchesGGCRExtract(t *testing.T) {
	host := regtest.GGCR(t)
	ref := host + "/oracle:1"
	img := imagetest.Image(t, imagetest.Docker,
		imagetest.Layer(t, imagetest.Gzip,
			tartest.Entry{Name: "a/", Type: tar.TypeDir},
			tartest.Entry{Name: "a/one", Body: "1"},
			tartest.Entry{Name: "a/two", Body: "22"},
			tartest.Entry{Name: "a/sub/", Type: tar.TypeDir},
			tartest.Entry{Name: "a/sub/deep", Body: "deep"},
			tartest.Entry{Name: "link", Type: tar.TypeSymlink, Link: "a/one", Mode: 0o777}),
		imagetest.Layer(t, imagetest.Gzip,
			tartest.Entry{Name: "a/.wh.two"},
			tartest.Entry{Name: "a/.wh.sub"},
			tartest.Entry{Name: "a/three", Body: "333", Mode: 0o600},
			tartest.Entry{Name: "hard", Type: tar.TypeLink, Link: "a/one"}),
	)
	regtest.Push(t, ref, img)
	got := pullOK(t, ref, pull.Options{})

	want := map[string]string{}
	tr := tar.NewReader(mutate.Extract(img))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		p := "/" + strings.TrimSuffix(strings.TrimPrefix(h.Name, "./"), "/")
		want[p] = fmt.Sprintf("%c %o %d %q %x", h.Typeflag, h.Mode&0o7777, len(b), h.Linkname, sha256.Sum256(b))
	}
	have := map[string]string{}
	err := got.FS.Walk(func(e *layersEntry) error {
		b := []byte{}
		if e.Content != nil && e.Type != layers.TypeHardlink { // ggcr writes hardlinks as tar does: no body
			b = make([]byte, e.Content.Size())
			e.Content.ReadAt(b, 0)
		}
		have[e.Path] = fmt.Sprintf("%c %o %d %q %x", typeflag(e), e.Mode.Perm(), len(b), linkname(e), sha256.Sum256(b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for p, w := range want {
		if have[p] != w {
			t.Errorf("%s: regscope %q, ggcr %q", p, have[p], w)
		}
	}
	for p := range have {
		if _, ok := want[p]; !ok {
			t.Errorf("%s: only in regscope", p)
		}
	}
}

type layersEntry = layers.Entry

// typeflag and linkname express an entry as the tar header ggcr writes.
func typeflag(e *layers.Entry) byte {
	switch e.Type {
	case layers.TypeDir:
		return tar.TypeDir
	case layers.TypeSymlink:
		return tar.TypeSymlink
	case layers.TypeHardlink:
		return tar.TypeLink
	}
	return tar.TypeReg
}

func linkname(e *layers.Entry) string {
	if e.Type == layers.TypeHardlink {
		return strings.TrimPrefix(e.Link, "/")
	}
	return e.Link
}
