package regtest

import (
	"io"
	"log"
	"net/http"
	"net/http/httputil"
	"net/url"
	"testing"
)

// Front starts a reverse proxy on 127.0.0.1 to the registry at host,
// wrapped by wrap (for example (*Faults).Wrap), and returns the proxy's
// host. Requests and answers, Authorization and WWW-Authenticate included,
// pass through unchanged, so a Distribution process keeps doing the real
// authentication behind it. A nil wrap adds nothing.
func Front(t testing.TB, host string, wrap func(http.Handler) http.Handler) string {
	t.Helper()
	target := &url.URL{Scheme: "http", Host: host}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.Host = r.In.Host // so Location headers name the proxy

		},
		ErrorLog: log.New(io.Discard, "", 0),
	}
	var h http.Handler = proxy
	if wrap != nil {
		h = wrap(h)
	}
	return serve(t, h)
}
