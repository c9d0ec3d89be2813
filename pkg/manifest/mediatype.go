package manifest

import (
	"strings"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// Media types of manifests and indexes.
const (
	// MediaTypeOCIIndex is an OCI image index.
	MediaTypeOCIIndex = v1.MediaTypeImageIndex
	// MediaTypeOCIManifest is an OCI image manifest.
	MediaTypeOCIManifest = v1.MediaTypeImageManifest
	// MediaTypeDockerList is a Docker manifest list (JSON-compatible with an OCI index).
	MediaTypeDockerList = "application/vnd.docker.distribution.manifest.list.v2+json"
	// MediaTypeDockerV2 is a Docker image manifest, schema 2 (JSON-compatible with an OCI manifest).
	MediaTypeDockerV2 = "application/vnd.docker.distribution.manifest.v2+json"
	// MediaTypeDockerV1 is an unsigned Docker schema 1 manifest.
	MediaTypeDockerV1 = "application/vnd.docker.distribution.manifest.v1+json"
	// MediaTypeDockerV1Signed is a Docker schema 1 manifest signed with libtrust's pretty JWS.
	MediaTypeDockerV1Signed = "application/vnd.docker.distribution.manifest.v1+prettyjws"
)

// Media types of image configs.
const (
	// MediaTypeOCIConfig is an OCI image config.
	MediaTypeOCIConfig = v1.MediaTypeImageConfig
	// MediaTypeDockerConfig is a Docker image config (JSON-compatible with an OCI config).
	MediaTypeDockerConfig = "application/vnd.docker.container.image.v1+json"
)

// Media types of layers: the one list of the layer media types the project
// knows (pkg/layers maps each to the compression it declares). The OCI ones
// are image-spec's constants; Docker's have no Go home, so they live here.
const (
	// MediaTypeDockerLayer is a gzip-compressed tar layer of a Docker image.
	MediaTypeDockerLayer = "application/vnd.docker.image.rootfs.diff.tar.gzip"
	// MediaTypeDockerLayerTar is an uncompressed tar layer of a Docker image
	// (not in Docker's spec, written by containerd and others).
	MediaTypeDockerLayerTar = "application/vnd.docker.image.rootfs.diff.tar"
	// MediaTypeDockerForeignLayer is a gzip-compressed tar layer that a
	// registry may not hold; it is fetched from the descriptor's URLs.
	MediaTypeDockerForeignLayer = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
	// MediaTypeOCILayer is an uncompressed tar layer.
	MediaTypeOCILayer = v1.MediaTypeImageLayer
	// MediaTypeOCILayerGzip is a gzip-compressed tar layer.
	MediaTypeOCILayerGzip = v1.MediaTypeImageLayerGzip
	// MediaTypeOCILayerZstd is a zstd-compressed tar layer.
	MediaTypeOCILayerZstd = v1.MediaTypeImageLayerZstd
	// MediaTypeOCILayerNonDist is an uncompressed non-distributable tar layer (deprecated by OCI, still served).
	MediaTypeOCILayerNonDist = v1.MediaTypeImageLayerNonDistributable //nolint:staticcheck // deprecated, still served
	// MediaTypeOCILayerNonDistGzip is a gzip-compressed non-distributable tar layer.
	MediaTypeOCILayerNonDistGzip = v1.MediaTypeImageLayerNonDistributableGzip //nolint:staticcheck // deprecated, still served
	// MediaTypeOCILayerNonDistZstd is a zstd-compressed non-distributable tar layer.
	MediaTypeOCILayerNonDistZstd = v1.MediaTypeImageLayerNonDistributableZstd //nolint:staticcheck // deprecated, still served
)

// AcceptHeader is the value of an Accept header that asks a registry for any
// manifest this package decodes: indexes first, schema 1 last so that a
// registry able to convert serves something newer.
const AcceptHeader = MediaTypeOCIIndex + ", " +
	MediaTypeDockerList + ", " +
	MediaTypeOCIManifest + ", " +
	MediaTypeDockerV2 + ", " +
	MediaTypeDockerV1Signed + ", " +
	MediaTypeDockerV1

// AcceptTypes returns every manifest media type this package decodes, in the
// order of AcceptHeader, as a fresh slice (no shared package-level state).
func AcceptTypes() []string {
	return strings.Split(AcceptHeader, ", ")
}

// IsIndexType reports whether mediaType names an index (OCI index or Docker manifest list).
func IsIndexType(mediaType string) bool {
	return mediaType == MediaTypeOCIIndex || mediaType == MediaTypeDockerList
}

// IsImageType reports whether mediaType names an image manifest (OCI or Docker schema2).
func IsImageType(mediaType string) bool {
	return mediaType == MediaTypeOCIManifest || mediaType == MediaTypeDockerV2
}

// IsSchema1Type reports whether mediaType names a Docker schema 1 manifest, signed or not.
func IsSchema1Type(mediaType string) bool {
	return mediaType == MediaTypeDockerV1 || mediaType == MediaTypeDockerV1Signed
}

// IsManifestType reports whether mediaType is one of the media types in Accept.
func IsManifestType(mediaType string) bool {
	return IsIndexType(mediaType) || IsImageType(mediaType) || IsSchema1Type(mediaType)
}

// IsNonDistributable reports whether mediaType names a layer that registries
// may decline to hold (Docker foreign layers, OCI non-distributable layers),
// whose descriptor's URLs say where to fetch it.
func IsNonDistributable(mediaType string) bool {
	switch mediaType {
	case MediaTypeDockerForeignLayer, MediaTypeOCILayerNonDist, MediaTypeOCILayerNonDistGzip, MediaTypeOCILayerNonDistZstd:
		return true
	}
	return false
}

// isGenericType reports whether a Content-Type says nothing about which
// manifest a body is: servers (and static file hosts) send these.
func isGenericType(mediaType string) bool {
	switch mediaType {
	case "", "application/json", "text/plain", "application/octet-stream":
		return true
	}
	return false
}

// baseMediaType strips parameters (";charset=utf-8") and case from a Content-Type.
func baseMediaType(contentType string) string {
	if i := strings.IndexByte(contentType, ';'); i >= 0 {
		contentType = contentType[:i]
	}
	return strings.ToLower(strings.TrimSpace(contentType))
}
