// Package registry talks to OCI / Docker v2 registries: it parses image
// references, pings /v2/, answers WWW-Authenticate challenges (anonymous and
// credentialed Bearer tokens, Basic), fetches manifests and streams blobs with
// retries, Range resume and size/digest verification, and turns registry error
// bodies into typed errors.
//
// The package uses only net/http and no filesystem, so it works the same
// natively and under GOOS=js GOARCH=wasm (where net/http uses fetch).
//
// Its pieces follow go-containerregistry's pkg/v1/remote/transport, one concern
// a file: ref.go (references), scheme.go (http or https), ping.go (/v2/),
// challenge.go (WWW-Authenticate), auth.go (the authenticating RoundTripper and
// its token cache), retry.go (backoff and Retry-After), stall.go (abandoning
// requests that stop making progress), error.go (registry errors, with echoed
// credentials redacted), manifest.go and blob.go (the two things a puller
// fetches).
package registry
