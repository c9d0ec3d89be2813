//go:build !js

package pull_test

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"

	ggcr "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/tartest"
	"github.com/regscope/regscope/pkg/layers"
	"github.com/regscope/regscope/pkg/pull"
)

// rawLayer is a layer of hand-made compressed bytes with a DiffID given by
// the test: go-containerregistry would otherwise decompress the bytes to
// compute it (16 GiB for a bomb) or refuse them (gzip trailing garbage).
type rawLayer struct {
	blob   []byte
	diffID ggcr.Hash
	mt     types.MediaType
}

func newRawLayer(blob []byte, tarBytes []byte, mt types.MediaType) *rawLayer {
	sum := sha256.Sum256(tarBytes)
	return &rawLayer{blob: blob, diffID: ggcr.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}, mt: mt}
}

func (l *rawLayer) Digest() (ggcr.Hash, error) {
	sum := sha256.Sum256(l.blob)
	return ggcr.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}, nil
}
func (l *rawLayer) DiffID() (ggcr.Hash, error) { return l.diffID, nil }
func (l *rawLayer) Compressed() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(l.blob)), nil
}
func (l *rawLayer) Uncompressed() (io.ReadCloser, error) {
	return nil, errors.New("rawLayer: not decompressed")
}
func (l *rawLayer) Size() (int64, error)                { return int64(len(l.blob)), nil }
func (l *rawLayer) MediaType() (types.MediaType, error) { return l.mt, nil }

// pushHostile pushes an image of the given layers to a fresh registry.
func pushHostile(t *testing.T, ls ...ggcr.Layer) string {
	t.Helper()
	ref := regtest.GGCR(t) + "/hostile/image:1"
	regtest.Push(t, ref, imagetest.Image(t, imagetest.OCI, ls...))
	return ref
}

