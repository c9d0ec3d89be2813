package layers

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/opencontainers/go-digest"

	"github.com/regscope/regscope/internal/tartest"
	"github.com/regscope/regscope/pkg/manifest"
)

func TestReadEntries(t *testing.T) {
	long := strings.Repeat("long/", 40) + "name.txt" // > 100 bytes: needs PAX or GNU
	mt := time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)
	for _, tc := range []struct {
		name string
		in   tartest.Entry
		want Entry
	}{
		{"file", tartest.Entry{Name: "etc/x", Body: "hi", UID: 7, GID: 8, Uname: "u", Gname: "g", ModTime: mt},
			Entry{Path: "/etc/x", Type: TypeFile, Mode: 0o644, Size: 2, UID: 7, GID: 8, Uname: "u", Gname: "g", ModTime: mt}},
		{"dir with trailing slash", tartest.Entry{Name: "./usr/", Type: tar.TypeDir},
			Entry{Path: "/usr", Type: TypeDir, Mode: fs.ModeDir | 0o755}},
		{"setuid", tartest.Entry{Name: "bin/su", Mode: 0o4755},
			Entry{Path: "/bin/su", Type: TypeFile, Mode: fs.ModeSetuid | 0o755}},
		{"setgid", tartest.Entry{Name: "bin/wall", Mode: 0o2755},
			Entry{Path: "/bin/wall", Type: TypeFile, Mode: fs.ModeSetgid | 0o755}},
		{"sticky dir", tartest.Entry{Name: "tmp", Type: tar.TypeDir, Mode: 0o1777},
			Entry{Path: "/tmp", Type: TypeDir, Mode: fs.ModeDir | fs.ModeSticky | 0o777}},
		{"symlink keeps target as written", tartest.Entry{Name: "a", Type: tar.TypeSymlink, Link: "../b/./c", Mode: 0o777},
			Entry{Path: "/a", Type: TypeSymlink, Mode: fs.ModeSymlink | 0o777, Link: "../b/./c"}},
		{"hardlink target cleaned", tartest.Entry{Name: "a", Type: tar.TypeLink, Link: "./x/../b"},
			Entry{Path: "/a", Type: TypeHardlink, Mode: 0o644, Link: "/b"}},
		{"char device", tartest.Entry{Name: "dev/null", Type: tar.TypeChar, Mode: 0o666, Devmajor: 1, Devminor: 3},
			Entry{Path: "/dev/null", Type: TypeChar, Mode: fs.ModeDevice | fs.ModeCharDevice | 0o666, Devmajor: 1, Devminor: 3}},
		{"block device", tartest.Entry{Name: "dev/sda", Type: tar.TypeBlock, Mode: 0o660, Devmajor: 8},
			Entry{Path: "/dev/sda", Type: TypeBlock, Mode: fs.ModeDevice | 0o660, Devmajor: 8}},
		{"fifo", tartest.Entry{Name: "run/p", Type: tar.TypeFifo, Mode: 0o600},
			Entry{Path: "/run/p", Type: TypeFIFO, Mode: fs.ModeNamedPipe | 0o600}},
		{"pax long name", tartest.Entry{Name: long, Format: tar.FormatPAX},
			Entry{Path: "/" + long, Type: TypeFile, Mode: 0o644}},
		{"gnu long name and link", tartest.Entry{Name: long + "2", Type: tar.TypeSymlink, Link: long, Format: tar.FormatGNU},
			Entry{Path: "/" + long + "2", Type: TypeSymlink, Mode: fs.ModeSymlink | 0o644, Link: long}},
		{"absolute", tartest.Entry{Name: "/etc/abs"}, Entry{Path: "/etc/abs", Type: TypeFile, Mode: 0o644}},
		{"traversal", tartest.Entry{Name: "../../../etc/passwd"}, Entry{Path: "/etc/passwd", Type: TypeFile, Mode: 0o644}},
		{"whiteout", tartest.Entry{Name: "etc/.wh.motd"}, Entry{Path: "/etc/motd", Type: TypeWhiteout}},
		{"whiteout at root", tartest.Entry{Name: "./.wh.opt"}, Entry{Path: "/opt", Type: TypeWhiteout}},
		{"opaque", tartest.Entry{Name: "var/lib/.wh..wh..opq"}, Entry{Path: "/var/lib", Type: TypeOpaque}},
		{"opaque at root", tartest.Entry{Name: ".wh..wh..opq"}, Entry{Path: "/", Type: TypeOpaque}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs := readLayer(t, []tartest.Entry{tc.in})
			if len(cs.Entries) != 1 {
				t.Fatalf("%d entries, want 1", len(cs.Entries))
			}
			got := *cs.Entries[0]
			got.Content = nil
			if tc.want.ModTime.IsZero() {
				tc.want.ModTime = tartest.Epoch()
			}
			if !got.ModTime.Equal(tc.want.ModTime) {
				t.Errorf("ModTime = %v, want %v", got.ModTime, tc.want.ModTime)
			}
			got.ModTime = tc.want.ModTime
			if got != tc.want {
				t.Errorf("entry:\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestReadSkipsAndRejects(t *testing.T) {
	cs := readLayer(t, []tartest.Entry{
		{Name: ".wh..wh.aufs"}, {Name: ".wh..wh.plnk/", Type: tar.TypeDir}, {Name: ".wh..wh.plnk/1.2", Body: "x"},
		{Name: "a/.wh..wh.orph"}, {Name: "keep"},
	})
	if len(cs.Entries) != 1 || cs.Entries[0].Path != "/keep" {
		t.Errorf("entries = %v, want only /keep", cs.Entries)
	}
	for _, tc := range []struct {
		name string
		in   tartest.Entry
		want string
	}{
		{"whiteout of dotdot", tartest.Entry{Name: "a/.wh..."}, `layer entry "a/.wh...": invalid whiteout name`},
		{"empty whiteout", tartest.Entry{Name: "a/.wh."}, `layer entry "a/.wh.": invalid whiteout name`},
		{"file as root", tartest.Entry{Name: "a/../.."}, `cannot replace the root`},
		{"unknown type", tartest.Entry{Name: "vol", Type: 'V'}, `layer entry "vol": unsupported tar entry type 'V'`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := tartest.Build([]tartest.Entry{tc.in})
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = Read(bytes.NewReader(b), manifest.MediaTypeOCILayer, nil, Limits{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// eofReader records whether its reader was read to io.EOF, and can return
// an error instead of io.EOF like a verifying blob reader does.
type eofReader struct {
	r      io.Reader
	sawEOF bool
	atEOF  error
}

func (e *eofReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err == io.EOF {
		e.sawEOF = true
		if e.atEOF != nil {
			return n, e.atEOF
		}
	}
	return n, err
}

func TestReadCompressions(t *testing.T) {
	tarb := tartest.Layer(t, []tartest.Entry{{Name: "etc/", Type: tar.TypeDir}, {Name: "etc/x", Body: "hello"}})
	// Extra zero blocks after the end-of-archive marker belong to the DiffID.
	padded := append(append([]byte{}, tarb...), make([]byte, 4096)...)
	gz := tartest.Gzip(t, tarb)
	zs := tartest.Zstd(t, tarb)
	// Two gzip members: the tar split anywhere is still one stream.
	gz2 := append(tartest.Gzip(t, tarb[:700]), tartest.Gzip(t, tarb[700:])...)
	// A zstd skippable frame before the data frame, and the tar in two frames.
	skip := []byte{0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 'a', 'b', 'c'}
	zs2 := append(append(append([]byte{}, skip...), tartest.Zstd(t, tarb[:600])...), tartest.Zstd(t, tarb[600:])...)
	gzTrail := append(append([]byte{}, gz...), "garbage!"...)
	sum := func(b []byte) digest.Digest { return digest.FromBytes(b) }
	for _, tc := range []struct {
		name      string
		body      []byte
		mediaType string
		diffID    digest.Digest
		trailing  int64
	}{
		{"docker gzip", gz, manifest.MediaTypeDockerLayer, sum(tarb), 0},
		{"oci gzip", gz, manifest.MediaTypeOCILayerGzip, sum(tarb), 0},
		{"oci zstd", zs, manifest.MediaTypeOCILayerZstd, sum(tarb), 0},
		{"oci tar", tarb, manifest.MediaTypeOCILayer, sum(tarb), 0},
		{"oci tar padded", padded, manifest.MediaTypeOCILayer, sum(padded), 0},
		{"docker tar", tarb, manifest.MediaTypeDockerLayerTar, sum(tarb), 0},
		{"nondistributable gzip", gz, manifest.MediaTypeOCILayerNonDistGzip, sum(tarb), 0},
		{"nondistributable zstd", zs, manifest.MediaTypeOCILayerNonDistZstd, sum(tarb), 0},
		{"nondistributable tar", tarb, manifest.MediaTypeOCILayerNonDist, sum(tarb), 0},
		{"foreign", gz, manifest.MediaTypeDockerForeignLayer, sum(tarb), 0},
		{"bytes win: gzip labelled tar", gz, manifest.MediaTypeOCILayer, sum(tarb), 0},
		{"bytes win: zstd labelled gzip", zs, manifest.MediaTypeDockerLayer, sum(tarb), 0},
		{"bytes win: tar labelled zstd", tarb, manifest.MediaTypeOCILayerZstd, sum(tarb), 0},
		{"unknown media type, gzip bytes", gz, "application/octet-stream", sum(tarb), 0},
		{"unknown media type, tar bytes", tarb, "", sum(tarb), 0},
		{"gzip members", gz2, manifest.MediaTypeDockerLayer, sum(tarb), 0},
		{"zstd frames and skippable frame", zs2, manifest.MediaTypeOCILayerZstd, sum(tarb), 0},
		{"gzip trailing garbage", gzTrail, manifest.MediaTypeDockerLayer, sum(tarb), 8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &eofReader{r: bytes.NewReader(tc.body)}
			cs, st, err := Read(r, tc.mediaType, MemStore(), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if st.DiffID != tc.diffID {
				t.Errorf("DiffID = %s, want %s", st.DiffID, tc.diffID)
			}
			wantSize := int64(len(tarb))
			if tc.name == "oci tar padded" {
				wantSize = int64(len(padded))
			}
			if st.Size != wantSize || st.Entries != 2 || st.Trailing != tc.trailing {
				t.Errorf("stats = %+v, want size %d, 2 entries, trailing %d", st, wantSize, tc.trailing)
			}
			if !r.sawEOF {
				t.Error("compressed stream not drained to io.EOF")
			}
			if len(cs.Entries) != 2 {
				t.Fatalf("entries = %d", len(cs.Entries))
			}
			b := make([]byte, 5)
			if _, err := cs.Entries[1].Content.ReadAt(b, 0); err != nil || string(b) != "hello" {
				t.Errorf("content = %q, %v", b, err)
			}
		})
	}
}

func TestReadDrainsAndReportsVerifierError(t *testing.T) {
	tarb := tartest.Layer(t, []tartest.Entry{{Name: "x", Body: "1"}})
	verr := errors.New("blob sha256:abc: digest mismatch")
	for _, body := range [][]byte{tarb, tartest.Gzip(t, tarb), tartest.Zstd(t, tarb)} {
		r := &eofReader{r: bytes.NewReader(body), atEOF: verr}
		_, _, err := Read(r, "", nil, Limits{})
		if !errors.Is(err, verr) {
			t.Errorf("Read(%x…) err = %v, want the verifier's error", body[:4], err)
		}
	}
}

func TestDecompressErrors(t *testing.T) {
	junk := bytes.Repeat([]byte("not a layer "), 100)
	_, err := Decompress(bytes.NewReader(junk), "application/vnd.example.layer+lz4")
	if !errors.Is(err, ErrUnknownMediaType) || !strings.Contains(err.Error(), `"application/vnd.example.layer+lz4"`) {
		t.Errorf("unknown media type: err = %v", err)
	}
	_, err = Decompress(bytes.NewReader(junk), manifest.MediaTypeDockerLayer)
	if err == nil || !strings.Contains(err.Error(), manifest.MediaTypeDockerLayer) || !strings.Contains(err.Error(), "declares gzip") {
		t.Errorf("junk labelled gzip: err = %v", err)
	}
	gz := tartest.Gzip(t, junk)
	_, _, err = Read(bytes.NewReader(gz[:len(gz)-10]), manifest.MediaTypeDockerLayer, nil, Limits{})
	if err == nil {
		t.Error("truncated gzip: no error")
	}
	// zstd is strict about what follows its frames.
	zs := append(tartest.Zstd(t, tartest.Layer(t, []tartest.Entry{{Name: "a"}})), "junk"...)
	if _, _, err = Read(bytes.NewReader(zs), manifest.MediaTypeOCILayerZstd, nil, Limits{}); err == nil {
		t.Error("zstd trailing junk: no error")
	}
}

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		in   []byte
		want Compression
	}{
		{[]byte{0x1f, 0x8b, 8}, Gzip},
		{[]byte{0x28, 0xb5, 0x2f, 0xfd}, Zstd},
		{[]byte{0x5e, 0x2a, 0x4d, 0x18}, Zstd},
		{[]byte{0x60, 0x2a, 0x4d, 0x18}, None},
		{[]byte("ustar"), None},
		{nil, None},
		{[]byte{0x1f}, None},
	} {
		if got := Detect(tc.in); got != tc.want {
			t.Errorf("Detect(%x) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestLimits(t *testing.T) {
	deep := strings.Repeat("d/", 10) + "f"
	entries := []tartest.Entry{{Name: "a", Body: strings.Repeat("x", 1000)}, {Name: deep}, {Name: "b",
		PAXRecords: map[string]string{"SCHILY.xattr.user.big": strings.Repeat("v", 3000)}}}
	for _, tc := range []struct {
		lim  Limits
		want string
	}{
		{Limits{MaxEntries: 12}, `layer entry "b": 13 exceeds limit MaxEntries (12)`},            // 3 entries + 10 implied dirs
		{Limits{MaxEntries: 11}, `layer entry "` + deep + `": 12 exceeds limit MaxEntries (11)`}, // its parents count
		{Limits{MaxStored: 999}, `layer entry "a": 1000 exceeds limit MaxStored (999)`},
		{Limits{MaxMetaBytes: 20}, `layer entry "` + deep + `": 24 exceeds limit MaxMetaBytes (20)`}, // "/a" + "/d/…/f"
		{Limits{MaxBytes: 1500}, `exceeds limit MaxBytes (1500)`},
		{Limits{MaxPathDepth: 10}, `layer entry "` + deep + `": 11 exceeds limit MaxPathDepth (10)`},
		{Limits{MaxPAXBytes: 2000}, `layer entry "b": 3022 exceeds limit MaxPAXBytes (2000)`},
		{Limits{MaxEntries: -1, MaxBytes: -1, MaxRatio: -1, MaxPathDepth: -1, MaxPAXBytes: -1, MaxStored: -1, MaxMetaBytes: -1}, ``},
		{Limits{MaxEntries: 13, MaxPathDepth: 11, MaxPAXBytes: 3022, MaxStored: 1000, MaxMetaBytes: 26}, ``},
	} {
		_, _, err := Read(bytes.NewReader(tartest.Layer(t, entries)), "", nil, tc.lim)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%+v: %v", tc.lim, err)
			}
			continue
		}
		var le *LimitError
		if !errors.As(err, &le) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: err = %v, want LimitError %q", tc.lim, err, tc.want)
		}
	}
}

// Read must produce the DiffID of exactly the bytes a plain sha256 sees.
func TestReadDiffIDOfZstdWithChecksum(t *testing.T) {
	tarb := tartest.Layer(t, []tartest.Entry{{Name: "z", Body: strings.Repeat("zz", 5000)}})
	enc, _ := zstd.NewWriter(nil, zstd.WithEncoderCRC(true))
	body := enc.EncodeAll(tarb, nil)
	_, st, err := Read(bytes.NewReader(body), manifest.MediaTypeOCILayerZstd, nil, Limits{})
	want := sha256.Sum256(tarb)
	if err != nil || st.DiffID.Encoded() != digest.NewDigestFromBytes(digest.SHA256, want[:]).Encoded() {
		t.Errorf("DiffID = %s, %v", st.DiffID, err)
	}
}
