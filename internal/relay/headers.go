package relay

import "net/http"

// requestHeaders are the only request headers forwarded upstream. Cookie is
// never among them.
var requestHeaders = []string{"Authorization", "Accept", "Range", "If-None-Match", "User-Agent"}

// responseHeaders are the only upstream response headers returned to the
// client. Set-Cookie is never among them.
var responseHeaders = []string{
	"Content-Type", "Content-Length", "Content-Range", "Accept-Ranges", "Etag", "Last-Modified",
	"Docker-Content-Digest", "Docker-Distribution-Api-Version", "Www-Authenticate", "Link", "Retry-After",
	"Oci-Subject", "Oci-Filters-Applied",
}

const (
	corsAllowHeaders  = "Authorization, Accept, Range, If-None-Match"
	corsExposeHeaders = "Docker-Content-Digest, WWW-Authenticate, Content-Range, Content-Length, Content-Type, Link, Retry-After, Docker-Distribution-Api-Version, ETag, Accept-Ranges"
)

// setCORS marks a response readable by any origin. No cookies or other
// ambient credentials are ever involved, so "*" grants nothing extra.
func setCORS(h http.Header) {
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
	h.Set("Vary", "Origin")
}

func copyHeaders(dst, src http.Header, names []string) {
	for _, k := range names {
		if vv := src.Values(k); len(vv) > 0 {
			dst[http.CanonicalHeaderKey(k)] = append([]string(nil), vv...)
		}
	}
}
