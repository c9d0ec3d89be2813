package imagetest

import (
	"fmt"
	"math/rand/v2"
	"testing"

	ggcr "github.com/google/go-containerregistry/pkg/v1"

	"github.com/regscope/regscope/internal/tartest"
)

// Big builds an image of about 100 MB compressed, the size of demo/big:
// four gzip layers of 25 incompressible 1 MiB files plus a thousand small
// text files each. The same bytes every time.
func Big(t testing.TB) ggcr.Image {
	rng := rand.New(rand.NewChaCha8([32]byte{'r', 'e', 'g', 's', 'c', 'o', 'p', 'e'}))
	var ls []ggcr.Layer
	for l := range 4 {
		var es []tartest.Entry
		for f := range 25 {
			buf := make([]byte, 1<<20)
			for i := 0; i < len(buf); i += 8 {
				v := rng.Uint64()
				for j := range 8 {
					buf[i+j] = byte(v >> (8 * j))
				}
			}
			es = append(es, tartest.Entry{Name: fmt.Sprintf("layer%d/blob%02d.bin", l, f), Body: string(buf)})
		}
		for f := range 1000 {
			es = append(es, tartest.Entry{Name: fmt.Sprintf("layer%d/text/%04d.txt", l, f),
				Body: fmt.Sprintf("file %d of layer %d\n", f, l)})
		}
		ls = append(ls, Layer(t, Gzip, es...))
	}
	return Image(t, OCI, ls...)
}
