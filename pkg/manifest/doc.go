// Package manifest says what the bytes of a registry manifest, image index
// and image config mean.
//
// It decodes every manifest media type a registry may serve for an image — the
// OCI image index and manifest, Docker's manifest list and schema2 manifest,
// and Docker's legacy schema1 manifest, signed or not — into image-spec's
// types, validating what a puller relies on (schema versions, digests, sizes,
// the config descriptor). It picks a platform out of an index the way Docker
// does, and decodes and validates image configs.
//
// The package is pure: it never touches the network or a filesystem, so the
// same code runs natively and in a browser (GOOS=js GOARCH=wasm).
//
// Every error returned for bad input wraps ErrInvalid (manifests),
// ErrInvalidConfig (configs), ErrUnsupported (a media type that is not an image
// manifest) or is a *NoMatchError (platform selection), and names the field,
// index and value at fault.
package manifest
