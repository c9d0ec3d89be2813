//go:build !js

package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/tartest"
)

// cachedImage pushes a two-layer image behind a request-recording registry
// and returns its reference and its blobs (config, layer 0, layer 1).
func cachedImage(t *testing.T) (*regtest.Faults, string, []digest.Digest) {
	f := &regtest.Faults{}
	ref := regtest.GGCRWith(t, f.Wrap) + "/cache/test:1"
	img := imagetest.Image(t, imagetest.OCI,
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "etc/os-release", Body: "ID=cached\n"}),
		imagetest.Layer(t, imagetest.Zstd, tartest.Entry{Name: "big", Body: strings.Repeat("b", 100_000)}))
	regtest.Push(t, ref, img)
	cfg, _ := img.ConfigName()
	blobs := append([]digest.Digest{digest.Digest(cfg.String())}, imagetest.LayerDigests(t, img)...)
	return f, ref, blobs
}

// gets counts the GET requests for each blob.
func gets(f *regtest.Faults, blobs []digest.Digest) []int {
	var n []int
	for _, d := range blobs {
		c := 0
		for _, s := range f.Seen(regtest.BlobPath(d)) {
			if s.Method == "GET" {
				c++
			}
		}
		n = append(n, c)
	}
	return n
}

// `ls` then `cat` of the same image downloads each blob once; `cache ls`
// lists them; `cache prune --all` empties the cache.
func TestCLICacheLsThenCat(t *testing.T) {
	f, ref, blobs := cachedImage(t)
	env := map[string]string{"XDG_CACHE_HOME": t.TempDir()}
	if code, _, errs := run(t, env, "ls", ref); code != 0 {
		t.Fatalf("ls: exit %d: %s", code, errs)
	}
	if got := gets(f, blobs); !slices.Equal(got, []int{1, 1, 1}) {
		t.Fatalf("GETs after ls = %v, want one per blob", got)
	}
	code, out, errs := run(t, env, "cat", ref, "/etc/os-release")
	if code != 0 || out != "ID=cached\n" {
		t.Fatalf("cat: exit %d, %q: %s", code, out, errs)
	}
	if got := gets(f, blobs); !slices.Equal(got, []int{1, 1, 1}) {
		t.Errorf("GETs after ls and cat = %v, want still one per blob", got)
	}
	code, out, errs = run(t, env, "cache", "ls", "--json")
	if code != 0 {
		t.Fatalf("cache ls: exit %d: %s", code, errs)
	}
	var listed []digest.Digest
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var e cacheEntryJSON
		if err := dec.Decode(&e); err != nil {
			t.Fatalf("cache ls --json: %v\n%s", err, out)
		}
		listed = append(listed, digest.Digest(e.Digest))
	}
	// The blobs and the manifest, which is kept by its digest too.
	missing := slices.DeleteFunc(slices.Clone(blobs), func(d digest.Digest) bool { return slices.Contains(listed, d) })
	if len(listed) != len(blobs)+1 || len(missing) > 0 {
		t.Errorf("cache ls lists %v, want %v and the manifest", listed, blobs)
	}
	if code, out, _ := run(t, env, "cache", "prune", "--all"); code != 0 || !strings.HasPrefix(out, "removed 4 blobs, ") {
		t.Errorf("cache prune --all: exit %d, %q", code, out)
	}
	if code, out, _ := run(t, env, "cache", "ls"); code != 0 || !strings.HasPrefix(out, "total 0 of ") {
		t.Errorf("cache ls after prune: exit %d, %q", code, out)
	}
}

// A kept blob whose bytes were changed on disk is caught when read, reported
// and dropped, and downloaded again; the output is still right.
func TestCLICacheTampered(t *testing.T) {
	f, ref, blobs := cachedImage(t)
	cacheHome := t.TempDir()
	env := map[string]string{"XDG_CACHE_HOME": cacheHome}
	if code, _, errs := run(t, env, "ls", ref); code != 0 {
		t.Fatalf("ls: exit %d: %s", code, errs)
	}
	layer1 := filepath.Join(cacheHome, "regscope", "blobs", "sha256", blobs[2].Encoded())
	b, err := os.ReadFile(layer1)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0xff
	if err := os.WriteFile(layer1, b, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := run(t, env, "cat", ref, "/big")
	if code != 0 || out != strings.Repeat("b", 100_000) {
		t.Fatalf("cat: exit %d, %d bytes: %s", code, len(out), errs)
	}
	for _, want := range []string{
		"reading blob " + string(blobs[2]) + " from the cache failed (",
		"cached blob " + string(blobs[2]) + " (" + layer1 + "): its bytes hash to sha256:",
		"; removed); downloading it\n",
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr does not report the tampered blob: want %q in\n%s", want, errs)
		}
	}
	if got := gets(f, blobs); !slices.Equal(got, []int{1, 1, 2}) {
		t.Errorf("GETs = %v, want the tampered layer downloaded again", got)
	}
	if again, err := os.ReadFile(layer1); err != nil || string(again) == string(b) {
		t.Errorf("the tampered blob is still kept (%v)", err)
	}
}

// --no-cache neither reads nor fills the cache; REGSCOPE_CACHE_MAX bounds it.
func TestCLICacheBypassAndLimit(t *testing.T) {
	f, ref, blobs := cachedImage(t)
	cacheHome := t.TempDir()
	env := map[string]string{"XDG_CACHE_HOME": cacheHome}
	for i := 1; i <= 2; i++ {
		if code, _, errs := run(t, env, "pull", "--no-cache", ref); code != 0 {
			t.Fatalf("pull --no-cache: exit %d: %s", code, errs)
		}
		if got := gets(f, blobs); !slices.Equal(got, []int{i, i, i}) {
			t.Fatalf("GETs after %d pulls with --no-cache = %v", i, got)
		}
	}
	if kept, _ := filepath.Glob(filepath.Join(cacheHome, "regscope", "blobs", "sha256", "*")); len(kept) != 0 {
		t.Errorf("--no-cache kept %v", kept)
	}
	env["REGSCOPE_CACHE_MAX"] = "2000"
	if code, _, errs := run(t, env, "pull", ref); code != 0 {
		t.Fatalf("pull: exit %d: %s", code, errs)
	}
	code, out, _ := run(t, env, "cache", "ls", "--json")
	var total int64
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var e cacheEntryJSON
		if dec.Decode(&e) == nil {
			total += e.Size
		}
	}
	if code != 0 || total > 2000 {
		t.Errorf("cache ls: exit %d, %d bytes kept over a 2000-byte limit:\n%s", code, total, out)
	}
}
