package view

import "github.com/regscope/regscope/wasm/msg"

// errorTitle names a kind of failure in a few words (the status line).
func errorTitle(kind string) string {
	switch kind {
	case msg.ErrNotFound:
		return "Not found"
	case msg.ErrUnauthorized:
		return "Credentials required"
	case msg.ErrRateLimited:
		return "Rate-limited"
	case msg.ErrDigest:
		return "Verification failed"
	case msg.ErrRelay:
		return "Registry unreachable from this page"
	case msg.ErrMediaType:
		return "Unsupported media type"
	case msg.ErrPlatform:
		return "Platform not offered"
	case msg.ErrNoImage:
		return "No image"
	}
	return "Error"
}
