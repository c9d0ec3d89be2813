package demo

import (
	"bytes"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	digest "github.com/opencontainers/go-digest"
)

// compression of a generated layer.
type compression int

const (
	gzipBest    compression = iota
	gzipHuffman             // Huffman coding only: fast, and near-optimal for data without repeats
	zstdDefault
)

// layer is a generated layer: its compressed blob and the digest of its
// uncompressed tar (the config's diff_id).
type layer struct {
	blob
	diffID digest.Digest
}

// newLayer compresses a tar. The compressors come from klauspost/compress at
// the version pinned in go.mod, so the same tar always yields the same blob.
func newLayer(tarBytes []byte, c compression, mediaType string) layer {
	var buf bytes.Buffer
	switch c {
	case zstdDefault:
		enc, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1), zstd.WithEncoderLevel(zstd.SpeedDefault))
		if err != nil {
			panic("demo: zstd: " + err.Error()) // fixed options: a bug, not a runtime condition
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
	return layer{blob: newBlob(mediaType, buf.Bytes()), diffID: digest.FromBytes(tarBytes)}
}
