//go:build !js

package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/tartest"
)

// `regscope pull` against a faulty registry: the retries show on stderr as
// they happen, and a pull that cannot finish ends with one `regscope: …`
// line naming the blob and the cause. (The CLI uses the default backoff,
// 500ms doubling, so these cases keep to one or two retries.)
func TestCLIPullRegistryFaults(t *testing.T) {
	var f regtest.Faults
	host := regtest.GGCRWith(t, f.Wrap)
	ref := host + "/faulty/cli:1"
	img := imagetest.Image(t, imagetest.OCI,
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "a", Body: "a"}),
		imagetest.Layer(t, imagetest.None, tartest.Entry{Name: "big", Body: strings.Repeat("b", 200_000)}))
	regtest.Push(t, ref, img)
	ls, _ := img.Layers()
	d, _ := ls[1].Digest()
	blob := regtest.BlobPath(digest.Digest(d.String()))

	for _, tc := range []struct {
		name    string
		args    []string
		faults  []regtest.Fault
		code    int
		retries []string // in the retry lines, in order
		last    []string // in the final line when failing
	}{
		{name: "503 then a reset: recovered",
			faults: []regtest.Fault{{Kind: regtest.Status, Code: 503, Path: blob, Times: 1}, {Kind: regtest.Reset, Path: blob, Offset: 100_000, Times: 1}},
			code:   0, retries: []string{"503 Service Unavailable", "after 100000 bytes"}},
		{name: "503 then a corrupt byte every time: fails naming the blob",
			faults: []regtest.Fault{{Kind: regtest.Status, Code: 503, Path: blob, Times: 1}, {Kind: regtest.Corrupt, Path: blob, Offset: 4242}},
			code:   1, retries: []string{"503 Service Unavailable"}, last: []string{"layer 1 (" + d.String() + ")", "blob " + d.String(), "digest mismatch"}},
		{name: "429 asking for more than the backoff cap allows: fails at once",
			faults: []regtest.Fault{{Kind: regtest.Status, Code: 429, Path: blob, Header: map[string][]string{"Retry-After": {"3600"}}}},
			code:   1, last: []string{"layer 1 (" + d.String() + ")", "/blobs/" + d.String(), "429 Too Many Requests", "retry after 1h0m0s"}},
		{name: "an endless drip under --timeout: fails naming the blob",
			args:   []string{"--timeout", "500ms"},
			faults: []regtest.Fault{{Kind: regtest.Drip, Path: blob, Offset: 1000, Delay: 50 * time.Millisecond}},
			code:   1, last: []string{"layer 1 (" + d.String() + ")", "deadline exceeded"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f = regtest.Faults{}
			for _, fl := range tc.faults {
				f.Add(fl)
			}
			code, out, errs := run(t, nil, append(append([]string{"pull"}, tc.args...), ref)...)
			lines := strings.Split(strings.TrimSpace(errs), "\n")
			var retries []string
			for _, l := range lines {
				if strings.HasPrefix(l, "retrying ") {
					retries = append(retries, l)
				}
			}
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, out, errs)
			}
			if len(retries) != len(tc.retries) {
				t.Errorf("%d retry lines, want %d:\n%s", len(retries), len(tc.retries), errs)
			}
			for i := range min(len(retries), len(tc.retries)) {
				if !strings.Contains(retries[i], tc.retries[i]) || !strings.Contains(retries[i], blob) {
					t.Errorf("retry line %q does not name the blob and %q", retries[i], tc.retries[i])
				}
			}
			last := lines[len(lines)-1]
			if code == 0 {
				if !strings.HasSuffix(out, "\nall 6 digests verified (the manifest, the config, 2 layer blobs, 2 DiffIDs)\n") || strings.HasPrefix(last, "regscope: ") {
					t.Errorf("stdout:\n%s\nstderr:\n%s", out, errs)
				}
				return
			}
			if out != "" || !strings.HasPrefix(last, "regscope: pull "+ref+": ") {
				t.Errorf("stdout %q, last line %q; want nothing and a regscope: line", out, last)
			}
			for _, s := range tc.last {
				if !strings.Contains(last, s) {
					t.Errorf("last line %q does not name %q", last, s)
				}
			}
		})
	}
}
