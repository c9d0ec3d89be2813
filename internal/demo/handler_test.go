//go:build !js

package demo

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"testing"

	digest "github.com/opencontainers/go-digest"
)

// The demo images are the same bytes on every run and every machine: shared
// links that name a digest stay valid. A change to the generator changes
// these on purpose, and only then.
func TestPinnedDigests(t *testing.T) {
	r, _ := serve(t, Options{})
	for repo, want := range map[string]string{
		"demo/showcase": "sha256:e4a85334c109a0fd2126f34ce9020274be25a42a63e0c4eeeb82f29b3c3f0d06",
		"demo/zstd":     "sha256:13f394bb7e183ab439036828d8ebdad4d1a69155f37c7b7f5a954e02dd58a129",
		"demo/docker":   "sha256:259ea3b29f2d2a6eb0a51d28529bb94fc32e9688dcf40a793129e5d274ab709e",
	} {
		m, err := r.content.manifest(repo, "latest")
		if err != nil {
			t.Fatalf("%s: %s", repo, err.message)
		}
		if m.digest.String() != want {
			t.Errorf("%s:latest is %s, want %s", repo, m.digest, want)
		}
	}
}

// get sends method to url with header h and returns the response and its body.
func get(t *testing.T, method, url string, h map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range h {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func TestRegistryAPI(t *testing.T) {
	_, host := serve(t, Options{})
	base := "http://" + host
	zstd := built(t, zstdImage) // what demo/zstd:latest serves
	man, cfgDesc, layer := zstd.blob, zstd.blobs[0], zstd.blobs[2]
	n := strconv.Itoa(len(layer.data))
	for _, tc := range []struct {
		method, path string
		header       map[string]string
		status       int
		wantHeader   map[string]string
		wantBody     string
	}{
		{"GET", "/v2/", nil, 200, map[string]string{"Docker-Distribution-API-Version": "registry/2.0", "Content-Type": "application/json"}, "{}\n"},
		{"HEAD", "/v2/demo/zstd/manifests/latest", nil, 200, map[string]string{
			"Content-Type": "application/vnd.oci.image.manifest.v1+json", "Docker-Content-Digest": man.digest.String(),
			"Content-Length": strconv.Itoa(len(man.data))}, ""},
		{"GET", "/v2/demo/zstd/manifests/" + man.digest.String(), nil, 200, map[string]string{
			"Content-Type": "application/vnd.oci.image.manifest.v1+json", "Docker-Content-Digest": man.digest.String()}, string(man.data)},
		{"GET", "/v2/demo/zstd/blobs/" + cfgDesc.digest.String(), nil, 200, map[string]string{
			"Content-Type": "application/octet-stream", "Docker-Content-Digest": cfgDesc.digest.String()}, string(cfgDesc.data)},
		{"HEAD", "/v2/demo/zstd/blobs/" + layer.digest.String(), nil, 200, map[string]string{
			"Content-Length": n, "Accept-Ranges": "bytes", "ETag": `"` + layer.digest.String() + `"`}, ""},
		{"GET", "/v2/demo/zstd/blobs/" + layer.digest.String(), map[string]string{"Range": "bytes=100-"}, 206, map[string]string{
			"Content-Range": fmt.Sprintf("bytes 100-%d/%s", len(layer.data)-1, n), "Content-Length": strconv.Itoa(len(layer.data) - 100)},
			string(layer.data[100:])},
		{"GET", "/v2/demo/zstd/blobs/" + layer.digest.String(), map[string]string{"Range": "bytes=10-19"}, 206, map[string]string{
			"Content-Range": "bytes 10-19/" + n}, string(layer.data[10:20])},
		{"GET", "/v2/demo/zstd/tags/list", nil, 200, map[string]string{"Content-Type": "application/json"}, `{"name":"demo/zstd","tags":["latest"]}`},
		{"GET", "/v2/nope/manifests/latest", nil, 404, map[string]string{"Content-Type": "application/json"},
			`{"errors":[{"code":"NAME_UNKNOWN","message":"repository \"nope\" is not known to this registry"}]}` + "\n"},
		{"GET", "/v2/demo/zstd/manifests/nope", nil, 404, nil,
			`{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest \"nope\" is not in repository \"demo/zstd\""}]}` + "\n"},
		{"GET", "/v2/demo/zstd/blobs/" + man.digest.String(), nil, 404, nil,
			`{"errors":[{"code":"BLOB_UNKNOWN","message":"blob ` + man.digest.String() + ` is not in repository \"demo/zstd\""}]}` + "\n"},
		{"GET", "/v2/demo/zstd/blobs/sha256:abc", nil, 400, nil,
			`{"errors":[{"code":"DIGEST_INVALID","message":"blob reference \"sha256:abc\": invalid checksum digest length"}]}` + "\n"},
		{"GET", "/v2/demo/zstd/uploads/", nil, 404, nil,
			`{"errors":[{"code":"UNSUPPORTED","message":"no registry endpoint at /v2/demo/zstd/uploads/"}]}` + "\n"},
		{"POST", "/v2/demo/zstd/blobs/uploads/", nil, 405, map[string]string{"Allow": "GET, HEAD"},
			`{"errors":[{"code":"UNSUPPORTED","message":"this registry is read-only: POST not allowed"}]}` + "\n"},
	} {
		resp, body := get(t, tc.method, base+tc.path, tc.header)
		if resp.StatusCode != tc.status {
			t.Errorf("%s %s: %d, want %d (%s)", tc.method, tc.path, resp.StatusCode, tc.status, body)
			continue
		}
		for k, v := range tc.wantHeader {
			if got := resp.Header.Get(k); got != v {
				t.Errorf("%s %s: %s = %q, want %q", tc.method, tc.path, k, got, v)
			}
		}
		if body != tc.wantBody {
			t.Errorf("%s %s: body %q, want %q", tc.method, tc.path, body, tc.wantBody)
		}
		if got := digest.FromString(body); tc.method == "GET" && tc.status == 200 && resp.Header.Get("Docker-Content-Digest") != "" &&
			got.String() != resp.Header.Get("Docker-Content-Digest") {
			t.Errorf("%s %s: body has digest %s, header says %s", tc.method, tc.path, got, resp.Header.Get("Docker-Content-Digest"))
		}
	}
}

// built returns what build makes, failing the test on error.
func built(t *testing.T, build func() (tree, error)) tree {
	t.Helper()
	m, err := build()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestTagsPaginate(t *testing.T) {
	r, host := serve(t, Options{})
	m := built(t, zstdImage)
	for _, tag := range []string{"c", "a", "b", "d"} {
		r.put("local/many", tag, m, "", "")
	}
	for _, tc := range []struct{ query, body, link string }{
		{"", `{"name":"local/many","tags":["a","b","c","d"]}`, ""},
		{"?n=2", `{"name":"local/many","tags":["a","b"]}`, `</v2/local/many/tags/list?last=b&n=2>; rel="next"`},
		{"?n=2&last=b", `{"name":"local/many","tags":["c","d"]}`, ""},
		{"?last=d", `{"name":"local/many","tags":[]}`, ""},
	} {
		resp, body := get(t, "GET", "http://"+host+"/v2/local/many/tags/list"+tc.query, nil)
		if resp.StatusCode != 200 || body != tc.body || resp.Header.Get("Link") != tc.link {
			t.Errorf("tags/list%s: %d %s Link %q; want %s Link %q", tc.query, resp.StatusCode, body, resp.Header.Get("Link"), tc.body, tc.link)
		}
	}
}
