package layers

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/regscope/regscope/pkg/manifest"
)

// Compression is a layer's compression as found in its first bytes.
type Compression string

// The compressions Detect recognises.
const (
	Gzip Compression = "gzip"
	Zstd Compression = "zstd"
	None Compression = "none"
)

// Buffer sizes of the decompressors and the sniffer.
const (
	zstdMaxWindow = 1 << 27 // 128 MiB, what `zstd --long=27` needs
	sniffLen      = 512     // one tar block: enough to see any magic
)

// mediaCompression maps a known layer media type (the list is in
// pkg/manifest) to the compression it declares; ok is false for media types
// that are not known layers. Media types outside the list are still read
// when their bytes are gzip, zstd or tar.
func mediaCompression(mediaType string) (c Compression, ok bool) {
	switch mediaType {
	case manifest.MediaTypeDockerLayer, manifest.MediaTypeDockerForeignLayer, manifest.MediaTypeOCILayerGzip, manifest.MediaTypeOCILayerNonDistGzip:
		return Gzip, true
	case manifest.MediaTypeOCILayerZstd, manifest.MediaTypeOCILayerNonDistZstd:
		return Zstd, true
	case manifest.MediaTypeDockerLayerTar, manifest.MediaTypeOCILayer, manifest.MediaTypeOCILayerNonDist:
		return None, true
	}
	switch {
	case strings.HasSuffix(mediaType, ".tar.gzip"), strings.HasSuffix(mediaType, "tar+gzip"):
		return Gzip, true
	case strings.HasSuffix(mediaType, "tar+zstd"), strings.HasSuffix(mediaType, ".tar.zstd"):
		return Zstd, true
	case strings.HasSuffix(mediaType, ".tar"):
		return None, true
	}
	return None, false
}

// Detect reports the compression of a stream from its first bytes: gzip
// (1f 8b), zstd (a frame, 28 b5 2f fd, or a skippable frame, 5? 2a 4d 18),
// and None for anything else, plain tar included.
func Detect(prefix []byte) Compression {
	switch {
	case len(prefix) >= 2 && prefix[0] == 0x1f && prefix[1] == 0x8b:
		return Gzip
	case len(prefix) >= 4 && bytes.Equal(prefix[:4], []byte{0x28, 0xb5, 0x2f, 0xfd}):
		return Zstd
	case len(prefix) >= 4 && prefix[0]&0xf0 == 0x50 && bytes.Equal(prefix[1:4], []byte{0x2a, 0x4d, 0x18}):
		return Zstd
	}
	return None
}

// looksLikeTar reports whether prefix (up to one block) can start a tar
// stream: empty, a zero block (an empty archive), or a header with the
// ustar/gnu magic at offset 257.
func looksLikeTar(prefix []byte) bool {
	if len(prefix) == 0 {
		return true
	}
	if len(prefix) >= 263 && string(prefix[257:262]) == "ustar" {
		return true
	}
	return len(prefix) == sniffLen && bytes.Count(prefix, []byte{0}) == sniffLen
}

// ErrUnknownMediaType is wrapped by the error Decompress returns when
// neither the media type nor the bytes say how to read a layer.
var ErrUnknownMediaType = errors.New("unknown layer media type")

// Decompress returns the uncompressed tar stream of a layer. The media type
// says what to expect; the first bytes decide when they disagree (a gzip
// stream under a plain "tar" media type is gunzipped). An unknown media type
// is accepted when its bytes are gzip, zstd or tar, refused otherwise with an
// error that names it.
//
// Gzip streams may hold several members (they are concatenated). Bytes after
// the last gzip member that do not start another member are not decoded and
// end the stream, as in Docker; [Read] counts them in Stats.Trailing. zstd
// streams may hold several frames and skippable frames; anything else after
// them is an error. Close releases the decoder; it does not close r.
func Decompress(r io.Reader, mediaType string) (io.ReadCloser, error) {
	rc, _, err := Codec{}.decompress(r, mediaType)
	return rc, err
}

// trailer drains what follows the last gzip member an inflater decoded and
// returns how many bytes that was (Stats.Trailing).
type trailer interface {
	drainTrailing() (int64, error)
}

