package pcache

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"io"
	"net/http"
)

// Sealed entries. What the cache keeps by digest is checked against the
// digest when read; what it keeps under a name — a layer's index, derived
// from a verified blob but not itself named by a digest — is sealed
// instead: kept with a MAC over its name and bytes, under a key only the
// engine uses, and returned only when the MAC checks out. One that fails
// (tampered with, truncated, moved under another name) is dropped and
// reported like a blob that fails its digest. Sealed entries share the
// blobs' budget, least-recently-used order and usage.

// MAC computes a keyed message authentication code. The page's is HMAC-SHA256
// with a key the browser keeps and will not export (engine.webCryptoMAC).
type MAC interface {
	Sum(msg []byte) ([]byte, error)
}

// HMAC is an HMAC-SHA256 MAC with its key in memory.
type HMAC []byte

// Sum implements MAC.
func (k HMAC) Sum(msg []byte) ([]byte, error) {
	m := hmac.New(sha256.New, k)
	m.Write(msg)
	return m.Sum(nil), nil
}

// macSize is the length of the MAC at the start of a sealed entry's body.
const macSize = sha256.Size

// seal returns the MAC of what is kept under name.
func (t *Transport) seal(name string, b []byte) ([]byte, error) {
	msg := make([]byte, 0, len(name)+1+len(b))
	msg = append(append(append(msg, name...), 0), b...)
	return t.MAC.Sum(msg)
}

// PutSealed keeps b under name with its MAC; without a MAC it keeps
// nothing. A body over the cache's largest entry is not kept.
func (t *Transport) PutSealed(name string, b []byte) {
	if t.MAC == nil || int64(macSize+len(b)) > t.maxEntry() {
		return
	}
	mac, err := t.seal(name, b)
	if err != nil || len(mac) != macSize {
		return
	}
	p := t.Store.Create()
	if _, err := p.Write(mac); err != nil {
		p.Abort()
		return
	}
	if _, err := p.Write(b); err != nil {
		p.Abort()
		return
	}
	t.commit(p, key{name: name}, http.Header{}, int64(macSize+len(b)))
}

// Sealed returns what PutSealed kept under name, ok == false when there is
// none. An entry whose MAC does not check out is dropped, reported as
// "WHAT failed its MAC check and was dropped".
func (t *Transport) Sealed(name, what string) ([]byte, bool) {
	if t.MAC == nil {
		return nil, false
	}
	b, ok := t.get(name)
	if !ok {
		return nil, false
	}
	if len(b) >= macSize {
		want, err := t.seal(name, b[macSize:])
		if err != nil {
			return nil, false // no key now: keep the entry for later
		}
		if hmac.Equal(want, b[:macSize]) {
			return b[macSize:], true
		}
	}
	t.DropSealed(name, what+" failed its MAC check and was dropped")
	return nil, false
}

// DropSealed removes the entry kept under name, reporting note (why it
// was dropped) as a failed verification.
func (t *Transport) DropSealed(name, note string) {
	t.dropWith(key{name: name}, note)
}

// get reads the whole body kept under name, marking it used.
func (t *Transport) get(name string) ([]byte, bool) {
	t.mu.Lock()
	t.load()
	e, ok := t.index[name]
	if !ok {
		t.mu.Unlock()
		return nil, false
	}
	body, _, ok, err := t.Store.Get(name)
	if err != nil || !ok {
		delete(t.index, name)
		t.save()
		t.mu.Unlock()
		return nil, false
	}
	e.Used = t.tick()
	t.index[name] = e
	t.save()
	t.mu.Unlock()
	defer body.Close()
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, io.LimitReader(body, t.maxEntry()+1)); err != nil {
		return nil, false
	}
	return buf.Bytes(), true
}
