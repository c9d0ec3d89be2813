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

// A hardlink whose target a later layer purges is listed as the regular
// file it now is, and its bytes count as content, not waste.
func TestCLIHardlinkTargetPurged(t *testing.T) {
	ref := regtest.GGCR(t) + "/cli/hardlink:1"
	curl := strings.Repeat("c", 2808)
	regtest.Push(t, ref, imagetest.Image(t, imagetest.OCI,
		imagetest.Layer(t, imagetest.Gzip,
			tartest.Entry{Name: "usr/bin/curl", Body: curl, Mode: 0o755},
			tartest.Entry{Name: "usr/bin/curl2", Type: tar.TypeLink, Link: "usr/bin/curl"},
			tartest.Entry{Name: "usr/local/bin/curl-hardlink", Type: tar.TypeLink, Link: "usr/bin/curl", Mode: 0o755},
		),
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "usr/bin/.wh.curl"}),
	))
	code, out, errs := run(t, nil, "ls", "-R", "--json", ref)
	if code != 0 {
		t.Fatalf("ls: exit %d: %s", code, errs)
	}
	want := strings.Join([]string{
		`{"path":"/usr","type":"dir","mode":"0755","size":0,"uid":0,"gid":0,"link":"","layer":0}`,
		`{"path":"/usr/bin","type":"dir","mode":"0755","size":0,"uid":0,"gid":0,"link":"","layer":0}`,
		`{"path":"/usr/bin/curl2","type":"file","mode":"0644","size":2808,"uid":0,"gid":0,"link":"","layer":0}`,
		`{"path":"/usr/local","type":"dir","mode":"0755","size":0,"uid":0,"gid":0,"link":"","layer":0}`,
		`{"path":"/usr/local/bin","type":"dir","mode":"0755","size":0,"uid":0,"gid":0,"link":"","layer":0}`,
		`{"path":"/usr/local/bin/curl-hardlink","type":"hardlink","mode":"0755","size":2808,"uid":0,"gid":0,"link":"/usr/bin/curl2","layer":0}`,
	}, "\n")
	if got := strings.TrimSpace(out); got != want {
		t.Errorf("ls -R --json:\n%s\nwant:\n%s", got, want)
	}
	code, out, errs = run(t, nil, "cat", ref, "/usr/local/bin/curl-hardlink")
	if code != 0 || out != curl {
		t.Errorf("cat: exit %d, %d bytes, %s", code, len(out), errs)
	}
	code, out, errs = run(t, nil, "pull", "--json", ref)
	if code != 0 {
		t.Fatalf("pull: exit %d: %s", code, errs)
	}
	var s summary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatal(err)
	}
	if e := s.Efficiency; e.Content != 2808 || e.Wasted != 0 || e.TotalAdded != 2808 || e.Efficiency != 1 {
		t.Errorf("efficiency: content %d wasted %d added %d score %v, want 2808 0 2808 1", e.Content, e.Wasted, e.TotalAdded, e.Efficiency)
	}
}
