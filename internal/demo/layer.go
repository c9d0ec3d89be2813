package demo

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"

	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// compression of a generated layer.
type compression int

const (
	gzipBest    compression = iota
	gzipHuffman             // Huffman coding only: fast, and near-optimal for data without repeats
	zstdDefault
)

// memLayer is a v1.Layer whose compressed and uncompressed bytes are both in
// memory. The compressors come from klauspost/compress at the version pinned
// in go.mod, so the same tar always yields the same blob.
type memLayer struct {
	compressed, uncompressed []byte
	digest, diffID           v1.Hash
	mediaType                types.MediaType
}

func newLayer(tarBytes []byte, c compression, mt types.MediaType) *memLayer {
	var buf bytes.Buffer
	switch c {
	case zstdDefault:
		enc, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1), zstd.WithEncoderLevel(zstd.SpeedDefault))
		if err != nil {
			panic("demo: zstd: " + err.Error())
		}
		buf.Write(enc.EncodeAll(tarBytes, nil))
		enc.Close()
	default:
		level := gzip.BestCompression
		if c == gzipHuffman {
			level = gzip.HuffmanOnly
		}
		zw, _ := gzip.NewWriterLevel(&buf, level)
		zw.Write(tarBytes)
		zw.Close()
	}
	return &memLayer{
		compressed:   buf.Bytes(),
		uncompressed: tarBytes,
		digest:       sha256Hash(buf.Bytes()),
		diffID:       sha256Hash(tarBytes),
		mediaType:    mt,
	}
}

func sha256Hash(b []byte) v1.Hash {
	s := sha256.Sum256(b)
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(s[:])}
}

func (l *memLayer) Digest() (v1.Hash, error) { return l.digest, nil }
func (l *memLayer) DiffID() (v1.Hash, error) { return l.diffID, nil }
func (l *memLayer) Compressed() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(l.compressed)), nil
}
func (l *memLayer) Uncompressed() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(l.uncompressed)), nil
}
func (l *memLayer) Size() (int64, error)                { return int64(len(l.compressed)), nil }
func (l *memLayer) MediaType() (types.MediaType, error) { return l.mediaType, nil }
