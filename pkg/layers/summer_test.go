package layers

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"hash"
	"io"
	"testing"

	"github.com/opencontainers/go-digest"

	"github.com/regscope/regscope/internal/tartest"
	"github.com/regscope/regscope/pkg/manifest"
)

// summingGunzip wraps a Codec.Gunzip so that its reader is a Summer: it
// hashes what it returns, as the browser's codec workers hash what they
// inflate. A Sum before io.EOF is recorded in early.
func summingGunzip(gunzip func(io.Reader) (io.ReadCloser, error), early *bool) func(io.Reader) (io.ReadCloser, error) {
	return func(r io.Reader) (io.ReadCloser, error) {
		rc, err := gunzip(r)
		if err != nil {
			return nil, err
		}
		return &summing{ReadCloser: rc, h: sha256.New(), early: early}, nil
	}
}

type summing struct {
	io.ReadCloser
	h     hash.Hash
	eof   bool
	early *bool
}

func (s *summing) Read(p []byte) (int, error) {
	n, err := s.ReadCloser.Read(p)
	s.h.Write(p[:n])
	if err == io.EOF {
		s.eof = true
	}
	return n, err
}

func (s *summing) Sum(b []byte) []byte {
	if !s.eof {
		*s.early = true
	}
	return s.h.Sum(b)
}

// A gzip layer whose inflater is a Summer takes its DiffID from it: the
// same as hashing in Go, over every byte (the padding after the tar's
// end-of-archive marker, which the tar reader stops before, included), and
// the Codec's SHA-256 hashes none of it. Zstd and plain tar layers are still
// hashed with the Codec's SHA-256.
func TestCodecReadSummer(t *testing.T) {
	tarb := tartest.Layer(t, []tartest.Entry{{Name: "a", Body: "hello"}, {Name: "dir/", Type: '5'}})
	tarb = append(tarb, make([]byte, 4096)...) // more zeros after the end of the archive
	want, wantSt, err := Read(bytes.NewReader(tartest.Gzip(t, tarb)), manifest.MediaTypeDockerLayer, nil, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if wantSt.DiffID != digest.FromBytes(tarb) {
		t.Fatalf("Go's DiffID %s, want %s", wantSt.DiffID, digest.FromBytes(tarb))
	}
	for _, tc := range []struct {
		name      string
		body      []byte
		mediaType string
		hashed    int64 // bytes the Codec's SHA-256 hashes
	}{
		{"gzip", tartest.Gzip(t, tarb), manifest.MediaTypeDockerLayer, 0},
		{"zstd", tartest.Zstd(t, tarb), manifest.MediaTypeOCILayerZstd, int64(len(tarb))},
		{"tar", tarb, manifest.MediaTypeOCILayer, int64(len(tarb))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var h countingSHA256
			var early bool
			c := Codec{SHA256: h.New, Gunzip: summingGunzip(browserGunzip, &early)}
			cs, st, err := c.Read(bytes.NewReader(tc.body), tc.mediaType, nil, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if st.DiffID != wantSt.DiffID || st.Size != int64(len(tarb)) || st.Entries != wantSt.Entries || len(cs.Entries) != len(want.Entries) {
				t.Errorf("stats %+v, want DiffID %s, Size %d, Entries %d", st, wantSt.DiffID, len(tarb), wantSt.Entries)
			}
			if h.bytes != tc.hashed {
				t.Errorf("the Codec's SHA-256 hashed %d bytes, want %d", h.bytes, tc.hashed)
			}
			if early {
				t.Error("Sum was used before the stream's io.EOF")
			}
		})
	}
}

// With a Summer, the bytes are still counted and bounded in Go: MaxBytes
// fails as it does without one, with the same error (MaxRatio is checked in
// the same place), and a layer at exactly the limit passes.
func TestCodecReadSummerLimits(t *testing.T) {
	tarb := tartest.Layer(t, []tartest.Entry{{Name: "a", Body: string(make([]byte, 64<<10))}})
	gz := tartest.Gzip(t, tarb)
	var early bool
	c := Codec{Gunzip: summingGunzip(browserGunzip, &early)}
	lim := Limits{MaxBytes: int64(len(tarb)) - 1}
	_, _, goErr := Codec{}.Read(bytes.NewReader(gz), manifest.MediaTypeDockerLayer, nil, lim)
	_, _, err := c.Read(bytes.NewReader(gz), manifest.MediaTypeDockerLayer, nil, lim)
	var le *LimitError
	if goErr == nil || !errors.As(err, &le) || err.Error() != goErr.Error() {
		t.Errorf("MaxBytes %d: err = %v, want Go's %v", lim.MaxBytes, err, goErr)
	}
	lim.MaxBytes++
	if _, st, err := c.Read(bytes.NewReader(gz), manifest.MediaTypeDockerLayer, nil, lim); err != nil || st.DiffID != digest.FromBytes(tarb) {
		t.Errorf("MaxBytes %d: DiffID %s, err %v; want %s", lim.MaxBytes, st.DiffID, err, digest.FromBytes(tarb))
	}
}
