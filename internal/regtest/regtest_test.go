package regtest

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/opencontainers/go-digest"
)

func TestGGCRPushAndFaults(t *testing.T) {
	var f Faults
	host := GGCRWith(t, f.Wrap)
	img, err := random.Image(2048, 1)
	if err != nil {
		t.Fatal(err)
	}
	Push(t, host+"/test/img:v1", img)
	layers, _ := img.Layers()
	ld, _ := layers[0].Digest()
	d := digest.Digest(ld.String())
	url := "http://" + host + "/v2/test/img" + BlobPath(d)

	get := func(rng string) (*http.Response, []byte, error) {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		if rng != "" {
			req.Header.Set("Range", rng)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp, b, err
	}
	_, good, err := get("")
	if err != nil || digest.FromBytes(good) != d {
		t.Fatalf("clean GET: %v, digest %s want %s", err, digest.FromBytes(good), d)
	}

	f.Add(Fault{Kind: Corrupt, Path: BlobPath(d), Offset: 10, Times: 1})
	_, b, err := get("")
	if err != nil || len(b) != len(good) || b[10] != good[10]^0xff {
		t.Errorf("Corrupt: err %v, len %d, byte %x (clean %x)", err, len(b), b[10], good[10])
	}

	for _, k := range []Kind{Reset, Truncate} {
		f.Add(Fault{Kind: k, Path: BlobPath(d), Offset: 100, Times: 1})
		_, b, err = get("")
		if err == nil || len(b) != 100 {
			t.Errorf("kind %d: got %d bytes, err %v; want 100 bytes and an error", k, len(b), err)
		}
	}

	f.Add(Fault{Kind: Status, Code: 429, Header: http.Header{"Retry-After": {"7"}}, Path: BlobPath(d), Times: 1})
	resp, b, _ := get("")
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "7" || !strings.Contains(string(b), "TOOMANYREQUESTS") {
		t.Errorf("Status: %d %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), b)
	}

	f.Add(Fault{Kind: IgnoreRange, Path: BlobPath(d), Times: 1})
	resp, b, _ = get("bytes=5-9")
	if resp.StatusCode != 200 || len(b) != len(good) {
		t.Errorf("IgnoreRange: status %d, %d bytes", resp.StatusCode, len(b))
	}
	resp, b, _ = get("bytes=5-9") // fault used up: the registry honours Range again
	if resp.StatusCode != 206 || string(b) != string(good[5:10]) {
		t.Errorf("after IgnoreRange: status %d, %d bytes", resp.StatusCode, len(b))
	}
	if n := len(f.Seen(BlobPath(d))); n != 8 {
		t.Errorf("Seen %d blob requests, want 8", n)
	}
}

func TestFront(t *testing.T) {
	var f Faults
	host := Front(t, GGCR(t), f.Wrap)
	img, _ := random.Image(100, 1)
	Push(t, host+"/x/y:z", img)
	if len(f.Seen("/manifests/z")) == 0 {
		t.Error("push through Front not seen")
	}
}
