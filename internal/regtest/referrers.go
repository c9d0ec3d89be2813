package regtest

import (
	"io"
	"log"
	"net/http"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"
)

// GGCRReferrers is GGCR with the OCI 1.1 referrers API enabled
// (GET /v2/<name>/referrers/<digest>); plain GGCR answers it 404, like
// Distribution 2.8, so clients fall back to the referrers tag schema. A
// non-nil wrap wraps the registry's handler, as in GGCRWith.
func GGCRReferrers(t testing.TB, wrap func(http.Handler) http.Handler) string {
	t.Helper()
	var h http.Handler = registry.New(registry.Logger(log.New(io.Discard, "", 0)), registry.WithReferrersSupport(true))
	if wrap != nil {
		h = wrap(h)
	}
	return serve(t, h)
}
