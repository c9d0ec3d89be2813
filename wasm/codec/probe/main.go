//go:build js

// Command probe checks and measures the codec pool (wasm/codec) in a real
// browser, without the rest of the page: run in a dedicated worker whose
// script sits beside codec.js, it starts the pool, then either checks it
// (?mode=check: every SHA-256 and inflate against Go's, the fallback and
// failure cases) or measures it beside Go's own SHA-256 and gzip and the
// browser's crypto.subtle (?mode=bench). It posts one JSON Report to the
// page. The e2e tests build and drive it.
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"strconv"
	"syscall/js"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/regscope/regscope/pkg/layers"
	"github.com/regscope/regscope/wasm/codec"
)

// Report is what the probe posts.
type Report struct {
	Workers int               `json:"workers"`
	Start   string            `json:"start,omitempty"` // why the pool did not start
	Checks  []string          `json:"checks,omitempty"`
	Figures map[string]string `json:"figures,omitempty"` // name → MB/s
	Stats   codec.Stats       `json:"stats"`
}

func main() {
	self := js.Global()
	loc, _ := url.Parse(self.Get("location").Get("href").String())
	script := loc.ResolveReference(&url.URL{Path: "codec.js"}).String()
	n := codec.Size(self.Get("navigator").Get("hardwareConcurrency").Int())
	var r Report
	js.Global().Get("console").Call("log", "codec probe: starting "+strconv.Itoa(n)+" workers from "+script)
	p, err := codec.Start(context.Background(), script, n)
	if err != nil {
		r.Start = err.Error()
	} else {
		r.Workers = p.Workers()
		if loc.Query().Get("mode") == "bench" {
			mib, _ := strconv.Atoi(loc.Query().Get("mib"))
			r.Figures = bench(p, max(mib, 16))
		} else {
			r.Checks = check(p)
		}
		r.Stats = p.Stats()
	}
	b, _ := json.Marshal(r)
	self.Call("postMessage", string(b))
	select {} // late worker messages (acks, frees) still find Go running
}

// text is n bytes of words, compressible about as much as a layer's files.
func text(n int, seed uint64) []byte {
	words := []string{"usr", "lib", "share", "doc", "the", "of", "libc", "so", "6", "x86_64", "linux", "gnu", "python3", "site-packages", "__init__", "py", "\n", "import", "def", "return"}
	rng := rand.New(rand.NewPCG(seed, 1))
	var b bytes.Buffer
	for b.Len() < n {
		b.WriteString(words[rng.IntN(len(words))])
		if rng.IntN(4) == 0 {
			b.WriteString(strconv.Itoa(rng.IntN(100000)))
		}
		b.WriteByte(' ')
	}
	return b.Bytes()[:n]
}

func gz(b []byte) []byte {
	var out bytes.Buffer
	w, _ := gzip.NewWriterLevel(&out, gzip.BestSpeed)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

// oddReader returns its bytes in reads of varying sizes.
type oddReader struct {
	b []byte
	i int
}

func (o *oddReader) Read(p []byte) (int, error) {
	if len(o.b) == 0 {
		return 0, io.EOF
	}
	o.i++
	n := min(len(p), len(o.b), 1+(o.i*7919)%300000)
	copy(p, o.b[:n])
	o.b = o.b[n:]
	return n, nil
}

// failingReader returns its bytes, then err.
type failingReader struct {
	b   []byte
	err error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.b) == 0 {
		return 0, f.err
	}
	n := copy(p, f.b)
	f.b = f.b[n:]
	return n, nil
}

// poolSum hashes b through the pool in writes of varying sizes.
func poolSum(p *codec.Pool, b []byte) []byte {
	h := p.SHA256()
	io.CopyBuffer(h, &oddReader{b: b}, make([]byte, 1<<20))
	return h.Sum(nil)
}

func inflate(p *codec.Pool, r io.Reader) ([]byte, error) {
	b, _, err := inflateSum(p, r)
	return b, err
}