func TestHostileImagesPull(t *testing.T) {
	base := tartest.Layer(t, []tartest.Entry{{Name: "etc/passwd", Body: "root:x:0:0\n"}, {Name: "bin/sh", Body: "#!"}})
	truncated := tartest.Layer(t, []tartest.Entry{{Name: "a", Body: "first"}, {Name: "big", Body: strings.Repeat("b", 10000)}})[:512*3+5000]
	for _, tc := range []struct {
		name   string
		layers func(t *testing.T) []ggcr.Layer
		lim    layers.Limits
		check  func(t *testing.T, img *pull.Image)
		want   string // error substring; "" = must succeed
		limit  string // LimitError.Limit expected
	}{
		{
			name: "path traversal and a symlinked parent pointing outside",
			layers: func(t *testing.T) []ggcr.Layer {
				return []ggcr.Layer{
					imagetest.Layer(t, imagetest.Gzip,
						tartest.Entry{Name: "../../../x", Body: "up"},
						tartest.Entry{Name: "/abs", Body: "abs"},
						tartest.Entry{Name: "etc/passwd", Body: "inside"},
						tartest.Entry{Name: "out", Type: tar.TypeSymlink, Link: "../../../../etc"}),
					imagetest.Layer(t, imagetest.Zstd, tartest.Entry{Name: "out/passwd", Body: "replaced the link"}),
				}
			},
			check: func(t *testing.T, img *pull.Image) {
				var paths []string
				img.FS.Walk(func(e *layers.Entry) error { paths = append(paths, e.Path); return nil })
				if got := strings.Join(paths, " "); got != "/abs /etc /etc/passwd /out /out/passwd /x" {
					t.Errorf("paths = %s", got)
				}
				if readFile(t, img, "etc/passwd") != "inside" || readFile(t, img, "out/passwd") != "replaced the link" {
					t.Error("a write went through the symlinked parent")
				}
			},
		},
		{
			name: "symlink loop and a 41-hop chain",
			layers: func(t *testing.T) []ggcr.Layer {
				es := []tartest.Entry{{Name: "a", Type: tar.TypeSymlink, Link: "b"}, {Name: "b", Type: tar.TypeSymlink, Link: "a"}, {Name: "t", Body: "end"}}
				for i := 0; i < 41; i++ {
					es = append(es, tartest.Entry{Name: "c" + string(rune('A'+i)), Type: tar.TypeSymlink, Link: "c" + string(rune('A'+i+1))})
				}
				es = append(es, tartest.Entry{Name: "c" + string(rune('A'+41)), Type: tar.TypeSymlink, Link: "t"})
				return []ggcr.Layer{imagetest.Layer(t, imagetest.Gzip, es...)}
			},
			check: func(t *testing.T, img *pull.Image) {
				for _, p := range []string{"a", "cA"} {
					_, err := img.FS.Resolve(p)
					if !errors.Is(err, layers.ErrLoop) || !strings.Contains(err.Error(), "too many levels of symbolic links") || !strings.Contains(err.Error(), p) {
						t.Errorf("Resolve(%s) = %v", p, err)
					}
				}
				if p, err := img.FS.Resolve("cC"); err != nil || p != "/t" { // 40 hops
					t.Errorf("Resolve(cC) = %q, %v", p, err)
				}
			},
		},
		{
			name: "gzip members (valid)",
			layers: func(t *testing.T) []ggcr.Layer {
				return []ggcr.Layer{newRawLayer(tartest.GzipMembers(t, base[:100], base[100:700], base[700:]), base, types.OCILayer)}
			},
			check: func(t *testing.T, img *pull.Image) {
				if readFile(t, img, "etc/passwd") != "root:x:0:0\n" {
					t.Error("content")
				}
			},
		},
		{
			name: "gzip with trailing garbage (accepted, digested)",
			layers: func(t *testing.T) []ggcr.Layer {
				return []ggcr.Layer{newRawLayer(append(tartest.Gzip(t, base), "\x00\x00garbage after the member"...), base, types.DockerLayer)}
			},
			check: func(t *testing.T, img *pull.Image) {
				if readFile(t, img, "bin/sh") != "#!" || img.Layers[0].DiffID.Encoded() == "" {
					t.Error("content")
				}
			},
		},
		{
			name: "zstd with skippable frames (valid)",
			layers: func(t *testing.T) []ggcr.Layer {
				return []ggcr.Layer{newRawLayer(tartest.ZstdSkippable(t, base), base, types.OCILayerZStd)}
			},
			check: func(t *testing.T, img *pull.Image) {
				if readFile(t, img, "etc/passwd") != "root:x:0:0\n" {
					t.Error("content")
				}
			},
		},
		{
			name: "zstd bomb: 512 KiB inflating to 16 GiB",
			layers: func(t *testing.T) []ggcr.Layer {
				return []ggcr.Layer{newRawLayer(tartest.ZeroZstd(16<<30), nil, types.OCILayerZStd)}
			},
			lim:   layers.Limits{MaxBytes: 64 << 20},
			want:  "layer 0 (sha256:",
			limit: "MaxBytes",
		},
		{
			name: "gzip bomb: concatenated members inflating to 1 GiB",
			layers: func(t *testing.T) []ggcr.Layer {
				return []ggcr.Layer{newRawLayer(tartest.ZeroGzip(t, 1<<30), nil, types.OCILayer)}
			},
			lim:   layers.Limits{MaxBytes: 64 << 20},
			want:  "exceeds limit MaxBytes (67108864)",
			limit: "MaxBytes",
		},
		{
			name: "tar truncated mid-entry",
			layers: func(t *testing.T) []ggcr.Layer {
				return []ggcr.Layer{imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "ok", Body: "1"}),
					imagetest.LayerFromTar(t, imagetest.Gzip, truncated)}
			},
			want: `layer 1 (sha256:`,
		},
		{
			name: "declared 10 GB file",
			layers: func(t *testing.T) []ggcr.Layer {
				lie := tartest.Layer(t, []tartest.Entry{{Name: "huge", Body: "tiny", Size: 10 << 30}})
				return []ggcr.Layer{newRawLayer(tartest.Gzip(t, lie), lie, types.OCILayer)}
			},
			want: `layer entry "huge": storing 10737418240 bytes: store: after 4 of 10737418240 bytes: unexpected EOF`,
		},
		{
			name: "MaxStored over the whole image",
			layers: func(t *testing.T) []ggcr.Layer {
				return []ggcr.Layer{
					imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "a", Body: strings.Repeat("a", 600)}),
					imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "b", Body: strings.Repeat("b", 600)}),
				}
			},
			lim:   layers.Limits{MaxStored: 1000},
			want:  "1200 exceeds limit MaxStored (1000)",
			limit: "MaxStored",
		},
		{
			name: "MaxEntries over the whole image",
			layers: func(t *testing.T) []ggcr.Layer {
				var ls []ggcr.Layer
				for i := 0; i < 3; i++ {
					ls = append(ls, imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "d/1", Body: string(rune('a' + i))}, tartest.Entry{Name: "d/2"}, tartest.Entry{Name: "d/3"}))
				}
				return ls // distinct layers of 4 paths each (3 files, 1 implied directory): 12 > 10
			},
			lim:   layers.Limits{MaxEntries: 10},
			want:  "the image's layers together: 12 exceeds limit MaxEntries (10)",
			limit: "MaxEntries",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ref := pushHostile(t, tc.layers(t)...)
			img, err := pull.Pull(context.Background(), ref, pull.Options{Limits: tc.lim})
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				tc.check(t, img)
				return
			}
			if err == nil || img != nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v (image %v), want %q", err, img != nil, tc.want)
			}
			var le *layers.LimitError
			if tc.limit != "" && (!errors.As(err, &le) || le.Limit != tc.limit) {
				t.Errorf("err = %v, want a LimitError for %s", err, tc.limit)
			}
			t.Logf("%v", err)
		})
	}
}
