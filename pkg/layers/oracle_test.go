package layers

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand/v2"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/regscope/regscope/internal/tartest"
	"github.com/regscope/regscope/pkg/manifest"
)

// The oracle test builds random multi-layer images and checks that the
// merged FS equals go-containerregistry's mutate.Extract entry for entry
// (path, type, mode, size, link, sha256 of content).
//
// The generator stays within the semantics both implementations share.
// Where they differ, by design:
//   - ggcr keeps the first entry for a path within a layer, we keep the
//     last (Docker's behaviour): no path appears twice in a layer.
//   - ggcr hides entries below a same-layer whiteout whatever their tar
//     order; we (like Docker) apply whiteouts in tar order: a layer never
//     whites out a path it also writes under.
//   - ggcr does not create missing parents; we do: every parent is an
//     explicit directory.
//   - ggcr lets a directory's lower children reappear when a non-directory
//     replaced it and a later directory replaces that; we do not: the
//     generator never puts a non-directory where a directory is.
//   - ggcr writes hardlinks as link headers naming the path the tar named
//     (size 0, content elsewhere, possibly deleted or replaced since); we
//     model a hardlink as one more name of its target's file, listed as a
//     link to the first remaining name or, once it is the last one, as a
//     regular file. For every path the generator wrote as a hardlink only
//     the content (against the generator) and the mode are compared; the
//     link structure is checked by TestApplyHardlinks.
//   - ggcr drops symlinks whose relative target escapes the root; targets
//     here never escape.

// oracleEntry is what both sides must agree on for one path.
type oracleEntry struct {
	Type string
	Mode string
	Size int64
	Link string
	Sum  string
}

func (o oracleEntry) String() string {
	return fmt.Sprintf("%s %s size=%d link=%q sum=%.12s", o.Type, o.Mode, o.Size, o.Link, o.Sum)
}

func sum(b []byte) string { s := sha256.Sum256(b); return fmt.Sprintf("%x", s) }

// genImage returns the layers of a random image and, for each hardlink path
// in the final image, the content it must have.
func genImage(rng *rand.Rand) (layers [][]tartest.Entry, hardBodies map[string]string) {
	state := map[string]byte{"/": tar.TypeDir} // merged view: path → tar type
	bodies := map[string]string{}              // merged view: regular file path → body
	hardBodies = map[string]string{}
	names := []string{"a", "b", "c", "d", "etc", "bin", "lib", "x.txt"}
	children := func(p string) []string { // p and every path below it
		var out []string
		for q := range state {
			if q == p || strings.HasPrefix(q, p+"/") || p == "/" {
				out = append(out, q)
			}
		}
		slices.Sort(out)
		return out
	}
	nLayers := 2 + rng.IntN(4)
	for l := 0; l < nLayers; l++ {
		var entries []tartest.Entry
		touched := map[string]bool{} // paths this layer writes, whiteouts or hides
		blocked := func(p string) bool {
			for q := range touched {
				if q == p || strings.HasPrefix(p, q+"/") || strings.HasPrefix(q, p+"/") || q == "/" || p == "/" {
					return true
				}
			}
			return false
		}
		var lower []string
		for p := range state {
			if p != "/" {
				lower = append(lower, p)
			}
		}
		slices.Sort(lower)
		// Whiteouts and opaque markers, on disjoint subtrees of lower paths.
		var deferred []tartest.Entry
		var lowerDirs []string
		for _, p := range lower {
			if state[p] == tar.TypeDir {
				lowerDirs = append(lowerDirs, p)
			}
		}
		for i := 0; i < rng.IntN(4) && l > 0 && len(lower) > 0; i++ {
			p := lower[rng.IntN(len(lower))]
			opaque := len(lowerDirs) > 0 && rng.IntN(2) == 0
			if opaque {
				p = lowerDirs[rng.IntN(len(lowerDirs))]
			}
			if blocked(p) || state[p] == 0 {
				continue
			}
			if opaque {
				// Opaque: hide p's lower contents; the layer may write into p.
				for _, q := range children(p) {
					if q != p {
						delete(state, q)
						delete(bodies, q)
					}
				}
				touched[p+"/\x00opq"] = true // blocks whiteouts under p, not writes
				deferred = append(deferred, tartest.Entry{Name: strings.TrimPrefix(p, "/") + "/.wh..wh..opq"})
				continue
			}
			for _, q := range children(p) {
				delete(state, q)
				delete(bodies, q)
			}
			touched[p] = true
			entries = append(entries, tartest.Entry{Name: path.Join(strings.TrimPrefix(path.Dir(p), "/"), ".wh."+path.Base(p))})
		}
		// Writes.
		written := map[string]bool{}
		var layerFiles []string
		for i := 0; i < 2+rng.IntN(10); i++ {
			var dirs []string
			for p, typ := range state {
				if typ == tar.TypeDir && !blockedWrite(touched, p) {
					dirs = append(dirs, p)
				}
			}
			slices.Sort(dirs)
			parent := dirs[rng.IntN(len(dirs))]
			p := path.Join(parent, names[rng.IntN(len(names))])
			if written[p] || blockedWrite(touched, p) {
				continue
			}
			name := strings.TrimPrefix(p, "/")
			e := tartest.Entry{Name: name, Mode: []int64{0o644, 0o755, 0o600, 0o4755, 0o2711, 0o1777}[rng.IntN(6)]}
			kind := rng.IntN(10)
			if state[p] == tar.TypeDir {
				kind = 0 // never a non-directory over a directory
			}
			switch {
			case kind < 3:
				e.Type = tar.TypeDir
				if state[p] != tar.TypeDir {
					delete(bodies, p)
				}
				state[p] = tar.TypeDir
			case kind < 7:
				e.Body = strings.Repeat(fmt.Sprintf("%d-%s;", l, name), rng.IntN(20))
				state[p], bodies[p] = tar.TypeReg, e.Body
				layerFiles = append(layerFiles, p)
			case kind < 9:
				e.Type = tar.TypeSymlink
				e.Link = []string{"/etc/x.txt", "x.txt", "../a", "/", "b/c"}[rng.IntN(5)]
				if strings.HasPrefix(e.Link, "..") && parent == "/" {
					e.Link = "a"
				}
				state[p] = tar.TypeSymlink
				delete(bodies, p)
			default:
				if len(layerFiles) == 0 {
					continue
				}
				t := layerFiles[rng.IntN(len(layerFiles))]
				if t == p {
					continue
				}
				e.Type, e.Link = tar.TypeLink, strings.TrimPrefix(t, "/")
				state[p] = tar.TypeLink
				hardBodies[p] = bodies[t]
				delete(bodies, p)
			}
			written[p] = true
			entries = append(entries, e)
		}
		// Opaque markers go anywhere in the layer.
		for _, o := range deferred {
			i := rng.IntN(len(entries) + 1)
			entries = slices.Insert(entries, i, o)
		}
		layers = append(layers, entries)
	}
	// Hardlinks whose path a later layer replaced or deleted are not hardlinks any more.
	for p := range hardBodies {
		if state[p] != tar.TypeLink {
			delete(hardBodies, p)
		}
	}
	return layers, hardBodies
}

