package pull_test

import (
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/tartest"
	"github.com/regscope/regscope/pkg/pull"
)

// A config served corrupt once (by a cache in front of the registry, say)
// is asked for again with caches bypassed, and the pull succeeds.
func TestConfigRereadPastCaches(t *testing.T) {
	f := &regtest.Faults{}
	host := regtest.GGCRWith(t, f.Wrap)
	img := imagetest.Image(t, imagetest.OCI, imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "etc/motd", Body: "hi\n"}))
	ref := host + "/config:retry"
	regtest.Push(t, ref, img)
	name, err := img.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	cfg := digest.Digest(name.String())
	f.Add(regtest.Fault{Kind: regtest.Corrupt, Path: regtest.BlobPath(cfg), Offset: 5, Times: 1})
	var msgs []string
	got := pullOK(t, ref, pull.Options{Progress: func(e pull.Event) {
		if e.Phase == pull.PhaseConfig && e.Message != "" && e.Message != "fetching config" {
			msgs = append(msgs, e.Message)
		}
	}})
	if got.Config.Digest != cfg {
		t.Fatalf("config %s, want %s", got.Config.Digest, cfg)
	}
	if len(msgs) != 1 || !strings.HasPrefix(msgs[0], "config: blob "+string(cfg)+": digest mismatch: want "+string(cfg)+", got sha256:") ||
		!strings.HasSuffix(msgs[0], "; fetching it again from the registry, bypassing caches") {
		t.Errorf("messages %q", msgs)
	}
	var seen []regtest.Seen
	for _, s := range f.Seen(regtest.BlobPath(cfg)) {
		if s.Method == "GET" {
			seen = append(seen, s)
		}
	}
	if len(seen) != 2 || seen[0].CacheControl != "" || seen[1].CacheControl != "no-cache" {
		t.Errorf("config requests %+v; want a GET, then a GET with no-cache", seen)
	}
}
