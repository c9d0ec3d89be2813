package archive

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/opencontainers/go-digest"
)

// Transport returns an http.RoundTripper answering the registry API for
// Host from the archive: GET and HEAD of /v2/, /v2/NAME/manifests/TAG|DIGEST
// and /v2/NAME/blobs/DIGEST, with Content-Type, Content-Length and
// Docker-Content-Digest; anything else is a registry error. Bodies are read
// from the file as they are consumed. It never touches the network.
func (a *Archive) Transport() http.RoundTripper { return transport{a} }

type transport struct{ a *Archive }

func (t transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		req.Body.Close()
	}
	if req.URL.Host != Host {
		return nil, fmt.Errorf("archive: %s is not %s: a local image reaches no registry", req.URL.Host, Host)
	}
	p := req.URL.Path
	switch {
	case req.Method != http.MethodGet && req.Method != http.MethodHead:
		return t.status(req, http.StatusMethodNotAllowed, "UNSUPPORTED", "a local image is read-only"), nil
	case p == "/v2/" || p == "/v2":
		return t.answer(req, "application/json", "", blob{data: []byte("{}")}), nil
	}
	name, ref, ok := strings.Cut(strings.TrimPrefix(p, "/v2/"), "/manifests/")
	isManifest := ok
	if !ok {
		name, ref, ok = strings.Cut(strings.TrimPrefix(p, "/v2/"), "/blobs/")
	}
	if !ok || name != t.a.repo {
		return t.status(req, http.StatusNotFound, "NAME_UNKNOWN", "no repository "+name+" in "+t.a.Name), nil
	}
	d, err := digest.Parse(ref)
	if isManifest && err != nil {
		var tagged bool
		d, tagged = t.a.byTag[ref]
		if !tagged {
			return t.status(req, http.StatusNotFound, "MANIFEST_UNKNOWN", "no tag "+ref+" in "+t.a.Name), nil
		}
	}
	b, found := t.a.blobs[d]
	if !found {
		code := "BLOB_UNKNOWN"
		if isManifest {
			code = "MANIFEST_UNKNOWN"
		}
		return t.status(req, http.StatusNotFound, code, ref+" is not in "+t.a.Name), nil
	}
	mt := b.mediaType
	if !isManifest || mt == "" {
		mt = "application/octet-stream"
	}
	return t.answer(req, mt, d, b), nil
}

// answer is a 200 with b's content (none for HEAD).
func (t transport) answer(req *http.Request, mediaType string, d digest.Digest, b blob) *http.Response {
	size := b.size
	var body io.Reader = io.NewSectionReader(t.a.r, b.off, b.size)
	if b.data != nil {
		size, body = int64(len(b.data)), bytes.NewReader(b.data)
	}
	h := http.Header{"Content-Type": {mediaType}, "Content-Length": {strconv.FormatInt(size, 10)}}
	if d != "" {
		h.Set("Docker-Content-Digest", d.String())
	}
	if req.Method == http.MethodHead {
		body = http.NoBody
	}
	return &http.Response{StatusCode: http.StatusOK, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: io.NopCloser(body), ContentLength: size, Request: req}
}

// status is a registry error response.
func (t transport) status(req *http.Request, code int, errCode, message string) *http.Response {
	body := fmt.Sprintf(`{"errors":[{"code":%q,"message":%q}]}`, errCode, message)
	return &http.Response{StatusCode: code, Status: fmt.Sprintf("%d %s", code, http.StatusText(code)), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)), Request: req}
}
