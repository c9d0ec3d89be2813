package registry

import (
	"context"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// blobReader streams one blob, resuming and verifying (see Blob).
type blobReader struct {
	c    *Client
	ctx  context.Context
	ref  Ref
	desc v1.Descriptor
	h    hash.Hash

	foreign []string // desc.URLs still to try once the registry lacks the blob
	refused []string // desc.URLs the destination policy refused, and why
	url     string   // the URL being read; "" = the registry's blob URL
	body    io.ReadCloser
	n       int64 // bytes delivered to the caller (and hashed)
	attempt int   // failed attempts so far
	err     error // sticky
}

// size returns the expected size, or -1 when unknown.
func (b *blobReader) size() int64 {
	if b.desc.Size > 0 {
		return b.desc.Size
	}
	if b.desc.Digest == digest.SHA256.FromBytes(nil) {
		return 0
	}
	return -1
}

// open (re)connects, retrying as Options say, and positions the body at b.n.
func (b *blobReader) open() error {
	for {
		err := b.openOnce()
		if err == nil {
			return nil
		}
		if b.url == "" && errors.Is(err, ErrNotFound) && b.n == 0 {
			if b.nextForeign() {
				b.attempt = 0
				continue
			}
			if len(b.refused) > 0 {
				return fmt.Errorf("%w; its foreign URLs were refused: %s", err, strings.Join(b.refused, "; "))
			}
		}
		b.attempt++
		wait, again := b.c.retryWait(b.attempt, err)
		if !again {
			return err
		}
		if err := b.c.sleep(b.ctx, b.where(), b.attempt, wait, err); err != nil {
			return err
		}
	}
}

// nextForeign switches to the next URL of desc.URLs the destination policy
// allows (foreignURL), the first time the registry says it lacks the blob.
func (b *blobReader) nextForeign() bool {
	if b.foreign == nil {
		b.foreign = append([]string{}, b.desc.URLs...)
	}
	e := b.c.endpointFor(b.ref)
	for len(b.foreign) > 0 {
		raw := b.foreign[0]
		b.foreign = b.foreign[1:]
		u, err := b.c.foreignURL(b.ctx, e, raw)
		if err != nil {
			where := "URL"
			if p, perr := url.Parse(raw); perr == nil {
				where = redactURL(p)
			}
			b.refused = append(b.refused, where+": "+err.Error())
			continue
		}
		b.url = u
		return true
	}
	return false
}

// where names the blob's current URL for messages (query removed).
func (b *blobReader) where() string {
	if b.url == "" {
		e := b.c.endpointFor(b.ref)
		e.mu.Lock()
		defer e.mu.Unlock()
		return e.scheme + "://" + e.host + "/v2/" + b.ref.Path + "/blobs/" + string(b.desc.Digest)
	}
	if u, err := url.Parse(b.url); err == nil {
		return redactURL(u)
	}
	return "blob URL"
}

// openOnce makes one request for the bytes from b.n on.
func (b *blobReader) openOnce() error {
	h := http.Header{}
	size := b.size()
	if b.n > 0 {
		if size > 0 {
			// Closed ranges: go-containerregistry's registry refuses open-ended ones.
			h.Set("Range", fmt.Sprintf("bytes=%d-%d", b.n, size-1))
		} else {
			h.Set("Range", fmt.Sprintf("bytes=%d-", b.n))
		}
	}
	var (
		resp *http.Response
		err  error
	)
	if b.url == "" {
		e := b.c.endpointFor(b.ref)
		if err := b.c.ping(b.ctx, e); err != nil {
			return err
		}
		e.mu.Lock()
		u := e.scheme + "://" + e.host + "/v2/" + b.ref.Path + "/blobs/" + string(b.desc.Digest)
		e.mu.Unlock()
		resp, err = b.c.send(withAuthScope(b.ctx, e, pullScope(b.ref.Path)), u, h, http.StatusOK, http.StatusPartialContent)
	} else {
		ctx := WithForeignOf(b.ctx, b.c.endpointFor(b.ref).host)
		resp, err = b.c.send(ctx, b.url, h, http.StatusOK, http.StatusPartialContent)
	}
	if err != nil {
		var re *Error
		if b.n > 0 && size > 0 && errors.As(err, &re) && re.StatusCode == http.StatusRequestedRangeNotSatisfiable {
			// Nothing lies beyond the bytes we have: the blob is shorter than its descriptor says.
			return &SizeError{Digest: b.desc.Digest, Want: size, Got: b.n}
		}
		return err
	}
	switch {
	case resp.StatusCode == http.StatusPartialContent:
		start, perr := contentRangeStart(resp.Header.Get("Content-Range"))
		if perr != nil || start != b.n {
			resp.Body.Close()
			return fmt.Errorf("blob %s: asked for bytes from %d, got Content-Range %q", b.desc.Digest, b.n, resp.Header.Get("Content-Range"))
		}
	case b.n > 0:
		// The server ignored Range: skip what was already delivered.
		if _, err := io.CopyN(io.Discard, resp.Body, b.n); err != nil {
			resp.Body.Close()
			return fmt.Errorf("blob %s: skipping %d bytes already read: %w", b.desc.Digest, b.n, err)
		}
	}
	b.body = resp.Body
	return nil
}

// contentRangeStart parses the first byte position of "bytes a-b/c".
func contentRangeStart(v string) (int64, error) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(v), "bytes ")
	if !ok {
		return 0, fmt.Errorf("bad Content-Range %q", v)
	}
	a, _, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, fmt.Errorf("bad Content-Range %q", v)
	}
	return strconv.ParseInt(strings.TrimSpace(a), 10, 64)
}

