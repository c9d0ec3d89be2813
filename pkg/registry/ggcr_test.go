package registry

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/regscope/regscope/internal/regtest"
)

func TestManifestByTagAndDigest(t *testing.T) {
	host := regtest.GGCR(t)
	p := pushRandom(t, host, "test/img", 1000, 2)
	c := NewClient(Options{})
	ctx := context.Background()
	for _, reference := range []string{"tag", string(p.digest)} {
		f, err := c.Manifest(ctx, p.ref, reference, manifestTypes, maxManifest)
		if err != nil {
			t.Fatalf("Manifest(%s): %v", reference, err)
		}
		if !bytes.Equal(f.Body, p.manifest) || f.Digest != p.digest || f.ContentType != p.mediaType {
			t.Errorf("Manifest(%s) = %s %s (%d bytes), want %s %s", reference, f.Digest, f.ContentType, len(f.Body), p.digest, p.mediaType)
		}
	}
}

func TestManifestNotFound(t *testing.T) {
	host := regtest.GGCR(t)
	p := pushRandom(t, host, "test/img", 100, 1)
	_, err := NewClient(Options{}).Manifest(context.Background(), p.ref, "nope", manifestTypes, maxManifest)
	if !errors.Is(err, ErrManifestUnknown) || !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrManifestUnknown and ErrNotFound", err)
	}
	want := fmt.Sprintf("GET http://%s/v2/test/img/manifests/nope: 404 Not Found: MANIFEST_UNKNOWN", host)
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("err = %q, want prefix %q", err, want)
	}
}

func TestManifestVerification(t *testing.T) {
	var f regtest.Faults
	host := regtest.GGCRWith(t, f.Wrap)
	p := pushRandom(t, host, "test/img", 100, 1)
	c := NewClient(Options{})
	ctx := context.Background()

	// By digest: the body must hash to it.
	f.Add(regtest.Fault{Kind: regtest.Corrupt, Path: "/manifests/", Offset: 5, Times: 2}) // the first answer and the one asked for past caches
	_, err := c.Manifest(ctx, p.ref, string(p.digest), manifestTypes, maxManifest)
	var de *DigestError
	if !errors.As(err, &de) || de.Want != p.digest || !strings.Contains(err.Error(), "manifest "+p.ref.Name()) {
		t.Errorf("corrupt by digest: err = %v, want DigestError for %s", err, p.digest)
	}
	// By tag: Docker-Content-Digest must match.
	f.Add(regtest.Fault{Kind: regtest.Corrupt, Path: "/manifests/", Offset: 5, Times: 2}) // the first answer and the one asked for past caches
	_, err = c.Manifest(ctx, p.ref, "tag", manifestTypes, maxManifest)
	if !errors.As(err, &de) || de.Want != p.digest || !strings.Contains(err.Error(), "Docker-Content-Digest") {
		t.Errorf("corrupt by tag: err = %v, want DigestError against Docker-Content-Digest", err)
	}
}

// ManifestPayload names the bytes a manifest's digest covers (signed
// schema1): a registry may name the manifest by that digest or by the
// body's; anything else is still refused.
func TestManifestPayloadDigest(t *testing.T) {
	host := regtest.GGCR(t)
	p := pushRandom(t, host, "test/img", 100, 1)
	head := func(_ string, body []byte) []byte { return body[:20] }
	pd := digest.FromBytes(p.manifest[:20])
	// The registry names it by the body's digest (go-containerregistry does).
	f, err := NewClient(Options{ManifestPayload: head}).Manifest(context.Background(), p.ref, string(p.digest), manifestTypes, maxManifest)
	if err != nil || f.Digest != pd {
		t.Fatalf("by body digest: %v, digest %v; want the payload's %s", err, f, pd)
	}
	// A client whose payload is something else refuses a body that matches neither.
	other := func(_ string, body []byte) []byte { return []byte("other") }
	var fl regtest.Faults
	host2 := regtest.GGCRWith(t, fl.Wrap)
	p2 := pushRandom(t, host2, "test/img", 100, 1)
	fl.Add(regtest.Fault{Kind: regtest.Corrupt, Path: "/manifests/", Offset: 5, Times: 2})
	_, err = NewClient(Options{ManifestPayload: other}).Manifest(context.Background(), p2.ref, "tag", manifestTypes, maxManifest)
	var de *DigestError
	if !errors.As(err, &de) {
		t.Errorf("corrupt with a payload func: %v, want a DigestError", err)
	}
}

// bigManifest wraps a registry so manifests come back with a 4 MiB + 1 body.
func bigManifest(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.URL.Path, "/manifests/") || r.Method != http.MethodGet {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/vnd.oci.image.manifest.v1+json; charset=utf-8")
		w.Write(bytes.Repeat([]byte(" "), maxManifest+1))
	})
}

