package diff_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/regscope/regscope/internal/difftest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/pkg/diff"
	"github.com/regscope/regscope/pkg/layers"
	"github.com/regscope/regscope/pkg/pull"
)

// Lines renders a comparison the way difftest.Case states expectations.
func lines(r *diff.Result) (files, config []string) {
	for _, f := range r.Files {
		s := string(f.Change) + " " + f.Path
		if f.Change == diff.Modified {
			s += " " + strings.Join(f.Fields, ",")
		}
		files = append(files, s)
	}
	for _, c := range r.Config.Changes {
		name := c.Field
		if c.Key != "" {
			name += " " + c.Key
		}
		val := func(v *string) string {
			if v == nil {
				return "(absent)"
			}
			return fmt.Sprintf("%q", *v)
		}
		config = append(config, name+": "+val(c.A)+" → "+val(c.B))
	}
	return files, config
}

func TestImages(t *testing.T) {
	var faults regtest.Faults
	host := regtest.GGCRWith(t, faults.Wrap)
	for _, c := range difftest.Push(t, host) {
		t.Run(c.Name, func(t *testing.T) {
			a, b, err := diff.Pull(context.Background(), c.A, c.B,
				pull.Options{Platform: c.PlatformA}, pull.Options{Platform: c.PlatformB})
			if err != nil {
				t.Fatal(err)
			}
			r, err := diff.Images(a, b, "/")
			if err != nil {
				t.Fatal(err)
			}
			files, config := lines(r)
			if !slices.Equal(files, c.Files) {
				t.Errorf("files:\n%s\nwant:\n%s", strings.Join(files, "\n"), strings.Join(c.Files, "\n"))
			}
			if !slices.Equal(config, c.Config) {
				t.Errorf("config:\n%s\nwant:\n%s", strings.Join(config, "\n"), strings.Join(c.Config, "\n"))
			}
			if r.Same() != (len(c.Files) == 0 && len(c.Config) == 0) {
				t.Errorf("Same() = %v", r.Same())
			}
			// The bottom layer is shared (except across platforms, where
			// every layer differs): downloaded once for both images.
			if c.PlatformA == "" {
				bottom := a.Layers[0].Digest
				if b.Layers[0].Digest != bottom || len(r.Layers.Shared) == 0 || r.Layers.Shared[0].Digest != string(bottom) {
					t.Fatalf("bottom layer not shared: %+v", r.Layers)
				}
				var gets []string
				for _, s := range faults.Seen(regtest.BlobPath(bottom)) {
					if s.Method == http.MethodGet && strings.Contains(s.Path, "/diff/"+c.Name+"/") {
						gets = append(gets, s.Path)
					}
				}
				if len(gets) != 1 {
					t.Errorf("shared layer fetched %d times: %v", len(gets), gets)
				}
			}
		})
	}
}

