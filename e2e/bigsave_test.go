//go:build !js

package e2e

import (
	"archive/tar"
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/regscope/regscope/internal/tartest"
)

// bigChunk is the unit of generated content: one buffer of pseudo-random
// text written again and again, each time stamped with its position.
const bigChunk = 64 << 20

// bigHead begins the big file; the viewer must show it.
const bigHead = "regscope big file: pseudo-random text, one line of 64 bytes after another\n"

// bigSave describes a generated docker save tarball: its layers' file
// sizes (one file per layer) and where it was written.
type bigSave struct {
	path  string
	files []int64 // layer i holds bigSaveName(i) of files[i] bytes
	total int64   // the tarball's size
}

// bigSaveName is the file of layer i: /big.bin first, then /data/N.bin.
func bigSaveName(i int) string {
	if i == 0 {
		return "big.bin"
	}
	return "data/" + strconv.Itoa(i) + ".bin"
}

// writeBigSave writes a docker save tarball (the legacy layout `docker save`
// writes: LAYER/layer.tar uncompressed, HEX.json, manifest.json, tagged
// bench/bigpage:1) to path with one layer per entry of files. Content is
// text from a PCG, so no layer compresses to nothing, yet it costs little
// to make: one buffer, each copy stamped with its offset every 4 KiB.
func writeBigSave(b *testing.B, path string, files []int64) bigSave {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 4<<20)
	tw := tar.NewWriter(bw)
	chunk := randomText()
	var diffIDs, names []string
	for i, size := range files {
		name := fmt.Sprintf("layer%d/layer.tar", i)
		// One 512-byte header (ustar: size < 8 GiB), the padded body, two zero blocks.
		layerSize := 512 + (size+511)/512*512 + 1024
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: layerSize, ModTime: tartest.Epoch(), Format: tar.FormatUSTAR}); err != nil {
			b.Fatal(err)
		}
		h := sha256.New()
		writeLayer(b, io.MultiWriter(tw, h), bigSaveName(i), size, chunk)
		diffIDs, names = append(diffIDs, "sha256:"+hex.EncodeToString(h.Sum(nil))), append(names, name)
	}
	cfg, _ := json.Marshal(map[string]any{"architecture": "amd64", "os": "linux", "config": map[string]any{},
		"rootfs": map[string]any{"type": "layers", "diff_ids": diffIDs}})
	sum := sha256.Sum256(cfg)
	cfgName := hex.EncodeToString(sum[:]) + ".json"
	man, _ := json.Marshal([]map[string]any{{"Config": cfgName, "RepoTags": []string{"bench/bigpage:1"}, "Layers": names}})
	for _, m := range []struct {
		name string
		body []byte
	}{{cfgName, cfg}, {"manifest.json", man}} {
		if err := tw.WriteHeader(&tar.Header{Name: m.name, Mode: 0o644, Size: int64(len(m.body)), ModTime: tartest.Epoch()}); err != nil {
			b.Fatal(err)
		}
		if _, err := tw.Write(m.body); err != nil {
			b.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		b.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		b.Fatal(err)
	}
	st, err := f.Stat()
	if err != nil {
		b.Fatal(err)
	}
	return bigSave{path: path, files: files, total: st.Size()}
}

// writeLayer writes to w a layer tar holding one file, name, of size bytes.
func writeLayer(b *testing.B, w io.Writer, name string, size int64, chunk []byte) {
	lw := tar.NewWriter(w)
	if err := lw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: size, ModTime: tartest.Epoch(), Format: tar.FormatUSTAR}); err != nil {
		b.Fatal(err)
	}
	for off := int64(0); off < size; off += bigChunk {
		stamp(chunk, off)
		if off == 0 {
			copy(chunk, bigHead)
		}
		if _, err := lw.Write(chunk[:min(bigChunk, size-off)]); err != nil {
			b.Fatal(err)
		}
	}
	if err := lw.Close(); err != nil {
		b.Fatal(err)
	}
}

// randomText is bigChunk bytes of lines of 63 random letters and a newline.
func randomText() []byte {
	r := rand.New(rand.NewPCG(1, 2))
	p := make([]byte, bigChunk)
	for i := range p {
		if i%64 == 63 {
			p[i] = '\n'
		} else {
			p[i] = 'a' + byte(r.Uint32N(26))
		}
	}
	return p
}

// stamp writes off+i as 16 hex digits at the start of every 4 KiB of chunk,
// so no two chunks of the image are equal.
func stamp(chunk []byte, off int64) {
	for i := 0; i < len(chunk); i += 4096 {
		strconv.AppendInt(chunk[i:i:i+16], off+int64(i)+(1<<60), 16)
	}
}
