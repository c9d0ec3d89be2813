package pull_test

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/opencontainers/go-digest"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/tartest"
	"github.com/regscope/regscope/pkg/pull"
)

// TestPullChecks: Image.Checks lists exactly what was verified, against
// what, and what could not be; Checks.String is the sentence.
func TestPullChecks(t *testing.T) {
	noHeader := regtest.GGCRWith(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(dropHeader{w, "Docker-Content-Digest"}, r)
		})
	})
	host := regtest.GGCR(t)
	img := func(arch string) imagetest.Entry {
		return imagetest.Entry{Platform: arch, Image: imagetest.ImageFor(t, imagetest.OCI, platform(t, arch),
			imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "etc/arch", Body: arch}),
			imagetest.Layer(t, imagetest.Zstd, tartest.Entry{Name: "etc/second", Body: "2"}))}
	}
	idx := imagetest.Index(t, imagetest.OCI, img("linux/amd64"), img("linux/arm64"))
	idxDigest := digest.Digest(digestOf(t, idx))
	for _, h := range []string{host, noHeader} {
		regtest.PushIndex(t, h+"/checks:1", idx)
	}

	got := pullOK(t, host+"/checks:1", pull.Options{})
	m, cfg := got.Manifest.Digest, got.Config.Digest
	l0, l1 := got.Layers[0], got.Layers[1]
	d0, d1 := got.Image.RootFS.DiffIDs[0], got.Image.RootFS.DiffIDs[1]
	want := pull.Checks{
		{What: "index", Kind: pull.CheckIndex, Expected: idxDigest, From: "Docker-Content-Digest", Result: pull.Verified},
		{What: "manifest", Kind: pull.CheckManifest, Expected: m, From: "index and Docker-Content-Digest", Result: pull.Verified},
		{What: "config", Kind: pull.CheckConfig, Expected: cfg, From: "manifest", Result: pull.Verified},
		{What: "layer 0 blob", Kind: pull.CheckBlob, Expected: l0.Digest, From: "manifest", Result: pull.Verified},
		{What: "layer 0 DiffID", Kind: pull.CheckDiffID, Expected: d0, From: "config", Result: pull.Verified},
		{What: "layer 1 blob", Kind: pull.CheckBlob, Expected: l1.Digest, From: "manifest", Result: pull.Verified},
		{What: "layer 1 DiffID", Kind: pull.CheckDiffID, Expected: d1, From: "config", Result: pull.Verified},
	}
	if !reflect.DeepEqual(got.Checks, want) {
		t.Errorf("by tag:\n got %+v\nwant %+v", got.Checks, want)
	}
	const all = "all 7 digests verified (the index, the manifest, the config, 2 layer blobs, 2 DiffIDs)"
	if s := got.Checks.String(); s != all {
		t.Errorf("sentence %q, want %q", s, all)
	}

	// By digest: the index is checked against the reference too.
	got = pullOK(t, host+"/checks@"+idxDigest.String(), pull.Options{})
	if c := got.Checks[0]; c.From != "reference and Docker-Content-Digest" || c.Expected != idxDigest || c.Result != pull.Verified {
		t.Errorf("by digest: index check %+v", c)
	}

	// By tag from a registry that sends no Docker-Content-Digest: the index
	// was not checked against anything; everything below it was.
	got = pullOK(t, noHeader+"/checks:1", pull.Options{})
	want[0] = pull.Check{What: "index", Kind: pull.CheckIndex, Result: pull.NotChecked, Reason: "named by tag, and the registry sent no Docker-Content-Digest"}
	want[1].From = "index"
	if !reflect.DeepEqual(got.Checks, want) {
		t.Errorf("no header:\n got %+v\nwant %+v", got.Checks, want)
	}
	const partial = "6 of 7 digests verified (the manifest, the config, 2 layer blobs, 2 DiffIDs); not checked: the index (named by tag, and the registry sent no Docker-Content-Digest)"
	if s := got.Checks.String(); s != partial {
		t.Errorf("sentence %q, want %q", s, partial)
	}
}

// dropHeader removes one header from a registry's answers.
type dropHeader struct {
	http.ResponseWriter
	name string
}

func (d dropHeader) WriteHeader(code int) {
	d.Header().Del(d.name)
	d.ResponseWriter.WriteHeader(code)
}

func (d dropHeader) Write(b []byte) (int, error) {
	d.Header().Del(d.name)
	return d.ResponseWriter.Write(b)
}

// TestChecksString: the sentence for a signed schema1 image names the
// signature among what was not checked without counting it as a digest.
func TestChecksString(t *testing.T) {
	cs := pull.Checks{
		{What: "manifest", Kind: pull.CheckManifest, Result: pull.NotChecked, Reason: "named by tag, and the registry sent no Docker-Content-Digest"},
		{What: "layer 0 blob", Kind: pull.CheckBlob, Result: pull.Verified},
		{What: "layer 0 DiffID", Kind: pull.CheckDiffID, Result: pull.NotChecked, Reason: "a schema1 manifest lists none"},
		{What: "signature", Kind: pull.CheckSignature, Result: pull.NotChecked, Reason: "schema1 signatures are not verified"},
	}
	const want = "1 of 3 digests verified (1 layer blob); not checked: the manifest (named by tag, and the registry sent no Docker-Content-Digest), 1 DiffID (a schema1 manifest lists none), the signature (schema1 signatures are not verified)"
	if got := cs.String(); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