// Summary, layers and sides of one comparison, checked whole.
func TestImagesSummary(t *testing.T) {
	host := regtest.GGCR(t)
	cases := difftest.Push(t, host)
	c := cases[slices.IndexFunc(cases, func(c difftest.Case) bool { return c.Name == "hardlinks" })]
	a, b, err := diff.Pull(context.Background(), c.A, c.B, pull.Options{}, pull.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := diff.Images(a, b, "")
	if err != nil {
		t.Fatal(err)
	}
	// A: the base layer (20 bytes) + curl (11) + a (3) = 34 bytes of
	// content; B: 20 + curl under its link (11) + a (3) + c (3) = 37. Changed: /usr/bin/curl removed (11), b's
	// content one → two (3 out, 3 in), c added (3).
	want := diff.Summary{Added: 1, Removed: 1, Modified: 1, BytesAdded: 6, BytesRemoved: 14}
	if r.Summary != want {
		t.Errorf("summary %+v, want %+v", r.Summary, want)
	}
	if r.A.Content != 34 || r.B.Content != 37 || r.B.Wasted != 0 || r.A.Layers != 2 || r.B.Layers != 3 {
		t.Errorf("sides %+v %+v", r.A, r.B)
	}
	if len(r.Layers.Shared) != 1 || len(r.Layers.OnlyA) != 1 || len(r.Layers.OnlyB) != 2 ||
		r.Layers.BytesA != a.Layers[1].Size || r.Layers.BytesB != b.Layers[1].Size+b.Layers[2].Size {
		t.Errorf("layers %+v", r.Layers)
	}
	if len(r.Config.HistoryA) != 2 || len(r.Config.HistoryB) != 3 || r.Config.HistoryB[2].CreatedBy != "layer 2" {
		t.Errorf("history %+v / %+v", r.Config.HistoryA, r.Config.HistoryB)
	}
	// Under a path: only that subtree.
	r, err = diff.Images(a, b, "/usr/lib")
	if err != nil {
		t.Fatal(err)
	}
	if files, _ := lines(r); strings.Join(files, "; ") != "modified /usr/lib/b content; added /usr/lib/c" {
		t.Errorf("under /usr/lib: %q", files)
	}
}

// A failing side stops both pulls and names the reference.
func TestPullError(t *testing.T) {
	host := regtest.GGCR(t)
	cases := difftest.Push(t, host)
	_, _, err := diff.Pull(context.Background(), cases[0].A, host+"/diff/nothing:here", pull.Options{}, pull.Options{})
	if err == nil || !strings.Contains(err.Error(), "pull "+host+"/diff/nothing:here") {
		t.Fatalf("err = %v", err)
	}
}

func TestContent(t *testing.T) {
	file := func(s string) *layers.Entry {
		c, err := layers.MemStore().Put(strings.NewReader(s), int64(len(s)))
		if err != nil {
			t.Fatal(err)
		}
		return &layers.Entry{Type: layers.TypeFile, Size: int64(len(s)), Content: c}
	}
	d, err := diff.Content("/etc/x", file("a\nb\nc\n"), file("a\nB\nc\n"), 0)
	if err != nil {
		t.Fatal(err)
	}
	want := "--- a/etc/x\n+++ b/etc/x\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
	if !d.Text || d.Unified != want || d.Total != 7 || d.Truncated || d.Offset != 2 {
		t.Errorf("text diff %+v, want unified %q", d, want)
	}
	d, err = diff.Content("/etc/x", file("a\nb\nc\n"), file("a\nB\nc\n"), 4)
	if err != nil {
		t.Fatal(err)
	}
	if d.Unified != "--- a/etc/x\n+++ b/etc/x\n@@ -1,3 +1,3 @@\n a\n" || !d.Truncated || d.Total != 7 {
		t.Errorf("capped diff %+v", d)
	}
	bin := strings.Repeat("\x00\x01", 20)
	d, err = diff.Content("/bin/x", file(bin), file(bin[:33]+"\xff"+bin[34:]), 0)
	if err != nil {
		t.Fatal(err)
	}
	wantA := "00000020  00 01 00 01 00 01 00 01                           |........|\n"
	wantB := "00000020  00 ff 00 01 00 01 00 01                           |........|\n"
	if d.Text || d.Offset != 33 || d.HexA != wantA || d.HexB != wantB || d.SizeA != 40 ||
		d.DigestA == d.DigestB || !strings.HasPrefix(d.DigestA, "sha256:") {
		t.Errorf("binary diff %+v\nwant hex\n%s%s", d, wantA, wantB)
	}
	d, err = diff.Content("/new", nil, file("x\n"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if d.Unified != "--- a/new\n+++ b/new\n@@ -0,0 +1 @@\n+x\n" || d.SizeA != -1 || d.DigestA != "" {
		t.Errorf("added file %+v", d)
	}
}

// A layer both images share that fails its digest check fails both pulls
// (it is one blob, read once): no image is returned, and the error names
// the layer and its digest.
func TestPullSharedLayerCorrupt(t *testing.T) {
	var faults regtest.Faults
	host := regtest.GGCRWith(t, faults.Wrap)
	cases := difftest.Push(t, host)
	c := cases[slices.IndexFunc(cases, func(c difftest.Case) bool { return c.Name == "whiteout" })]
	a, _, err := diff.Pull(context.Background(), c.A, c.B, pull.Options{}, pull.Options{})
	if err != nil {
		t.Fatal(err)
	}
	bottom := a.Layers[0].Digest
	faults.Add(regtest.Fault{Kind: regtest.Corrupt, Path: regtest.BlobPath(bottom), Offset: 10})
	a, b, err := diff.Pull(context.Background(), c.A, c.B, pull.Options{}, pull.Options{})
	var side *diff.SideError
	// Either pull may be the one that downloaded it; the rest is exact.
	want := ": layer 0 (" + string(bottom) + "): reading layer (application/vnd.oci.image.layer.v1.tar+gzip): blob " +
		string(bottom) + ": digest mismatch: want " + string(bottom) + ", got sha256:"
	if a != nil || b != nil || !errors.As(err, &side) || !strings.HasPrefix(err.Error(), "pull "+host+"/diff/whiteout:") ||
		!strings.Contains(err.Error(), want) {
		t.Fatalf("a %v, b %v, err %v", a != nil, b != nil, err)
	}
}