// decompress is Decompress with cd's gzip inflater, also returning for gzip
// the trailer whose count Read reports (nil otherwise).
func (cd Codec) decompress(r io.Reader, mediaType string) (io.ReadCloser, trailer, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	prefix, err := br.Peek(sniffLen)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, nil, fmt.Errorf("reading layer (%s): %w", mediaType, err)
	}
	declared, known := mediaCompression(mediaType)
	c := Detect(prefix)
	// The bytes win; the media type only decides how to word a refusal.
	if c == None && !looksLikeTar(prefix) {
		if !known {
			return nil, nil, fmt.Errorf("%w %q: content is neither gzip, zstd nor tar", ErrUnknownMediaType, mediaType)
		}
		if declared != None {
			return nil, nil, fmt.Errorf("layer media type %q declares %s, but the content is neither gzip, zstd nor tar", mediaType, declared)
		}
	}
	switch c {
	case Gzip:
		if cd.Gunzip != nil {
			rc, err := cd.Gunzip(br)
			if err != nil {
				return nil, nil, fmt.Errorf("gzip layer (%s): %w", mediaType, err)
			}
			return rc, codecTail{br}, nil
		}
		g, err := newGzipReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("gzip layer (%s): %w", mediaType, err)
		}
		return g, g, nil
	case Zstd:
		d, err := zstd.NewReader(br,
			zstd.WithDecoderConcurrency(1),
			zstd.WithDecoderLowmem(true),
			zstd.WithDecoderMaxWindow(zstdMaxWindow),
			zstd.WithDecoderMaxMemory(zstdMaxWindow))
		if err != nil {
			return nil, nil, fmt.Errorf("zstd layer (%s): %w", mediaType, err)
		}
		return d.IOReadCloser(), nil, nil
	}
	return io.NopCloser(br), nil, nil
}

// gzipReader decodes concatenated gzip members one at a time, so that it
// can tell another member from trailing garbage after the last one.
type gzipReader struct {
	br       *bufio.Reader
	z        *gzip.Reader
	done     bool
	trailing int64 // bytes after the last member, counted by drainTrailing
	err      error
}

func newGzipReader(br *bufio.Reader) (*gzipReader, error) {
	z, err := gzip.NewReader(br)
	if err != nil {
		return nil, err
	}
	z.Multistream(false)
	return &gzipReader{br: br, z: z}, nil
}

func (g *gzipReader) Read(p []byte) (int, error) {
	for {
		if g.err != nil {
			return 0, g.err
		}
		if g.done {
			return 0, io.EOF
		}
		n, err := g.z.Read(p)
		if err != io.EOF {
			if err != nil {
				g.err = err
			}
			return n, err
		}
		// End of one member: another one follows only if the magic does.
		next, perr := g.br.Peek(2)
		if len(next) == 2 && Detect(next) == Gzip {
			if err := g.z.Reset(g.br); err != nil {
				g.err = err
				return n, err
			}
			g.z.Multistream(false)
		} else {
			if perr != nil && perr != io.EOF {
				g.err = perr
				return n, perr
			}
			g.done = true
		}
		if n > 0 {
			return n, nil
		}
	}
}

// drainTrailing reads whatever follows the last member to io.EOF, counting it.
func (g *gzipReader) drainTrailing() (int64, error) {
	n, err := io.Copy(io.Discard, g.br)
	g.trailing += n
	return g.trailing, err
}

// codecTail is what a Codec's inflater left of the compressed stream once
// its output ended. Another gzip member there means the inflater stopped
// early, against its contract: that fails with ErrGunzipFallback, so Go's
// reader decodes the layer, rather than dropping the member's files. Other
// bytes are trailing data, counted as with Go's reader.
type codecTail struct{ br *bufio.Reader }

func (t codecTail) drainTrailing() (int64, error) {
	if next, _ := t.br.Peek(2); Detect(next) == Gzip {
		return 0, fmt.Errorf("%w: another gzip member follows where the inflater stopped", ErrGunzipFallback)
	}
	return io.Copy(io.Discard, t.br)
}

func (g *gzipReader) Close() error { return g.z.Close() }
