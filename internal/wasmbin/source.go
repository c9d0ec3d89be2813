package wasmbin

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Source is the server's handle on the binary, which may still be building.
type Source struct {
	ready chan struct{}
	bin   *Binary
	err   error
}

// Start returns the embedded binary when the program was built with
// -tags embedwasm, and otherwise starts Build in the background, writing
// progress ("building the page's WebAssembly… done in 12s") to progress.
// Once built, the programs are served gzip'd while their brotli encodings
// are made in the background (or taken from the cache), then brotli'd.
func Start(ctx context.Context, o BuildOptions, progress io.Writer) *Source {
	if b := Embedded(); b != nil {
		return Ready(b)
	}
	s := &Source{ready: make(chan struct{})}
	fmt.Fprintln(progress, "building the page's WebAssembly…")
	go func() {
		defer close(s.ready)
		start := time.Now()
		s.bin, s.err = Build(ctx, o)
		if s.err != nil {
			fmt.Fprintf(progress, "building the page's WebAssembly failed: %v\n", s.err)
			return
		}
		fmt.Fprintf(progress, "building the page's WebAssembly… done in %v (view %d KB, engine %d KB gzip'd)\n",
			time.Since(start).Round(100*time.Millisecond), len(s.bin.view.gz)>>10, len(s.bin.engine.gz)>>10)
		if s.bin.view.Brotli() != nil && s.bin.engine.Brotli() != nil {
			return
		}
		go func(b *Binary) {
			start := time.Now()
			if err := b.CompressBrotli(ctx); err != nil {
				fmt.Fprintf(progress, "brotli compression of the page's WebAssembly stopped (%v): gzip is served\n", err)
				return
			}
			fmt.Fprintf(progress, "brotli compression of the page's WebAssembly done in %v (view %d KB, engine %d KB)\n",
				time.Since(start).Round(100*time.Millisecond), len(b.view.Brotli())>>10, len(b.engine.Brotli())>>10)
		}(s.bin)
	}()
	return s
}

// Ready is closed once the binary is built or the build failed.
func (s *Source) Ready() <-chan struct{} { return s.ready }

// Binary returns the binary, or the build error, or (nil, nil) while building.
func (s *Source) Binary() (*Binary, error) {
	select {
	case <-s.ready:
		return s.bin, s.err
	default:
		return nil, nil
	}
}

// Wait blocks until the build finishes or ctx ends.
func (s *Source) Wait(ctx context.Context) (*Binary, error) {
	select {
	case <-s.ready:
		return s.bin, s.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// ServeView serves the view's wasm once built (waiting for the build); a
// failed build is a 500 whose body is the compiler's message.
func (s *Source) ServeView(w http.ResponseWriter, r *http.Request) {
	if b := s.wait(w, r); b != nil {
		b.view.ServeHTTP(w, r)
	}
}

// ServeEngine serves the engine's wasm as ServeView serves the view's.
func (s *Source) ServeEngine(w http.ResponseWriter, r *http.Request) {
	if b := s.wait(w, r); b != nil {
		b.engine.ServeHTTP(w, r)
	}
}

// ServeExecJS serves wasm_exec.js once available.
func (s *Source) ServeExecJS(w http.ResponseWriter, r *http.Request) {
	if b := s.wait(w, r); b != nil {
		b.ServeExecJS(w, r)
	}
}

func (s *Source) wait(w http.ResponseWriter, r *http.Request) *Binary {
	b, err := s.Wait(r.Context())
	if err != nil {
		w.Header().Set("Cache-Control", "no-store")
		http.Error(w, "regscope: the page's WebAssembly is unavailable: "+err.Error(), http.StatusInternalServerError)
		return nil
	}
	return b
}

// Ready returns a Source holding an already available binary (tests, embedding programs).
func Ready(b *Binary) *Source {
	s := &Source{ready: make(chan struct{}), bin: b}
	close(s.ready)
	return s
}
