package ops

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// Only a trusted proxy's X-Forwarded-For names the client, and then only
// its right-most untrusted entry.
func TestRealClient(t *testing.T) {
	p, err := ParseProxies([]string{"127.0.0.1", "10.0.0.0/8"})
	if err != nil {
		t.Fatal(err)
	}
	h := p.RealClient(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.RemoteAddr) }))
	for _, tc := range []struct {
		remote string
		xff    []string
		want   string
	}{
		{"127.0.0.1:4000", []string{"203.0.113.9"}, "203.0.113.9:0"},
		{"127.0.0.1:4000", []string{"198.51.100.1, 203.0.113.9, 10.1.2.3"}, "203.0.113.9:0"}, // a second proxy, trusted
		{"127.0.0.1:4000", []string{"198.51.100.1", "203.0.113.9"}, "203.0.113.9:0"},         // two header lines
		{"127.0.0.1:4000", nil, "127.0.0.1:4000"},
		{"127.0.0.1:4000", []string{"not-an-ip"}, "127.0.0.1:4000"},
		{"192.0.2.7:5000", []string{"203.0.113.9"}, "192.0.2.7:5000"}, // not a proxy: its claim is ignored
		{"[::ffff:127.0.0.1]:4000", []string{"2001:db8::1"}, "[2001:db8::1]:0"},
	} {
		req := httptest.NewRequest("GET", "/relay/x/v2/", nil)
		req.RemoteAddr = tc.remote
		for _, v := range tc.xff {
			req.Header.Add("X-Forwarded-For", v)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if got := w.Body.String(); got != tc.want {
			t.Errorf("from %s with %q: client %s, want %s", tc.remote, tc.xff, got, tc.want)
		}
	}
	if _, err := ParseProxies([]string{"10.0.0.0/33"}); err == nil || err.Error() != `--trusted-proxy "10.0.0.0/33": want an IP address or a CIDR prefix` {
		t.Errorf("bad prefix: %v", err)
	}
}