// blockedWrite reports whether p is whited out by this layer (or under a
// whiteout): writing there would differ between ggcr and us.
func blockedWrite(touched map[string]bool, p string) bool {
	for q := range touched {
		if strings.HasSuffix(q, "/\x00opq") {
			continue
		}
		if q == p || strings.HasPrefix(p, q+"/") {
			return true
		}
	}
	return false
}

// ggcrEntries runs mutate.Extract over the layers and indexes its output.
func ggcrEntries(t *testing.T, tars [][]byte) map[string]oracleEntry {
	t.Helper()
	img := empty.Image
	for _, b := range tars {
		var err error
		img, err = mutate.AppendLayers(img, static.NewLayer(b, types.OCIUncompressedLayer))
		if err != nil {
			t.Fatal(err)
		}
	}
	rc := mutate.Extract(img)
	defer rc.Close()
	out := map[string]oracleEntry{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("mutate.Extract: %v", err)
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		e := &Entry{}
		typ := map[byte]Type{tar.TypeReg: TypeFile, tar.TypeDir: TypeDir, tar.TypeSymlink: TypeSymlink, tar.TypeLink: TypeHardlink}[h.Typeflag]
		e.Mode = tarMode(h.Mode) | typ.modeType()
		o := oracleEntry{Type: typ.String(), Mode: e.Mode.String(), Size: h.Size, Link: h.Linkname}
		switch typ {
		case TypeFile:
			o.Sum = sum(body)
		case TypeHardlink:
			o.Link, o.Size = "", -1
		}
		out[cleanPath(h.Name)] = o
	}
	return out
}

func TestOracleMutateExtract(t *testing.T) {
	for seed := uint64(1); seed <= oracleImages; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 42))
			layers, hardBodies := genImage(rng)
			var tars [][]byte
			f := NewFS()
			for i, l := range layers {
				b := tartest.Layer(t, l)
				tars = append(tars, b)
				var body []byte
				mt := manifest.MediaTypeOCILayer
				switch i % 3 {
				case 0:
					body, mt = tartest.Gzip(t, b), manifest.MediaTypeDockerLayer
				case 1:
					body, mt = tartest.Zstd(t, b), manifest.MediaTypeOCILayerZstd
				default:
					body = b
				}
				cs, _, err := Read(bytes.NewReader(body), mt, nil, Limits{})
				if err != nil {
					t.Fatalf("layer %d: %v", i, err)
				}
				if _, err := f.Apply(i, cs); err != nil {
					t.Fatalf("layer %d: %v", i, err)
				}
			}
			want := ggcrEntries(t, tars)
			got := map[string]oracleEntry{}
			err := f.Walk(func(e *Entry) error {
				o := oracleEntry{Type: e.Type.String(), Mode: e.Mode.String(), Size: e.Size, Link: e.Link}
				if e.Type == TypeFile || e.Type == TypeHardlink {
					b := make([]byte, e.Size)
					if _, err := e.Content.ReadAt(b, 0); err != nil && err != io.EOF {
						return err
					}
					o.Sum = sum(b)
				}
				if body, ok := hardBodies[e.Path]; ok {
					if o.Sum != sum([]byte(body)) {
						t.Errorf("%s: hardlink content %q, want %q", e.Path, o.Sum, body)
					}
					o = oracleEntry{Type: "hardlink", Mode: e.Mode.String(), Size: -1}
				}
				got[e.Path] = o
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for p, w := range want {
				if g, ok := got[p]; !ok {
					t.Errorf("%s: missing, ggcr has %v", p, w)
				} else if g != w {
					t.Errorf("%s:\n got  %v\n ggcr %v", p, g, w)
				}
			}
			for p, g := range got {
				if _, ok := want[p]; !ok {
					t.Errorf("%s: extra %v (not in ggcr's output)", p, g)
				}
			}
			if t.Failed() {
				for i, l := range layers {
					var names []string
					for _, e := range l {
						names = append(names, fmt.Sprintf("%s(%c)", e.Name, max(e.Type, '0')))
					}
					t.Logf("layer %d: %s", i, strings.Join(names, " "))
				}
			}
		})
	}
}
