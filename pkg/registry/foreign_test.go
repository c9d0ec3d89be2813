package registry

import (
	"bytes"
	"errors"
	"testing"

	"github.com/regscope/regscope/internal/regtest"
)

// A non-distributable layer: the registry lacks it, desc.URLs has it.
func TestBlobForeignURLs(t *testing.T) {
	var cdn regtest.Faults
	cdnHost := regtest.GGCRWith(t, cdn.Wrap)
	src := pushRandom(t, cdnHost, "cdn/layers", 5000, 1)
	l := src.layers[0]

	host := regtest.GGCR(t)
	p := pushRandom(t, host, "test/img", 100, 1)
	before := len(cdn.Seen(""))
	desc := l
	desc.URLs = []string{"ftp://nope/x", "http://" + cdnHost + "/v2/cdn/layers/blobs/" + string(l.Digest) + "?sig=secret"}
	got, err := readBlob(t, NewClient(Options{}), p.ref, desc)
	if err != nil || !bytes.Equal(got, src.blobs[l.Digest]) {
		t.Fatalf("foreign blob: %d bytes, %v", len(got), err)
	}
	if s := cdn.Seen("")[before:]; len(s) != 1 || s[0].Authorization || s[0].Method != "GET" {
		t.Errorf("CDN saw %+v, want one request without Authorization", s)
	}

	// Without URLs, the registry's 404 stands.
	desc.URLs = nil
	if _, err := readBlob(t, NewClient(Options{}), p.ref, desc); !errors.Is(err, ErrBlobUnknown) {
		t.Errorf("err = %v, want ErrBlobUnknown", err)
	}
}

func TestManifestContentType(t *testing.T) {
	for in, want := range map[string]string{
		"application/vnd.oci.image.manifest.v1+json":                     "application/vnd.oci.image.manifest.v1+json",
		"application/vnd.docker.distribution.manifest.v1+prettyjws; x=1": "application/vnd.docker.distribution.manifest.v1+prettyjws",
		"Application/JSON ; charset=utf-8":                               "application/json",
		"text/plain;;bad":                                                "text/plain",
		"":                                                               "",
	} {
		if got := mediaType(in); got != want {
			t.Errorf("mediaType(%q) = %q, want %q", in, got, want)
		}
	}
}
