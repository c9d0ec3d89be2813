package registry

import (
	"context"
	_ "crypto/sha256" // digest algorithms go-digest may be asked for
	_ "crypto/sha512"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/opencontainers/go-digest"
)

// Fetched is a manifest as the registry served it.
type Fetched struct {
	Body        []byte
	ContentType string        // media type from Content-Type (parameters stripped)
	Digest      digest.Digest // sha256 of Body (of its payload, with Options.ManifestPayload)
	// Checked lists what the body was verified against, in order: the
	// digest the reference named, then the Docker-Content-Digest header. It
	// is empty when there was nothing to compare: a tag, and no header.
	Checked []DigestCheck
}

// DigestCheck is one digest a body was verified against, and where it came from.
type DigestCheck struct {
	Against string        // CheckedReference or CheckedHeader
	Want    digest.Digest // the digest the body matched
}

// Where a manifest's expected digest came from (DigestCheck.Against).
const (
	CheckedReference = "reference"
	CheckedHeader    = "Docker-Content-Digest"
)

// Manifest fetches /v2/<path>/manifests/<reference> with the given Accept
// list. When reference is a digest the body is verified against it; a
// Docker-Content-Digest header, when present, must match the body (computed
// with the header's algorithm). Bodies over max bytes are refused: the
// caller knows the format, and so the limit (manifest.MaxManifestSize). A
// body that fails a digest check is asked for once more WithoutCaches (a
// mirror may have served it) before the mismatch is reported.
func (c *Client) Manifest(ctx context.Context, r Ref, reference string, accept []string, max int64) (*Fetched, error) {
	f, err := c.manifest(ctx, r, reference, accept, max)
	if IsCorrupt(err) && !bypassCaches(ctx) {
		return c.manifest(WithoutCaches(ctx), r, reference, accept, max)
	}
	return f, err
}

func (c *Client) manifest(ctx context.Context, r Ref, reference string, accept []string, max int64) (*Fetched, error) {
	path := "/v2/" + r.Path + "/manifests/" + reference
	h := http.Header{}
	if len(accept) > 0 {
		h.Set("Accept", strings.Join(accept, ", "))
	}
	resp, err := c.get(ctx, r, path, h, http.StatusOK)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if rl, ok := parseRateLimit(resp.Header); ok && c.opts.OnRateLimit != nil {
		c.opts.OnRateLimit(r.Domain, rl)
	}
	where := redactURL(resp.Request.URL)
	body, err := readCapped(resp, max)
	if err != nil {
		return nil, fmt.Errorf("manifest %s: %w", where, err)
	}
	what := "manifest " + r.Name() + "@" + reference
	ct := mediaType(resp.Header.Get("Content-Type"))
	payload := body
	if c.opts.ManifestPayload != nil {
		if p := c.opts.ManifestPayload(ct, body); p != nil {
			payload = p
		}
	}
	var checked []DigestCheck
	if strings.Contains(reference, ":") { // a digest: tags cannot contain ':'
		want, err := digest.Parse(reference)
		if err != nil {
			return nil, fmt.Errorf("%s: invalid digest: %w", what, err)
		}
		if got := want.Algorithm().FromBytes(payload); got != want && !matches(want, body) {
			return nil, &DigestError{What: what, Want: want, Got: got}
		}
		checked = append(checked, DigestCheck{Against: CheckedReference, Want: want})
	}
	if v := resp.Header.Get("Docker-Content-Digest"); v != "" {
		want, err := digest.Parse(v)
		if err != nil {
			return nil, fmt.Errorf("%s: invalid Docker-Content-Digest header %q: %w", what, v, err)
		}
		if !want.Algorithm().Available() {
			return nil, fmt.Errorf("%s: Docker-Content-Digest header %q: unsupported algorithm", what, v)
		}
		if got := want.Algorithm().FromBytes(payload); got != want && !matches(want, body) {
			return nil, &DigestError{What: what + " (Docker-Content-Digest)", Want: want, Got: got}
		}
		checked = append(checked, DigestCheck{Against: CheckedHeader, Want: want})
	}
	return &Fetched{Body: body, ContentType: ct, Digest: digest.FromBytes(payload), Checked: checked}, nil
}

// matches reports whether body itself has digest d. A signed schema1
// manifest is named by its payload's digest by Docker and Distribution, but
// by its body's digest by registries that treat manifests as opaque bytes;
// either one verifies what was received.
func matches(d digest.Digest, body []byte) bool {
	return d.Algorithm().FromBytes(body) == d
}

// mediaType strips parameters from a Content-Type value.
func mediaType(ct string) string {
	if mt, _, err := mime.ParseMediaType(ct); err == nil {
		return mt
	}
	mt, _, _ := strings.Cut(ct, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}

// readCapped reads a body that is kept whole in memory, refusing one over
// max bytes before reading it when Content-Length says so, else at max+1.
func readCapped(resp *http.Response, max int64) ([]byte, error) {
	if resp.ContentLength > max {
		return nil, fmt.Errorf("%d bytes exceeds the limit of %d bytes", resp.ContentLength, max)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, fmt.Errorf("reading body: %w", err)
	}
	if int64(len(body)) > max {
		return nil, fmt.Errorf("body exceeds the limit of %d bytes", max)
	}
	return body, nil
}

// Resolve asks for the digest of reference's manifest with a HEAD request:
// nothing is downloaded, and Docker Hub does not count a HEAD as a pull. It
// returns the Docker-Content-Digest header, which the registry must send;
// its pull quota, when announced, goes to Options.OnRateLimit as for a GET.
// The digest is the registry's word: whoever fetches the manifest by it
// verifies the content.
func (c *Client) Resolve(ctx context.Context, r Ref, reference string, accept []string) (digest.Digest, error) {
	h := http.Header{}
	if len(accept) > 0 {
		h.Set("Accept", strings.Join(accept, ", "))
	}
	resp, err := c.request(ctx, http.MethodHead, r, "/v2/"+r.Path+"/manifests/"+reference, h, http.StatusOK)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	if rl, ok := parseRateLimit(resp.Header); ok && c.opts.OnRateLimit != nil {
		c.opts.OnRateLimit(r.Domain, rl)
	}
	d, err := digest.Parse(resp.Header.Get("Docker-Content-Digest"))
	if err != nil {
		return "", fmt.Errorf("HEAD %s: no usable Docker-Content-Digest header (%q)", redactURL(resp.Request.URL), resp.Header.Get("Docker-Content-Digest"))
	}
	return d, nil
}
