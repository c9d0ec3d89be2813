//go:build js

package engine

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"syscall/js"

	"github.com/regscope/regscope/wasm/pcache"
)

// CacheName is the Cache Storage cache holding the verified cache; an
// entry's key is {origin}/.regscope-cache/{digest}, its index is under
// {origin}/.regscope-cache/index.
const CacheName = "regscope-verified"

// cachePath is the path prefix of the keys.
const cachePath = "/.regscope-cache/"

// cacheStore is a pcache.Store in the browser's Cache Storage.
type cacheStore struct {
	prefix string // {origin}/.regscope-cache/
}

// newCacheStore returns the store for a page on origin, or nil when the
// browser offers no Cache Storage (an insecure context).
func newCacheStore(origin string) pcache.Store {
	if !js.Global().Get("caches").Truthy() {
		return nil
	}
	return &cacheStore{prefix: origin + cachePath}
}

func (s *cacheStore) open() (js.Value, error) {
	return await(js.Global().Get("caches").Call("open", CacheName))
}

func (s *cacheStore) Get(key string) (io.ReadCloser, http.Header, bool, error) {
	c, err := s.open()
	if err != nil {
		return nil, nil, false, err
	}
	r, err := await(c.Call("match", s.prefix+key))
	if err != nil || !r.Truthy() || !r.Get("body").Truthy() {
		return nil, nil, false, err
	}
	h := http.Header{}
	for _, k := range []string{"Content-Type", "Docker-Content-Digest"} {
		if v := r.Get("headers").Call("get", k); v.Type() == js.TypeString {
			h.Set(k, v.String())
		}
	}
	return &streamReader{r: r.Get("body").Call("getReader")}, h, true, nil
}

func (s *cacheStore) Create() pcache.Pending {
	return &pending{s: s, parts: js.Global().Get("Array").New()}
}

func (s *cacheStore) Delete(key string) error {
	c, err := s.open()
	if err == nil {
		_, err = await(c.Call("delete", s.prefix+key))
	}
	return err
}

func (s *cacheStore) Keys() ([]string, error) {
	c, err := s.open()
	if err != nil {
		return nil, err
	}
	reqs, err := await(c.Call("keys"))
	if err != nil {
		return nil, err
	}
	var keys []string
	for i := 0; i < reqs.Length(); i++ {
		k, ok := strings.CutPrefix(reqs.Index(i).Get("url").String(), s.prefix)
		if ok && k != "index" {
			keys = append(keys, k)
		}
	}
	return keys, nil
}

func (s *cacheStore) LoadIndex() ([]byte, error) {
	c, err := s.open()
	if err != nil {
		return nil, err
	}
	r, err := await(c.Call("match", s.prefix+"index"))
	if err != nil || !r.Truthy() {
		return nil, err
	}
	t, err := await(r.Call("text"))
	if err != nil {
		return nil, err
	}
	return []byte(t.String()), nil
}

func (s *cacheStore) SaveIndex(b []byte) error {
	return s.put("index", js.Global().Get("Array").New(string(b)), nil)
}

// put keeps the parts (strings or Uint8Arrays) under key.
func (s *cacheStore) put(key string, parts js.Value, h http.Header) error {
	c, err := s.open()
	if err != nil {
		return err
	}
	headers := js.Global().Get("Headers").New()
	for k := range h {
		headers.Call("set", k, h.Get(k))
	}
	init := js.Global().Get("Object").New()
	init.Set("headers", headers)
	body := js.Global().Get("Blob").New(parts)
	_, err = await(c.Call("put", s.prefix+key, js.Global().Get("Response").New(body, init)))
	return err
}

// pending collects a body in JavaScript memory, outside the wasm heap,
// until it is committed.
type pending struct {
	s     *cacheStore
	parts js.Value // Array of Uint8Array
}

func (p *pending) Write(b []byte) (int, error) {
	if p.parts.IsNull() {
		return 0, errors.New("cache entry already finished")
	}
	a := js.Global().Get("Uint8Array").New(len(b))
	js.CopyBytesToJS(a, b)
	p.parts.Call("push", a)
	return len(b), nil
}

func (p *pending) Commit(key string, h http.Header) error {
	parts := p.parts
	p.parts = js.Null()
	return p.s.put(key, parts, h)
}

func (p *pending) Abort() { p.parts = js.Null() }

// streamReader reads a ReadableStream's default reader.
type streamReader struct {
	r    js.Value
	left []byte
	eof  bool
}

func (s *streamReader) Read(b []byte) (int, error) {
	for len(s.left) == 0 {
		if s.eof {
			return 0, io.EOF
		}
		res, err := await(s.r.Call("read"))
		if err != nil {
			return 0, err
		}
		if res.Get("done").Bool() {
			s.eof = true
			continue
		}
		v := res.Get("value")
		s.left = make([]byte, v.Get("byteLength").Int())
		js.CopyBytesToGo(s.left, v)
	}
	n := copy(b, s.left)
	s.left = s.left[n:]
	return n, nil
}

func (s *streamReader) Close() error {
	if !s.eof {
		s.r.Call("cancel")
	}
	return nil
}
