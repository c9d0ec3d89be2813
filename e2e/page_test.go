//go:build !js

package e2e

import (
	"bytes"
	"context"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// pullWait bounds a pull of a demo image in the page, wasm start-up included.
const pullWait = 60 * time.Second

// showcase is the demo index on the server s.
func showcase(s *server) string { return s.host + "/demo/showcase:latest" }

// pageURL is the page's URL for the given state (see wasm/urlstate):
// pairs of key, value.
func pageURL(s *server, kv ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	return s.url + "/?" + q.Encode()
}

// nativeCat is the file as the native pipeline (`regscope cat`) reads it:
// the oracle for what the page must show.
func nativeCat(t testing.TB, ref, path string, flags ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, env.bin, append(append([]string{"cat"}, flags...), ref, path)...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("regscope cat %s %s: %v\n%s", ref, path, err, stderr.String())
	}
	return stdout.String()
}

// openFile waits for the viewer to show path as text and returns the text.
func (tb *tab) viewerText(path string) string {
	tb.t.Helper()
	tb.waitAttr(pullWait, "#viewer", "data-path", path)
	tb.waitAttr(10*time.Second, "#viewer", "data-kind", "text")
	return tb.text("#viewer")
}

// TestOpenFileFromLink opens a link naming an image and a text file, and
// expects the viewer to show exactly the file's bytes, after every digest
// was verified.
func TestOpenFileFromLink(t *testing.T) {
	t.Parallel()
	ref := showcase(env.srv)
	want := nativeCat(t, ref, "/etc/os-release")
	if !strings.Contains(want, "regscope demo Linux") {
		t.Fatalf("regscope cat gave %q; the demo image changed?", want)
	}
	tb := newTab(t)
	tb.navigate(pageURL(env.srv, "image", ref, "path", "/etc/os-release"))
	tb.waitStatus(pullWait, "verified")
	if got := tb.viewerText("/etc/os-release"); got != want {
		t.Errorf("viewer shows %q, want %q", got, want)
	}
	if s := tb.text("#status"); !strings.HasPrefix(s, "✓ all") || !strings.Contains(s, "verified") {
		t.Errorf("#status reads %q, want \"✓ all N digests verified…\"", s)
	}
	if got := tb.attr("#panels", "data-view"); got != "files" {
		t.Errorf("#panels[data-view] = %q, want files", got)
	}
}