// inflateSum inflates r through the pool and returns the digest its worker
// gave of what it inflated (layers.Summer).
func inflateSum(p *codec.Pool, r io.Reader) ([]byte, []byte, error) {
	rc, err := p.Gunzip(r)
	if err != nil {
		return nil, nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	s, ok := rc.(layers.Summer)
	if !ok {
		return b, nil, errors.New("the pool's gunzip reader is not a layers.Summer")
	}
	return b, s.Sum(nil), err
}

// check runs every check; each line is "name: ok" or what went wrong.
func check(p *codec.Pool) []string {
	var out []string
	add := func(name string, err error) {
		js.Global().Get("console").Call("log", "codec probe: "+name)
		if err != nil {
			out = append(out, name+": "+err.Error())
			return
		}
		out = append(out, name+": ok")
	}
	same := func(got, want []byte) error {
		if !bytes.Equal(got, want) {
			return fmt.Errorf("got %d bytes %x…, want %d bytes %x…", len(got), head(got), len(want), head(want))
		}
		return nil
	}
	for _, n := range []int{0, 1, 64, codec.ChunkSize - 1, codec.ChunkSize, 5<<20 + 7, 33 << 20} {
		b := text(n, uint64(n))
		want := sha256.Sum256(b)
		add(fmt.Sprintf("sha256 of %d bytes", n), same(poolSum(p, b), want[:]))
	}

	b := text(3<<20, 3)
	h := p.SHA256()
	h.Write(b[:1<<20])
	mid := h.Sum(nil)
	h.Write(b[1<<20:])
	wantMid, wantAll := sha256.Sum256(b[:1<<20]), sha256.Sum256(b)
	add("sum keeps the state", errors.Join(same(mid, wantMid[:]), same(h.Sum(nil), wantAll[:])))
	h.Reset()
	h.Write(b[:1<<20])
	add("reset starts again", same(h.Sum(nil), wantMid[:]))

	add("16 hashes at once", parallel(16, func(i int) error {
		b := text(2<<20+i, uint64(100+i))
		want := sha256.Sum256(b)
		return same(poolSum(p, b), want[:])
	}))

	// Past 32 MiB, the worker's digest of what it inflates streams through
	// hash-wasm rather than one crypto.subtle call.
	for _, n := range []int{0, 1000, 20 << 20, 33 << 20} {
		b := text(n, uint64(n)+9)
		got, sum, err := inflateSum(p, &oddReader{b: gz(b)})
		want := sha256.Sum256(b)
		add(fmt.Sprintf("gunzip of %d bytes", n), errors.Join(err, same(got, b)))
		add(fmt.Sprintf("gunzip digest of %d bytes", n), same(sum, want[:]))
	}
	add("8 gunzips at once", parallel(8, func(i int) error {
		b := text(4<<20+i, uint64(200+i))
		got, sum, err := inflateSum(p, bytes.NewReader(gz(b)))
		want := sha256.Sum256(b)
		return errors.Join(err, same(got, b), same(sum, want[:]))
	}))

	one, two := text(1<<20, 7), text(1<<20, 8)
	_, err := inflate(p, bytes.NewReader(append(gz(one), gz(two)...)))
	add("concatenated members fall back", fallback(err))
	_, err = inflate(p, bytes.NewReader(append(gz(one), "trailing bytes"...)))
	add("trailing bytes fall back", fallback(err))

	bad := gz(text(1<<20, 10))
	bad[len(bad)/2] ^= 0xff
	_, err = inflate(p, bytes.NewReader(bad))
	add("corrupt data fails", notFallback(err))
	whole := gz(text(1<<20, 11))
	_, err = inflate(p, bytes.NewReader(whole[:len(whole)-100]))
	add("truncated data is an unexpected EOF", is(err, io.ErrUnexpectedEOF))
	src := errors.New("blob digest mismatch")
	_, err = inflate(p, &failingReader{b: whole[:len(whole)/2], err: src})
	add("the source's error is Read's", is(err, src))

	rc, _ := p.Gunzip(bytes.NewReader(gz(text(30<<20, 12))))
	io.ReadFull(rc, make([]byte, 1<<20))
	rc.Close()
	b = text(1<<20, 13)
	got, err := inflate(p, bytes.NewReader(gz(b)))
	add("closed midway, the pool goes on", errors.Join(err, same(got, b)))

	// The error texts, for the test to check whole.
	_, err = inflate(p, bytes.NewReader(append(gz(one), gz(two)...)))
	out = append(out, "fallback error text: "+fmt.Sprint(err))
	_, err = inflate(p, bytes.NewReader(bad))
	out = append(out, "corrupt error text: "+fmt.Sprint(err))
	return out
}

func head(b []byte) []byte { return b[:min(len(b), 8)] }

func fallback(err error) error {
	if !errors.Is(err, layers.ErrGunzipFallback) {
		return fmt.Errorf("error %v does not wrap layers.ErrGunzipFallback", err)
	}
	return nil
}

func notFallback(err error) error {
	if err == nil || errors.Is(err, layers.ErrGunzipFallback) {
		return fmt.Errorf("error %v, want a failure that is not a fallback", err)
	}
	return nil
}

func is(err, target error) error {
	if !errors.Is(err, target) {
		return fmt.Errorf("error %v, want %v", err, target)
	}
	return nil
}

// parallel runs fn(0…n-1) at once and joins their errors.
func parallel(n int, fn func(i int) error) error {
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		go func() { errs <- fn(i) }()
	}
	var all []error
	for i := 0; i < n; i++ {
		all = append(all, <-errs)
	}
	return errors.Join(all...)
}

