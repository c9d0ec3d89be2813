package regtest

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

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

// The newer fault kinds, seen from a plain HTTP client.
func TestFaultKinds(t *testing.T) {
	var f Faults
	host := GGCRWith(t, f.Wrap)
	img, _ := random.Image(4096, 1)
	Push(t, host+"/test/img:v1", img)
	layers, _ := img.Layers()
	ld, _ := layers[0].Digest()
	size, _ := layers[0].Size()
	path := BlobPath(digest.Digest(ld.String()))
	url := "http://" + host + "/v2/test/img" + path
	client := &http.Client{Timeout: 2 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func() (*http.Response, []byte, error) {
		resp, err := client.Get(url + "?x=1")
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp, b, err
	}

	f.Add(Fault{Kind: Length, Path: path, Offset: -100, Times: 1})
	if resp, b, err := get(); err != nil || resp.ContentLength != size-100 || int64(len(b)) != size-100 {
		t.Errorf("Length -100: %v, %d bytes", err, len(b))
	}
	f.Add(Fault{Kind: Length, Path: path, Offset: 100, Times: 1})
	if _, b, err := get(); err == nil || int64(len(b)) != size {
		t.Errorf("Length +100: %v, %d bytes; want all bytes and an error", err, len(b))
	}
	f.Add(Fault{Kind: SetHeader, Path: path, Header: http.Header{"Content-Type": {"text/plain"}}, Times: 1})
	if resp, _, err := get(); err != nil || resp.Header.Get("Content-Type") != "text/plain" {
		t.Errorf("SetHeader: %v", err)
	}
	f.Add(Fault{Kind: Redirect, Path: path, Times: 1})
	if resp, _, err := get(); err != nil || resp.StatusCode != 307 || resp.Header.Get("Location") != "/v2/test/img"+path+"?x=1" {
		t.Errorf("Redirect: %v %v", resp, err)
	}
	f.Add(Fault{Kind: Stall, Path: path, Offset: 100, Delay: 50 * time.Millisecond, Times: 1})
	if _, b, err := get(); err == nil || len(b) != 100 {
		t.Errorf("Stall: %v, %d bytes", err, len(b))
	}
	f.Add(Fault{Kind: Drip, Path: path, Offset: int64(size) - 5, Delay: time.Millisecond, Times: 1})
	if _, b, err := get(); err != nil || int64(len(b)) != size {
		t.Errorf("Drip: %v, %d bytes", err, len(b))
	}
	// On a fresh connection, as net/http retries a GET that failed on a reused one.
	f.Add(Fault{Kind: Hang, Path: path, Delay: 50 * time.Millisecond, Times: 1})
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if resp, err := fresh.Get(url); err == nil {
		resp.Body.Close()
		t.Errorf("Hang: %s, want an error", resp.Status)
	}
	// After: the first request passes, the second gets the fault.
	f.Add(Fault{Kind: Status, Code: 401, Path: path, After: 1, Times: 1})
	for i, want := range []int{200, 401, 200} {
		if resp, _, err := get(); err != nil || resp.StatusCode != want {
			t.Errorf("After, request %d: %v %v, want %d", i, resp, err, want)
		}
	}
	s := f.Seen(path)
	if last := s[len(s)-1]; last.Query != "x=1" || last.Fault {
		t.Errorf("last Seen %+v", last)
	}
}
