//go:build !js

package cli

import (
	"archive/tar"
	"encoding/json"
	"strings"
	"testing"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/tartest"
)

// Hostile images through the CLI (docs/RELIABILITY.md, "Hostile images"):
// nothing escapes the root, loops end with a clear error, odd names still
// give valid JSON lines.
func TestCLIHostileImage(t *testing.T) {
	ref := regtest.GGCR(t) + "/hostile/cli:1"
	regtest.Push(t, ref, imagetest.Image(t, imagetest.OCI,
		imagetest.Layer(t, imagetest.Gzip,
			tartest.Entry{Name: "../../../x", Body: "up"},
			tartest.Entry{Name: "etc/passwd", Body: "inside"},
			tartest.Entry{Name: "out", Type: tar.TypeSymlink, Link: "../../../../etc"},
			tartest.Entry{Name: "a", Type: tar.TypeSymlink, Link: "b"},
			tartest.Entry{Name: "b", Type: tar.TypeSymlink, Link: "a"},
			tartest.Entry{Name: "odd/bad\xff\xfe\nname\x1b[31m", Body: "odd", Format: tar.FormatPAX}),
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "out/passwd", Body: "replaced the link"}),
	))
	for _, tc := range []struct{ path, out, err string }{
		{"/x", "up", ""},
		{"../../x", "up", ""},
		{"/etc/passwd", "inside", ""},
		{"/out/passwd", "replaced the link", ""},
		{"/a", "", "too many levels of symbolic links"},
	} {
		code, stdout, stderr := run(t, nil, "cat", ref, tc.path)
		if tc.err != "" {
			if code == 0 || !strings.Contains(stderr, tc.err) || !strings.Contains(stderr, tc.path) {
				t.Errorf("cat %s: code %d, stderr %q; want an error naming it", tc.path, code, stderr)
			}
			continue
		}
		if code != 0 || stdout != tc.out {
			t.Errorf("cat %s = %q (code %d, %s), want %q", tc.path, stdout, code, stderr, tc.out)
		}
	}
	code, stdout, stderr := run(t, nil, "ls", "--json", "-R", ref)
	if code != 0 {
		t.Fatalf("ls: %d %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 9 { // /a /b /etc /etc/passwd /odd /odd/… /out /out/passwd /x
		t.Errorf("%d lines:\n%s", len(lines), stdout)
	}
	const odd = "/odd/bad\xff\xfe\nname\x1b[31m"
	var exact bool
	for _, l := range lines {
		var e struct {
			Path      string
			PathBytes []byte
		}
		if err := json.Unmarshal([]byte(l), &e); err != nil || !strings.HasPrefix(e.Path, "/") {
			t.Errorf("line %q: %v", l, err)
		}
		exact = exact || string(e.PathBytes) == odd
	}
	if !exact {
		t.Errorf("no line carries the exact bytes of %q in pathBytes:\n%s", odd, stdout)
	}

	// The text listing quotes the name: no raw newline or escape reaches the terminal.
	code, stdout, _ = run(t, nil, "ls", ref, "/odd")
	if code != 0 || strings.Contains(stdout, "\x1b") || strings.Count(stdout, "\n") != 1 || !strings.Contains(stdout, `"/odd/bad\xff\xfe\nname\x1b[31m"`) {
		t.Errorf("ls /odd text: %q", stdout)
	}
}
