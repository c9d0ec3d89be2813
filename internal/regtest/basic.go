package regtest

import (
	"encoding/json"
	"net/http"
)

// BasicAuth wraps a registry handler (GGCRWith, Front) so it demands Basic
// credentials User/Password on every request, answering 401 with
// `WWW-Authenticate: Basic realm="regtest"` otherwise, as Distribution's
// htpasswd mode does — for tests that need an authenticating registry
// in process (or in the wasm test run, where Distribution cannot start).
func BasicAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); ok && u == User && p == Password {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="regtest"`)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]string{{"code": "UNAUTHORIZED", "message": "authentication required"}}})
	})
}