func TestManifestTooLarge(t *testing.T) {
	host := regtest.GGCRWith(t, bigManifest)
	r, _ := ParseRef(host + "/big/img:tag")
	_, err := NewClient(Options{}).Manifest(context.Background(), r, "tag", manifestTypes, maxManifest)
	want := "manifest http://" + host + "/v2/big/img/manifests/tag: body exceeds the limit of 4194304 bytes"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
}

func TestBlobs(t *testing.T) {
	host := regtest.GGCR(t)
	p := pushRandom(t, host, "test/img", 50_000, 3)
	c := NewClient(Options{})
	cfg, err := c.BlobBytes(context.Background(), p.ref, p.config, 1<<20)
	if err != nil || !bytes.Equal(cfg, p.blobs[p.config.Digest]) {
		t.Fatalf("BlobBytes(config) = %d bytes, %v", len(cfg), err)
	}
	if _, err := c.BlobBytes(context.Background(), p.ref, p.config, 10); err == nil || !strings.Contains(err.Error(), "limit of 10 bytes") {
		t.Errorf("BlobBytes over max: %v", err)
	}
	// Three at once through one Client.
	var wg sync.WaitGroup
	for _, l := range p.layers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, err := readBlob(t, c, p.ref, l)
			if err != nil || !bytes.Equal(b, p.blobs[l.Digest]) {
				t.Errorf("blob %s: %d bytes, %v", l.Digest, len(b), err)
			}
		}()
	}
	wg.Wait()
	// Unknown size (schema1): digest still checked.
	l := p.layers[0]
	l.Size = 0
	if b, err := readBlob(t, c, p.ref, l); err != nil || len(b) != int(p.layers[0].Size) {
		t.Errorf("blob without size: %d bytes, %v", len(b), err)
	}
}

func TestBlobNotFound(t *testing.T) {
	host := regtest.GGCR(t)
	p := pushRandom(t, host, "test/img", 100, 1)
	_, err := NewClient(Options{}).Blob(context.Background(), p.ref, v1.Descriptor{Digest: digest.FromString("nope"), Size: 4})
	if !errors.Is(err, ErrBlobUnknown) || !errors.Is(err, ErrNotFound) {
		t.Errorf("err = %v, want ErrBlobUnknown", err)
	}
}

