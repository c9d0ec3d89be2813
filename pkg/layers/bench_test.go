package layers

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/regscope/regscope/internal/tartest"
	"github.com/regscope/regscope/pkg/manifest"
)

// benchLayer returns a gzip layer of about mb MB uncompressed: many small
// files and some big ones, half-compressible content.
func benchLayer(b *testing.B, mb int) (gz []byte, size int) {
	rng := rand.New(rand.NewPCG(1, 2))
	var entries []tartest.Entry
	total := 0
	for i := 0; total < mb<<20; i++ {
		n := 1 << (8 + rng.IntN(12)) // 256 B … 512 KiB
		body := make([]byte, n)
		for j := 0; j < n; j += 2 { // every other byte random: ~2:1 compressible
			body[j] = byte(rng.Uint32())
		}
		entries = append(entries, tartest.Entry{Name: fmt.Sprintf("d%d/f%d", i%50, i), Body: string(body)})
		total += n
	}
	t := tartest.Layer(b, entries)
	return tartest.Gzip(b, t), len(t)
}

// BenchmarkRead measures Read (gunzip + sha256 + untar into MemStore) and
// Apply of one gzip layer; MB/s is of uncompressed bytes.
func BenchmarkRead(b *testing.B) {
	gz, size := benchLayer(b, benchMB)
	b.SetBytes(int64(size))
	for b.Loop() {
		cs, _, err := Read(bytes.NewReader(gz), manifest.MediaTypeDockerLayer, nil, Limits{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := NewFS().Apply(0, cs); err != nil {
			b.Fatal(err)
		}
	}
}
