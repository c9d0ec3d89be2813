package registry

import (
	"strconv"
	"strings"
	"testing"
)

// FuzzParseRef checks that any input either fails with an error quoting it
// or yields a reference that prints back to itself: String() parses to the
// same Ref, and the pieces are consistent.
func FuzzParseRef(f *testing.F) {
	for _, s := range []string{
		"alpine", "library/alpine:3.20", "docker.io/library/alpine", "localhost:5000/a/b:c",
		"ghcr.io/org/app@sha256:" + strings.Repeat("a", 64),
		"[::1]:5000/x:y", "UPPER/case", "a:b:c", "a@sha256:short", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRef(s)
		if err != nil {
			if !strings.Contains(err.Error(), strconv.Quote(s)) {
				t.Errorf("ParseRef(%q) error %q does not quote the input", s, err)
			}
			return
		}
		again, err := ParseRef(r.String())
		if err != nil || again != r {
			t.Fatalf("ParseRef(%q) = %+v; String() %q parses to %+v, %v", s, r, r.String(), again, err)
		}
		if r.Domain == "" || r.Path == "" || r.Identifier() == "" || !strings.HasPrefix(r.Name(), r.Domain+"/") {
			t.Errorf("ParseRef(%q) = %+v: incomplete", s, r)
		}
	})
}
