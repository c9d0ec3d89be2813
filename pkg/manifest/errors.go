package manifest

import (
	"errors"
	"fmt"
)

// Sentinel errors. Errors returned by this package wrap one of them, so
// callers can test with errors.Is while the message names the field at fault.
var (
	// ErrInvalid means a manifest body breaks its format: bad JSON, a wrong
	// schemaVersion, a malformed digest, a negative size, a missing config.
	ErrInvalid = errors.New("invalid manifest")

	// ErrUnsupported means the body is not a kind of manifest this package
	// decodes (an unknown media type and an unrecognisable shape).
	ErrUnsupported = errors.New("unsupported manifest")

	// ErrInvalidConfig means an image config is malformed (bad JSON, a rootfs
	// that is not of type "layers", a malformed diff_id).
	ErrInvalidConfig = errors.New("invalid image config")

	// ErrInvalidPlatform means a platform string such as "linux/arm64/v8"
	// cannot be parsed.
	ErrInvalidPlatform = errors.New("invalid platform")
)

// invalidf returns an error wrapping ErrInvalid with a formatted reason.
func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

// configInvalidf returns an error wrapping ErrInvalidConfig with a formatted reason.
func configInvalidf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, args...)...)
}
