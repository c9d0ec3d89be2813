//go:build !js

package wasmbin

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
)

// BenchmarkEncodings builds the page's two programs from this module and
// compresses each with gzip -9 (Compress) and with brotli at several
// qualities and windows, logging the size and the time of each: the
// figures behind BrotliQuality and BrotliWindow. Figures, not assertions.
//
//	go test -run '^$' -bench Encodings -benchtime 1x ./internal/wasmbin/
func BenchmarkEncodings(b *testing.B) {
	wd, _ := os.Getwd()
	mod, err := FindModule(wd)
	if err != nil {
		b.Fatal(err)
	}
	bin, err := Build(context.Background(), BuildOptions{ModuleDir: mod, CacheDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		for _, m := range bin.Modules() {
			raw, err := m.Wasm()
			if err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			gz := Compress(raw)
			line := fmt.Sprintf("%s: raw %d B; gzip -9 %d B in %v", m.Name(), len(raw), len(gz), time.Since(start).Round(100*time.Millisecond))
			for _, o := range []struct{ q, w int }{{5, 22}, {9, 24}, {10, 24}, {11, 22}, {11, 24}} {
				start := time.Now()
				var buf bytes.Buffer
				w := brotli.NewWriterOptions(&buf, brotli.WriterOptions{Quality: o.q, LGWin: o.w})
				w.Write(raw)
				w.Close()
				line += fmt.Sprintf("; brotli q%d w%d %d B (%.0f%% of gzip) in %v", o.q, o.w, buf.Len(),
					100*float64(buf.Len())/float64(len(gz)), time.Since(start).Round(100*time.Millisecond))
			}
			b.Log(line) // one line a program: go test keeps only 10 lines of a benchmark's log
		}
	}
}