// bench measures MB/s (of the bytes hashed, or inflated out) for mib MiB.
func bench(p *codec.Pool, mib int) map[string]string {
	figs := map[string]string{}
	b := text(mib<<20, 42)
	z := gz(b)
	rate := func(name string, n int, fn func()) {
		start := time.Now()
		fn()
		d := time.Since(start)
		figs[name] = fmt.Sprintf("%.0f", float64(n)/1e6/d.Seconds())
	}
	rate("sha256 Go in wasm", len(b), func() { sha256.Sum256(b) })
	rate("sha256 pool, 1 stream", len(b), func() { poolSum(p, b) })
	rate("sha256 pool, 1 stream of 16 MiB, repeated", len(b), func() {
		for off := 0; off+16<<20 <= len(b); off += 16 << 20 {
			poolSum(p, b[off:off+16<<20])
		}
	})
	k := p.Workers()
	rate(fmt.Sprintf("sha256 pool, %d streams", k), k*len(b), func() {
		parallel(k, func(int) error { poolSum(p, b); return nil })
	})
	rate("sha256 crypto.subtle one-shot (copy to JS included)", len(b), func() {
		arr := js.Global().Get("Uint8Array").New(len(b))
		js.CopyBytesToJS(arr, b)
		await(js.Global().Get("crypto").Get("subtle").Call("digest", "SHA-256", arr))
	})
	rate("gunzip Go (klauspost) in wasm", len(b), func() {
		r, _ := gzip.NewReader(bytes.NewReader(z))
		io.Copy(io.Discard, r)
	})
	rate("gunzip pool, 1 stream", len(b), func() { inflateDiscard(p, z) })
	rate(fmt.Sprintf("gunzip pool, %d streams", k), k*len(b), func() {
		parallel(k, func(int) error { inflateDiscard(p, z); return nil })
	})
	rate("layer pool (gunzip + both digests)", len(b), func() { layer(p, z) })
	rate("layer Go (gunzip + both digests)", len(b), func() {
		hz := sha256.New()
		r, _ := gzip.NewReader(io.TeeReader(bytes.NewReader(z), hz))
		hb := sha256.New()
		io.Copy(hb, r)
		hz.Sum(nil)
		hb.Sum(nil)
	})
	figs["compressed MiB"] = fmt.Sprintf("%.1f", float64(len(z))/(1<<20))
	figs["inflated MiB"] = strconv.Itoa(mib)
	return figs
}

func inflateDiscard(p *codec.Pool, z []byte) {
	rc, _ := p.Gunzip(bytes.NewReader(z))
	io.Copy(io.Discard, rc)
	rc.Close()
}

// layer is what a pull does with a layer through the pool: the compressed
// digest, inflate, and the digest of the inflated bytes (the inflating
// worker's, layers.Summer).
func layer(p *codec.Pool, z []byte) {
	hz := p.SHA256()
	rc, _ := p.Gunzip(io.TeeReader(bytes.NewReader(z), hz))
	io.Copy(io.Discard, rc)
	rc.(layers.Summer).Sum(nil)
	rc.Close()
	hz.Sum(nil)
}

// await waits for a JavaScript promise.
func await(pr js.Value) js.Value {
	ch := make(chan js.Value, 1)
	ok := js.FuncOf(func(_ js.Value, a []js.Value) any { ch <- a[0]; return nil })
	fail := js.FuncOf(func(_ js.Value, a []js.Value) any { ch <- js.Null(); return nil })
	defer ok.Release()
	defer fail.Release()
	pr.Call("then", ok, fail)
	return <-ch
}
