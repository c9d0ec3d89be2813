package relay

import (
	"net/http"

	"github.com/regscope/regscope/pkg/registry"
)

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

// ChallengeHeader carries a registry's WWW-Authenticate challenges to the
// page when any of them is not Bearer. A browser answers a 401 that offers
// Basic (or Digest, NTLM, Negotiate) with its own login prompt, which holds
// the page's request until someone dismisses it; under this name the
// challenges reach the page's registry client, which asks with its own
// credentials form, and wasm/fetch restores the standard name. Bearer-only
// challenges pass under their own name: browsers have no prompt for them.
const ChallengeHeader = "X-Regscope-Www-Authenticate"

// The CORS headers sent to origins the operator allowed (Gate): the request
// headers a registry client sends, and the response headers it reads.
const (
	corsAllowHeaders  = "Authorization, Accept, Range, If-None-Match, Cache-Control, " + ForeignOfHeader
	corsExposeHeaders = "Docker-Content-Digest, WWW-Authenticate, Content-Range, Link, Content-Length, Retry-After, RateLimit-Limit, RateLimit-Remaining, " + RefusalHeader + ", " + ChallengeHeader
)

func copyHeaders(dst, src http.Header, names []string) {
	for _, k := range names {
		if vv := src.Values(k); len(vv) > 0 {
			dst[http.CanonicalHeaderKey(k)] = append([]string(nil), vv...)
		}
	}
}

// hidePromptingChallenges moves h's WWW-Authenticate values to
// ChallengeHeader when any challenge among them is not Bearer.
func hidePromptingChallenges(h http.Header) {
	vv := h.Values("Www-Authenticate")
	for _, v := range vv {
		cs := registry.ParseChallenges(v)
		bearerOnly := len(cs) > 0
		for _, c := range cs {
			bearerOnly = bearerOnly && c.Scheme == "bearer"
		}
		if !bearerOnly {
			h.Del("Www-Authenticate")
			h[ChallengeHeader] = vv
			return
		}
	}
}
