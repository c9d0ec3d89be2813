//go:build !js

// These tests stream gigabytes: they run natively (the js/wasm build runs the
// same Read, at a tenth of the speed, in the page's tests).

package layers

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/regscope/regscope/internal/tartest"
	"github.com/regscope/regscope/pkg/manifest"
)

// zeros reads as endless zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// bigFileLayer streams an uncompressed layer holding one file of size zero
// bytes, generated as it is read, so the test holds none of it.
func bigFileLayer(name string, size int64) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		tw := tar.NewWriter(pw)
		err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: size, Typeflag: tar.TypeReg, ModTime: tartest.Epoch()})
		if err == nil {
			_, err = io.CopyN(tw, zeros{}, size)
		}
		if err == nil {
			err = tw.Close()
		}
		pw.CloseWithError(err)
	}()
	return pr
}

// A file bigger than anything the default limits used to allow (3 GiB) is
// listed with the default limits when its content is not kept, in memory
// that does not grow with it.
func TestDefaultLimitsListABigFile(t *testing.T) {
	const size = 3<<30 + 1<<20
	var cs *ChangeSet
	var st Stats
	var err error
	n := allocated(func() {
		cs, st, err = Read(bigFileLayer("weights.bin", size), manifest.MediaTypeOCILayer, DiscardStore(), Limits{})
	})
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if len(cs.Entries) != 1 || cs.Entries[0].Path != "/weights.bin" || cs.Entries[0].Size != size || cs.Entries[0].Content.Size() != size {
		t.Fatalf("entries = %+v", cs.Entries)
	}
	if st.Size < size || st.Stored != size {
		t.Errorf("stats = %+v", st)
	}
	if n > 64<<20 {
		t.Errorf("reading a %d-byte file allocated %d bytes", int64(size), n)
	}
}

// With the default limits a zstd bomb stops at the ratio bound: after
// RatioFloor plus MaxRatio times its compressed size, long before MaxBytes.
func TestDefaultLimitsStopABombByRatio(t *testing.T) {
	bomb := tartest.ZeroZstd(4 << 30) // 128 KiB decoding to 4 GiB
	_, st, err := Read(bytes.NewReader(bomb), manifest.MediaTypeOCILayerZstd, nil, Limits{})
	var le *LimitError
	if !errors.As(err, &le) || le.Limit != "MaxRatio" || le.Max != 4096 || le.Path != "(after end of archive)" || le.Value <= 4096 {
		t.Fatalf("err = %v, want MaxRatio (4096) after the end of the archive", err)
	}
	if st.DiffID != "" {
		t.Errorf("a refused layer has a DiffID: %+v", st)
	}
	// The same ratio far beyond real data, but under RatioFloor, is fine.
	small := tartest.ZeroZstd(64 << 20)
	if _, _, err := Read(bytes.NewReader(small), manifest.MediaTypeOCILayerZstd, nil, Limits{}); err != nil {
		t.Errorf("64 MiB of zeros in %d bytes: %v", len(small), err)
	}
}
