//go:build !js

package registry

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/random"

	"github.com/regscope/regscope/internal/regtest"
)

// A client with Mirrors asks the mirror first, without the upstream's
// credentials; a manifest or config the mirror corrupts is asked for again
// with Cache-Control: no-cache, which goes past the mirror to the upstream;
// a mirror answering 404 or 503 is a fallback, not an error.
func TestMirrorTransport(t *testing.T) {
	var up, mir regtest.Faults
	upstream := regtest.GGCRWith(t, up.Wrap)
	mirror := regtest.GGCRWith(t, mir.Wrap)
	p := pushRandom(t, upstream, "m/img", 1000, 1)
	other := pushRandom(t, mirror, "m/img", 1000, 1) // what the mirror says is what a tag names
	img, err := random.Image(1000, 1)
	if err != nil {
		t.Fatal(err)
	}
	same := pushImage(t, upstream, "m/same", img)
	pushImage(t, mirror, "m/same", img)
	m, err := ParseMirror(upstream + "=http://" + mirror)
	if err != nil {
		t.Fatal(err)
	}
	var outcomes []string
	c := fastClient(Options{Mirrors: []Mirror{m}, Credentials: func(string) (string, string, bool) { return "user", "secret", true }})
	c.base.(*stallTransport).next.(*MirrorTransport).Observe = func(_ Mirror, o MirrorOutcome) { outcomes = append(outcomes, string(o)) }
	ctx := context.Background()

	pinned := p.ref.WithDigest(p.digest)
	mir.Add(regtest.Fault{Kind: regtest.Status, Code: 404, Path: "/manifests/" + string(p.digest), Times: 1})
	f, err := c.Manifest(ctx, pinned, string(p.digest), []string{p.mediaType}, 4<<20)
	if err != nil || !bytes.Equal(f.Body, p.manifest) {
		t.Fatalf("manifest by digest, mirror 404: %v", err)
	}
	mir.Add(regtest.Fault{Kind: regtest.Status, Code: 503, Path: "/blobs/"})
	body, err := c.BlobBytes(ctx, p.ref, p.config, 1<<20)
	if err != nil || !bytes.Equal(body, p.blobs[p.config.Digest]) {
		t.Fatalf("config, mirror 503: %v", err)
	}
	if got := strings.Join(outcomes, " "); got != "miss error" {
		t.Errorf("outcomes %q, want \"miss error\"", got)
	}
	tagged, err := c.Manifest(ctx, p.ref, "tag", []string{p.mediaType}, 4<<20)
	if err != nil || tagged.Digest != other.digest {
		t.Errorf("tag from the mirror: %v, %v; want the mirror's %s", tagged, err, other.digest)
	}
	for _, s := range mir.Seen("/v2/m/") {
		if s.Method == "GET" && s.Authorization {
			t.Errorf("the mirror received credentials: %+v", s)
		}
	}

	// The mirror corrupts a manifest it has: asked again past it.
	mir.Add(regtest.Fault{Kind: regtest.Corrupt, Path: "/manifests/" + string(same.digest), Offset: 20, Times: 1})
	path := "/manifests/" + string(same.digest)
	if _, err := c.Manifest(ctx, same.ref.WithDigest(same.digest), string(same.digest), []string{same.mediaType}, 4<<20); err != nil {
		t.Fatalf("manifest corrupted by the mirror: %v", err)
	}
	if seen := up.Seen(path); len(seen) != 1 || seen[0].CacheControl != "no-cache" {
		t.Errorf("upstream requests for %s: %+v, want one with Cache-Control: no-cache", path, seen)
	}
	if got := strings.Join(outcomes[len(outcomes)-2:], " "); got != "hit bypass" {
		t.Errorf("last outcomes %q, want \"hit bypass\"", got)
	}
}

// ParseMirror names what is wrong with a --mirror value.
func TestParseMirror(t *testing.T) {
	m, err := ParseMirror("docker.io=https://cache.internal:5000/")
	if err != nil || m.Upstream != "registry-1.docker.io" || m.URL.String() != "https://cache.internal:5000" {
		t.Errorf("docker.io mirror: %+v, %v", m, err)
	}
	for in, want := range map[string]string{
		"docker.io":                         `mirror "docker.io": want UPSTREAM=URL, e.g. docker.io=https://cache.internal:5000`,
		"docker.io=ftp://cache":             `mirror "docker.io=ftp://cache": URL scheme must be http or https`,
		"docker.io=http://cache/v2":         `mirror "docker.io=http://cache/v2": URL must be scheme://host[:port] with no path, query or credentials`,
		"docker.io=http://u:p@cache":        `mirror "docker.io=http://u:p@cache": URL must be scheme://host[:port] with no path, query or credentials`,
		"docker.io/library=http://cache:80": `mirror "docker.io/library=http://cache:80": upstream "docker.io/library" is not a registry host[:port]`,
	} {
		if _, err := ParseMirror(in); err == nil || err.Error() != want {
			t.Errorf("ParseMirror(%q) = %v, want %q", in, err, want)
		}
	}
}
