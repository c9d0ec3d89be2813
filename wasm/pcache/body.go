package pcache

import (
	"encoding/hex"
	"hash"
	"io"
	"net/http"
)

// tee copies a fetched body into a pending entry, committed at the end of
// the body when its digest matches, discarded otherwise.
type tee struct {
	io.ReadCloser
	p    Pending
	h    hash.Hash
	n    int64
	k    key
	hdr  http.Header
	t    *Transport
	done bool
}

func (r *tee) Read(b []byte) (int, error) {
	n, err := r.ReadCloser.Read(b)
	if n > 0 && !r.done {
		r.h.Write(b[:n])
		r.n += int64(n)
		if _, werr := r.p.Write(b[:n]); werr != nil || r.n > r.t.maxEntry() {
			r.finish(false)
		}
	}
	if err == io.EOF && !r.done {
		r.finish(sum(r.h) == r.k.digest)
	}
	return n, err
}

// Close keeps the entry when what was read has the digest asked for (a
// reader may stop at the body's last byte without reading on to EOF); a
// partial body never has it, and is discarded.
func (r *tee) Close() error {
	if !r.done {
		r.finish(sum(r.h) == r.k.digest)
	}
	return r.ReadCloser.Close()
}

func (r *tee) finish(ok bool) {
	r.done = true
	if ok {
		r.t.commit(r.p, r.k, r.hdr, r.n)
		return
	}
	r.p.Abort()
}

// sum is the digest h has computed.
func sum(h hash.Hash) string { return "sha256:" + hex.EncodeToString(h.Sum(nil)) }
