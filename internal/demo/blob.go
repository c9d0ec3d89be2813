package demo

import (
	"encoding/json"
	"fmt"

	digest "github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// blob is a piece of content the registry serves, addressed by its digest:
// a layer, a config, or the bytes of a manifest or index.
type blob struct {
	mediaType string
	data      []byte
	digest    digest.Digest
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
	return v1.Descriptor{MediaType: b.mediaType, Digest: b.digest, Size: int64(len(b.data))}
}

// tree is a manifest or index with everything it references: the
// manifests an index lists, the config and layers an image manifest lists.
// Putting it in a repository makes all of them reachable there.
type tree struct {
	blob
	children []tree // an index's manifests
	blobs    []blob // an image's config and layers
}
