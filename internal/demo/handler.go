package demo

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	digest "github.com/opencontainers/go-digest"
)

// regError is an error the registry answers with: an HTTP status and one
// entry of the distribution spec's error body.
type regError struct {
	status  int
	code    string // "MANIFEST_UNKNOWN", …
	message string
}

func errNameUnknown(repo string) *regError {
	return &regError{http.StatusNotFound, "NAME_UNKNOWN", fmt.Sprintf("repository %q is not known to this registry", repo)}
}

func errManifestUnknown(repo, ref string) *regError {
	return &regError{http.StatusNotFound, "MANIFEST_UNKNOWN", fmt.Sprintf("manifest %q is not in repository %q", ref, repo)}
}

func errBlobUnknown(repo string, d digest.Digest) *regError {
	return &regError{http.StatusNotFound, "BLOB_UNKNOWN", fmt.Sprintf("blob %s is not in repository %q", d, repo)}
}

// write sends e as {"errors":[{"code":…,"message":…}]}.
func (e *regError) write(w http.ResponseWriter) {
	body, _ := json.Marshal(map[string]any{"errors": []map[string]string{{"code": e.code, "message": e.message}}})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)+1))
	w.WriteHeader(e.status)
	w.Write(append(body, '\n'))
}

// serveRegistry answers the read-only part of the distribution API from s:
//
//	GET|HEAD /v2/                              200 {}
//	GET|HEAD /v2/NAME/manifests/TAG|DIGEST     the manifest, with its media type
//	GET|HEAD /v2/NAME/blobs/DIGEST             the blob, Range supported
//	GET|HEAD /v2/NAME/tags/list[?n=&last=]     the tags, paginated by Link
//
// The caller has already refused every other method.
func serveRegistry(w http.ResponseWriter, req *http.Request, s *store) {
	w.Header().Set("Docker-Distribution-API-Version", "registry/2.0")
	p := req.URL.Path
	if p == "/v2" || p == "/v2/" {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "3")
		w.Write([]byte("{}\n"))
		return
	}
	p = strings.TrimPrefix(p, "/v2/")
	if repo, ok := strings.CutSuffix(p, "/tags/list"); ok {
		serveTags(w, req, s, repo)
		return
	}
	if repo, ref, ok := cutLast(p, "/manifests/"); ok {
		b, err := s.manifest(repo, ref)
		serveBlob(w, req, b, err)
		return
	}
	if repo, ref, ok := cutLast(p, "/blobs/"); ok {
		d, perr := digest.Parse(ref)
		if perr != nil {
			(&regError{http.StatusBadRequest, "DIGEST_INVALID", fmt.Sprintf("blob reference %q: %v", ref, perr)}).write(w)
			return
		}
		b, err := s.blob(repo, d)
		b.mediaType = "application/octet-stream" // a blob's media type lives in the descriptor, not here
		serveBlob(w, req, b, err)
		return
	}
	(&regError{http.StatusNotFound, "UNSUPPORTED", fmt.Sprintf("no registry endpoint at %s", req.URL.Path)}).write(w)
}

// cutLast splits "a/b/manifests/x" around the last sep into "a/b" and "x";
// ok is false when either side is empty.
func cutLast(s, sep string) (before, after string, ok bool) {
	i := strings.LastIndex(s, sep)
	if i <= 0 || i+len(sep) == len(s) {
		return "", "", false
	}
	return s[:i], s[i+len(sep):], true
}

// serveBlob answers with b's bytes (or err): Content-Type, Content-Length,
// Docker-Content-Digest and an ETag of the digest; http.ServeContent does
// HEAD, Range and If-None-Match.
func serveBlob(w http.ResponseWriter, req *http.Request, b blob, err *regError) {
	if err != nil {
		err.write(w)
		return
	}
	h := w.Header()
	h.Set("Content-Type", b.mediaType)
	h.Set("Docker-Content-Digest", b.digest.String())
	h.Set("ETag", `"`+b.digest.String()+`"`)
	http.ServeContent(w, req, "", time.Time{}, b.content())
}

// serveTags answers {"name":…,"tags":[…]}: with ?n=N at most N tags, with
// ?last=T only tags after T, and a Link header to the next page when cut.
func serveTags(w http.ResponseWriter, req *http.Request, s *store, repo string) {
	tags, err := s.tags(repo)
	if err != nil {
		err.write(w)
		return
	}
	q := req.URL.Query()
	if last := q.Get("last"); last != "" {
		i := 0
		for i < len(tags) && tags[i] <= last {
			i++
		}
		tags = tags[i:]
	}
	if v := q.Get("n"); v != "" {
		n, perr := strconv.Atoi(v)
		if perr != nil || n < 0 {
			(&regError{http.StatusBadRequest, "PAGINATION_NUMBER_INVALID", fmt.Sprintf("n=%q is not a count", v)}).write(w)
			return
		}
		if n < len(tags) {
			tags = tags[:n]
			if n > 0 {
				next := url.Values{"n": {v}, "last": {tags[n-1]}}
				w.Header().Set("Link", fmt.Sprintf(`</v2/%s/tags/list?%s>; rel="next"`, repo, next.Encode()))
			}
		}
	}
	body, _ := json.Marshal(struct {
		Name string   `json:"name"`
		Tags []string `json:"tags"`
	}{repo, append([]string{}, tags...)})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}
