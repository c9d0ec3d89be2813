package demo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	digest "github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// blob is a piece of content the registry serves, addressed by its digest:
// a layer, a config, or the bytes of a manifest or index. Its bytes are in
// memory (data), or, for the layers and configs of a loaded file, in that
// file (file), which is read for each request and never held whole.
type blob struct {
	mediaType string
	data      []byte
	file      *io.SectionReader // when set, the bytes (data is nil)
	digest    digest.Digest
}

// size is the number of bytes b serves.
func (b blob) size() int64 {
	if b.file != nil {
		return b.file.Size()
	}
	return int64(len(b.data))
}

// content reads b from its start; each call has its own position.
func (b blob) content() io.ReadSeeker {
	if b.file != nil {
		return io.NewSectionReader(b.file, 0, b.file.Size())
	}
	return bytes.NewReader(b.data)
}

func newBlob(mediaType string, data []byte) blob {
	return blob{mediaType: mediaType, data: data, digest: digest.FromBytes(data)}
}

// jsonBlob marshals v as the content of a blob of mediaType.
func jsonBlob(mediaType string, v any) (blob, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return blob{}, fmt.Errorf("encode %s: %w", mediaType, err)
	}
	return newBlob(mediaType, b), nil
}

// descriptor points at b.
func (b blob) descriptor() v1.Descriptor {
	return v1.Descriptor{MediaType: b.mediaType, Digest: b.digest, Size: b.size()}
}

// tree is a manifest or index with everything it references: the
// manifests an index lists, the config and layers an image manifest lists.
// Putting it in a repository makes all of them reachable there.
type tree struct {
	blob
	children []tree // an index's manifests
	blobs    []blob // an image's config and layers
}