// Read reads verified-so-far bytes; see Blob for the errors it returns.
func (b *blobReader) Read(p []byte) (int, error) {
	for {
		if b.err != nil {
			return 0, b.err
		}
		if b.body == nil {
			if size := b.size(); size >= 0 && b.n == size {
				b.err = b.finish() // all bytes arrived, the end did not: nothing left to ask
				continue
			}
			if err := b.open(); err != nil {
				b.err = err
				continue
			}
		}
		k, err := b.body.Read(p)
		size := b.size()
		if size >= 0 && b.n+int64(k) > size {
			b.fail(&SizeError{Digest: b.desc.Digest, Want: size, Got: b.n + int64(k)})
			return 0, b.err
		}
		b.h.Write(p[:k])
		b.n += int64(k)
		switch {
		case err == io.EOF && size >= 0 && b.n < size:
			// A clean end short of the size: a Content-Length smaller than
			// the blob, or a proxy that cut it. Resume from here.
			b.body.Close()
			b.body = nil
			b.retryAfterRead(fmt.Errorf("body ended after %d of %d bytes: %w", b.n, size, io.ErrUnexpectedEOF))
			if k > 0 {
				return k, nil
			}
		case err == io.EOF:
			b.body.Close()
			b.body = nil
			b.err = b.finish()
			if k > 0 && b.err == io.EOF {
				return k, nil
			}
			return k, b.err
		case err != nil:
			b.body.Close()
			b.body = nil
			if b.ctx.Err() != nil {
				b.err = fmt.Errorf("blob %s: reading %s after %d bytes: %w", b.desc.Digest, b.where(), b.n, context.Cause(b.ctx))
				return k, b.err
			}
			if size >= 0 && b.n == size {
				// Every byte is here (the response promised more, say):
				// no need to ask again, the digest decides.
				b.err = b.finish()
				if k > 0 && b.err == io.EOF {
					return k, nil
				}
				return k, b.err
			}
			b.retryAfterRead(err)
			if k > 0 {
				return k, nil
			}
		case k > 0:
			return k, nil
		}
	}
}

// retryAfterRead waits before reopening after a body read failed, or makes
// the failure final when retries are exhausted. Attempts are counted over
// the whole blob, resumes included (as Docker's download manager does), so
// a server that always cuts the body short costs MaxAttempts requests.
func (b *blobReader) retryAfterRead(cause error) {
	b.attempt++
	cause = fmt.Errorf("blob %s: reading %s after %d bytes: %w", b.desc.Digest, b.where(), b.n, cause)
	wait, again := b.c.retryWait(b.attempt, cause)
	if !again {
		b.err = cause
		return
	}
	if err := b.c.sleep(b.ctx, b.where(), b.attempt, wait, cause); err != nil {
		b.err = err
	}
}

// finish verifies size and digest at the end of the body.
func (b *blobReader) finish() error {
	if size := b.size(); size >= 0 && b.n != size {
		return &SizeError{Digest: b.desc.Digest, Want: size, Got: b.n}
	}
	if got := digest.NewDigest(b.desc.Digest.Algorithm(), b.h); got != b.desc.Digest {
		return &DigestError{What: "blob " + string(b.desc.Digest), Want: b.desc.Digest, Got: got}
	}
	return io.EOF
}

func (b *blobReader) fail(err error) {
	if b.body != nil {
		b.body.Close()
		b.body = nil
	}
	b.err = err
}

// Close releases the connection. Reads after Close fail.
func (b *blobReader) Close() error {
	if b.body != nil {
		b.body.Close()
		b.body = nil
	}
	if b.err == nil {
		b.err = errors.New("blob " + string(b.desc.Digest) + ": read after Close")
	}
	return nil
}