func TestBlobFaults(t *testing.T) {
	var f regtest.Faults
	host := regtest.GGCRWith(t, f.Wrap)
	p := pushRandom(t, host, "test/img", 100_000, 1)
	l := p.layers[0]
	want := p.blobs[l.Digest]
	path := regtest.BlobPath(l.Digest)
	rng := func(from int64) string { return fmt.Sprintf("bytes=%d-%d", from, l.Size-1) }

	for _, tc := range []struct {
		name    string
		faults  []regtest.Fault
		desc    func(v1.Descriptor) v1.Descriptor
		check   func(t *testing.T, err error)
		ranges  []string // Range headers of the blob requests, in order
		retries int      // OnRetry calls
	}{
		{name: "reset then resume", faults: []regtest.Fault{{Kind: regtest.Reset, Path: path, Offset: 40_000, Times: 1}},
			ranges: []string{"", rng(40_000)}, retries: 1},
		{name: "truncated then resume", faults: []regtest.Fault{{Kind: regtest.Truncate, Path: path, Offset: 12_345, Times: 1}},
			ranges: []string{"", rng(12_345)}, retries: 1},
		{name: "reset, range ignored", faults: []regtest.Fault{
			{Kind: regtest.Reset, Path: path, Offset: 30_000, Times: 1}, {Kind: regtest.IgnoreRange, Path: path, Times: 1}},
			ranges: []string{"", rng(30_000)}, retries: 1},
		{name: "503 twice", faults: []regtest.Fault{{Kind: regtest.Status, Code: 503, Path: path, Times: 2}},
			ranges: []string{"", "", ""}, retries: 2},
		{name: "resets every 20000 bytes", faults: []regtest.Fault{
			{Kind: regtest.Reset, Path: path, Offset: 20_000, Times: 1}, {Kind: regtest.Reset, Path: path, Offset: 20_000, Times: 1}},
			ranges: []string{"", rng(20_000), rng(40_000)}, retries: 2},
		{name: "attempts are per blob", faults: []regtest.Fault{{Kind: regtest.Reset, Path: path, Offset: 20_000, Times: 3}},
			check: func(t *testing.T, err error) {
				if err == nil || !strings.Contains(err.Error(), "after 60000 bytes") {
					t.Errorf("err = %v, want a failure after 60000 bytes", err)
				}
			}, ranges: []string{"", rng(20_000), rng(40_000)}, retries: 2},
		{name: "corrupt byte", faults: []regtest.Fault{{Kind: regtest.Corrupt, Path: path, Offset: 777, Times: 1}},
			check: func(t *testing.T, err error) {
				var de *DigestError
				if !errors.As(err, &de) || de.Want != l.Digest || de.What != "blob "+string(l.Digest) {
					t.Errorf("err = %v, want DigestError for blob %s", err, l.Digest)
				}
			}, ranges: []string{""}},
		{name: "always truncated", faults: []regtest.Fault{{Kind: regtest.Truncate, Path: path, Offset: 10}},
			check: func(t *testing.T, err error) {
				if err == nil || !strings.Contains(err.Error(), string(l.Digest)) || !strings.Contains(err.Error(), "unexpected EOF") {
					t.Errorf("err = %v, want unexpected EOF naming the blob", err)
				}
			}, ranges: []string{"", rng(10), rng(20)}, retries: 2},
		{name: "size too small in descriptor", desc: func(d v1.Descriptor) v1.Descriptor { d.Size--; return d },
			check: func(t *testing.T, err error) {
				var se *SizeError
				if !errors.As(err, &se) || se.Want != l.Size-1 || se.Got <= se.Want || se.Digest != l.Digest {
					t.Errorf("err = %v, want SizeError (too long)", err)
				}
			}, ranges: []string{""}},
		{name: "size too large in descriptor", desc: func(d v1.Descriptor) v1.Descriptor { d.Size++; return d },
			check: func(t *testing.T, err error) {
				var se *SizeError
				if !errors.As(err, &se) || se.Want != l.Size+1 || se.Got != l.Size {
					t.Errorf("err = %v, want SizeError (too short)", err)
				}
			}, ranges: []string{"", fmt.Sprintf("bytes=%d-%d", l.Size, l.Size)}, retries: 1}, // a short end is resumed; the 416 settles it
		{name: "404 is final", faults: []regtest.Fault{{Kind: regtest.Status, Code: 404, Path: path, Times: 1}},
			check: func(t *testing.T, err error) {
				if !errors.Is(err, ErrNotFound) {
					t.Errorf("err = %v, want ErrNotFound", err)
				}
			}, ranges: []string{""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(f.Seen(path))
			for _, fl := range tc.faults {
				f.Add(fl)
			}
			t.Cleanup(func() { f = regtest.Faults{} })
			retries := 0
			c := fastClient(Options{MaxAttempts: 3, OnRetry: func(u string, attempt int, wait time.Duration, err error) { retries++ }})
			desc := l
			if tc.desc != nil {
				desc = tc.desc(l)
			}
			got, err := readBlob(t, c, p.ref, desc)
			if tc.check != nil {
				tc.check(t, err)
			} else if err != nil || !bytes.Equal(got, want) {
				t.Errorf("read %d bytes (want %d), err %v", len(got), len(want), err)
			}
			var ranges []string
			for _, s := range f.Seen(path)[before:] {
				ranges = append(ranges, s.Range)
			}
			if strings.Join(ranges, "|") != strings.Join(tc.ranges, "|") {
				t.Errorf("Range headers %q, want %q", ranges, tc.ranges)
			}
			if retries != tc.retries {
				t.Errorf("OnRetry called %d times, want %d", retries, tc.retries)
			}
		})
	}
}

// Credentials go to no registry that did not ask for them.
func TestNoCredentialsUnasked(t *testing.T) {
	var f regtest.Faults
	host := regtest.GGCRWith(t, f.Wrap)
	p := pushRandom(t, host, "test/img", 1000, 1)
	asked := 0
	c := NewClient(Options{Credentials: func(string) (string, string, bool) { asked++; return "u", "p", true }})
	before := len(f.Seen(""))
	if _, err := c.Manifest(context.Background(), p.ref, "tag", manifestTypes, maxManifest); err != nil {
		t.Fatal(err)
	}
	if _, err := readBlob(t, c, p.ref, p.layers[0]); err != nil {
		t.Fatal(err)
	}
	for _, s := range f.Seen("")[before:] {
		if s.Authorization {
			t.Errorf("%s %s carried Authorization", s.Method, s.Path)
		}
	}
	if asked != 0 {
		t.Errorf("Credentials asked %d times, want 0", asked)
	}
}

// Credentials never go to a plain-HTTP token realm on another host.
func TestPlainHTTPRealmRefused(t *testing.T) {
	var f regtest.Faults
	host := regtest.GGCRWith(t, f.Wrap)
	p := pushRandom(t, host, "test/img", 100, 1)
	f.Add(regtest.Fault{Kind: regtest.Status, Code: http.StatusUnauthorized, Path: "/v2/",
		Header: http.Header{"Www-Authenticate": {`Bearer realm="http://auth.example/token",service="x"`}}})
	c := fastClient(Options{Credentials: func(string) (string, string, bool) { return "u", "p", true }})
	before := len(f.Seen(""))
	_, err := c.Manifest(context.Background(), p.ref, "tag", manifestTypes, maxManifest)
	if err == nil || !strings.Contains(err.Error(), "refusing plain-HTTP token realm http://auth.example/token") {
		t.Errorf("err = %v, want the realm refused", err)
	}
	if n := len(f.Seen("")) - before; n != 1 {
		t.Errorf("%d requests, want 1 (the ping; no retries)", n)
	}
}
