package layers

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"errors"
	"hash"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/opencontainers/go-digest"

	"github.com/regscope/regscope/internal/tartest"
	"github.com/regscope/regscope/pkg/manifest"
)

// browserGunzip inflates as the browser's DecompressionStream("gzip")
// does, reporting what it cannot decode as the Codec contract asks.
var browserGunzip = tartest.OneMemberGunzip(ErrGunzipFallback)

// firstMemberGunzip breaks the Codec contract: it inflates the first gzip
// member and ends there without an error, whatever follows.
func firstMemberGunzip(r io.Reader) (io.ReadCloser, error) {
	z, err := gzip.NewReader(r)
	if err != nil {
		return nil, err
	}
	z.Multistream(false)
	return z, nil
}

// countingSHA256 counts the hashes it makes and the bytes written to them.
type countingSHA256 struct {
	mu            sync.Mutex
	hashes, bytes int64
}

func (c *countingSHA256) New() hash.Hash {
	c.mu.Lock()
	c.hashes++
	c.mu.Unlock()
	return &counted{sha256.New(), c}
}

type counted struct {
	hash.Hash
	c *countingSHA256
}

func (h *counted) Write(p []byte) (int, error) {
	h.c.mu.Lock()
	h.c.bytes += int64(len(p))
	h.c.mu.Unlock()
	return h.Hash.Write(p)
}

// codecLayer is a tar of a 3000-byte file and a small one, and the offset of
// the second file's header: a gzip member boundary there comes after the
// first file was stored.
func codecLayer(t *testing.T) (tarb []byte, split int) {
	tarb = tartest.Layer(t, []tartest.Entry{{Name: "a", Body: strings.Repeat("a", 3000)}, {Name: "b", Body: "hello"}})
	return tarb, 512 + 3072 + 100
}

func TestCodecRead(t *testing.T) {
	tarb, split := codecLayer(t)
	gz := tartest.Gzip(t, tarb)
	sum := digest.FromBytes(tarb)
	for _, tc := range []struct {
		name      string
		body      []byte
		mediaType string
		gunzip    func(io.Reader) (io.ReadCloser, error)
		want      string // the error; "" for success
		trailing  int64
	}{
		{"one gzip member", gz, manifest.MediaTypeDockerLayer, browserGunzip, "", 0},
		{"zstd: the codec's SHA-256, Go's zstd", tartest.Zstd(t, tarb), manifest.MediaTypeOCILayerZstd, browserGunzip, "", 0},
		{"plain tar", tarb, manifest.MediaTypeOCILayer, browserGunzip, "", 0},
		{"two gzip members: the codec falls back", tartest.GzipMembers(t, tarb[:split], tarb[split:]), manifest.MediaTypeDockerLayer, browserGunzip,
			"reading tar (after 1 entries): gzip stream needs Go's inflater: junk found after end of compressed data", 0},
		{"trailing garbage: the codec falls back", append(append([]byte{}, gz...), "garbage!"...), manifest.MediaTypeDockerLayer, browserGunzip,
			"reading tar (after 2 entries): gzip stream needs Go's inflater: junk found after end of compressed data", 0},
		{"a codec ending after the first member is caught", tartest.GzipMembers(t, tarb, make([]byte, 1024)), manifest.MediaTypeDockerLayer, firstMemberGunzip,
			"reading after last gzip member: gzip stream needs Go's inflater: another gzip member follows where the inflater stopped", 0},
		{"a codec ignoring trailing garbage: counted as Go's", append(append([]byte{}, gz...), "garbage!"...), manifest.MediaTypeDockerLayer, firstMemberGunzip, "", 8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := &countingSHA256{}
			r := &eofReader{r: bytes.NewReader(tc.body)}
			cs, st, err := Codec{SHA256: h.New, Gunzip: tc.gunzip}.Read(r, tc.mediaType, MemStore(), Limits{})
			if tc.want != "" {
				if err == nil || err.Error() != tc.want || !errors.Is(err, ErrGunzipFallback) {
					t.Fatalf("err = %v, want %q wrapping ErrGunzipFallback", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if st.DiffID != sum || st.Size != int64(len(tarb)) || st.Trailing != tc.trailing || len(cs.Entries) != 2 {
				t.Errorf("stats %+v, %d entries; want DiffID %s, size %d, trailing %d, 2 entries", st, len(cs.Entries), sum, len(tarb), tc.trailing)
			}
			if h.hashes != 1 || h.bytes != int64(len(tarb)) {
				t.Errorf("the codec's SHA-256: %d hashes over %d bytes, want 1 over %d", h.hashes, h.bytes, len(tarb))
			}
			if !r.sawEOF {
				t.Error("compressed stream not drained to io.EOF")
			}
		})
	}
}

// releasing is a MemStore that records what it is given back.
type releasing struct {
	Store
	released int64
}

func (s *releasing) Release(c Content) { s.released += c.Size() }

// A Read that fails gives back what it stored: read again under the same
// LimitStore, the layer fits a budget it could not fit twice.
func TestReadReleasesOnFailure(t *testing.T) {
	tarb, split := codecLayer(t)
	body := tartest.GzipMembers(t, tarb[:split], tarb[split:])
	inner := &releasing{Store: MemStore()}
	store := LimitStore(inner, 3005)
	_, _, err := Codec{Gunzip: browserGunzip}.Read(bytes.NewReader(body), manifest.MediaTypeDockerLayer, store, Limits{})
	if !errors.Is(err, ErrGunzipFallback) {
		t.Fatalf("err = %v, want ErrGunzipFallback", err)
	}
	if inner.released != 3000 {
		t.Errorf("released %d bytes to the store below, want 3000", inner.released)
	}
	cs, st, err := Read(bytes.NewReader(body), manifest.MediaTypeDockerLayer, store, Limits{})
	if err != nil {
		t.Fatalf("Read again with Go's inflater: %v", err)
	}
	if st.Stored != 3005 || len(cs.Entries) != 2 {
		t.Errorf("stored %d in %d entries, want 3005 in 2", st.Stored, len(cs.Entries))
	}
	// The budget is spent now: a third Read does not fit.
	_, _, err = Read(bytes.NewReader(body), manifest.MediaTypeDockerLayer, store, Limits{})
	if want := `layer entry "a": 6005 exceeds limit MaxStored (3005)`; err == nil || err.Error() != want {
		t.Errorf("third Read: %v, want %q", err, want)
	}
}
