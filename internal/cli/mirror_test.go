//go:build !js

package cli

import (
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/tartest"
)

// `regscope pull --mirror UPSTREAM=URL`: manifests and blobs come from the
// mirror (a real registry holding the same image) and the upstream serves
// no blob; a blob the mirror corrupts fails its digest check and is fetched
// once more from the upstream, past the mirror; a bad flag is named.
func TestCLIPullMirror(t *testing.T) {
	var up, mir regtest.Faults
	upstream := regtest.GGCRWith(t, up.Wrap)
	mirror := regtest.GGCRWith(t, mir.Wrap)
	img := imagetest.Image(t, imagetest.OCI,
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "a", Body: strings.Repeat("mirror ", 1000)}))
	regtest.Push(t, upstream+"/m/img:1", img)
	regtest.Push(t, mirror+"/m/img:1", img)
	ls, _ := img.Layers()
	d, _ := ls[0].Digest()
	blob := regtest.BlobPath(digest.Digest(d.String()))
	gets := func(f *regtest.Faults) (n int, last regtest.Seen) {
		for _, s := range f.Seen(blob) {
			if s.Method == "GET" {
				n, last = n+1, s
			}
		}
		return n, last
	}
	flag := upstream + "=http://" + mirror

	code, out, errs := run(t, nil, "pull", "--mirror", flag, upstream+"/m/img:1")
	if code != 0 || !strings.HasSuffix(out, "\nall 4 digests verified (the manifest, the config, 1 layer blob, 1 DiffID)\n") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	if u, _ := gets(&up); u != 0 {
		t.Errorf("%d GETs of the layer upstream, want 0 (the mirror has it)", u)
	}
	if m, _ := gets(&mir); m != 1 {
		t.Errorf("%d GETs of the layer at the mirror, want 1", m)
	}

	mir.Add(regtest.Fault{Kind: regtest.Corrupt, Path: blob, Offset: 50})
	code, out, errs = run(t, nil, "pull", "--mirror", flag, upstream+"/m/img:1")
	if code != 0 || !strings.HasSuffix(out, "\nall 4 digests verified (the manifest, the config, 1 layer blob, 1 DiffID)\n") {
		t.Fatalf("corrupt mirror: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	if u, last := gets(&up); u != 1 || last.CacheControl != "no-cache" {
		t.Errorf("corrupt mirror: %d GETs of the layer upstream (last %+v), want 1 with Cache-Control: no-cache", u, last)
	}
	if !strings.Contains(errs, "digest mismatch") || !strings.Contains(errs, "fetching it again from the registry, bypassing caches") {
		t.Errorf("stderr does not tell of the refetch:\n%s", errs)
	}

	code, _, errs = run(t, nil, "pull", "--mirror", "docker.io=ftp://cache", upstream+"/m/img:1")
	if want := "regscope: pull: invalid value \"docker.io=ftp://cache\" for flag -mirror: mirror \"docker.io=ftp://cache\": URL scheme must be http or https\n"; code != 1 || errs != want {
		t.Errorf("bad --mirror: exit %d, stderr %q; want 1 and %q", code, errs, want)
	}
}
