package relay

import "net/http"

// requestHeaders are the only request headers forwarded upstream. Cookie is
// never among them. Cache-Control lets a client that received corrupt
// content ask past the server's mirror (and any cache upstream).
var requestHeaders = []string{"Authorization", "Accept", "Range", "If-None-Match", "User-Agent", "Cache-Control"}

// responseHeaders are the only upstream response headers returned to the
// client. Set-Cookie is never among them.
var responseHeaders = []string{
	"Content-Type", "Content-Length", "Content-Range", "Accept-Ranges", "Etag", "Last-Modified",
	"Docker-Content-Digest", "Docker-Distribution-Api-Version", "Www-Authenticate", "Link", "Retry-After",
	"Oci-Subject", "Oci-Filters-Applied",
	"Ratelimit-Limit", "Ratelimit-Remaining", // Docker Hub's pull quota, shown when low
}

// RefusalHeader marks an answer the server made itself (a refusal by the
// relay or the gate), as opposed to one it passed through from a registry:
// clients recognise refusals by this header alone, never by the body.
const RefusalHeader = "X-Regscope-Relay-Error"

// RuleHeader names, on a refusal, the rule that refused it, for the
// server's metrics: gate (Host or origin), method, target (not a relay URL
// the relay can parse), destination (scheme, path or realm, allowed host),
// address (a blocked address at dial time), redirect, client_limit.
const RuleHeader = "X-Regscope-Refusal-Rule"

// The CORS headers sent to origins the operator allowed (Gate): the request
// headers a registry client sends, and the response headers it reads.
const (
	corsAllowHeaders  = "Authorization, Accept, Range, If-None-Match, Cache-Control, " + ForeignOfHeader
	corsExposeHeaders = "Docker-Content-Digest, WWW-Authenticate, Content-Range, Link, Content-Length, Retry-After, RateLimit-Limit, RateLimit-Remaining, " + RefusalHeader
)

func copyHeaders(dst, src http.Header, names []string) {
	for _, k := range names {
		if vv := src.Values(k); len(vv) > 0 {
			dst[http.CanonicalHeaderKey(k)] = append([]string(nil), vv...)
		}
	}
}
