package ops

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// /healthz answers while the process serves; /readyz only once Ready says
// so and until Drain; other paths reach the application untouched, dot
// segments and all.
func TestRoutes(t *testing.T) {
	ready := errors.New("WebAssembly still building")
	h := &Health{Ready: func() error { return ready }}
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "app "+r.URL.Path) })
	srv := httptest.NewServer(Routes(app, h, NewMetrics()))
	defer srv.Close()
	get := func(path string) (int, string) {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.URL.Opaque = path // keep dot segments as sent
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, step := range []struct {
		do     func()
		path   string
		status int
		body   string
	}{
		{nil, "/healthz", 200, "ok\n"},
		{nil, "/readyz", 503, "not ready: WebAssembly still building\n"},
		{func() { ready = nil }, "/readyz", 200, "ready\n"},
		{nil, "/relay/a/../b", 200, "app /relay/a/../b"},
		{h.Drain, "/readyz", 503, "draining: shutting down\n"},
		{nil, "/healthz", 200, "ok\n"},
	} {
		if step.do != nil {
			step.do()
		}
		if status, body := get(step.path); status != step.status || body != step.body {
			t.Errorf("GET %s = %d %q, want %d %q", step.path, status, body, step.status, step.body)
		}
	}
	if status, body := get("/metrics"); status != 200 || !strings.Contains(body, "# TYPE regscope_relay_streams gauge") {
		t.Errorf("GET /metrics = %d without the relay's gauge:\n%.300s", status, body)
	}
}
