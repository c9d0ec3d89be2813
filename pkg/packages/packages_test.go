//go:build !js

package packages_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	ggcr "github.com/google/go-containerregistry/pkg/v1"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/tartest"
	"github.com/regscope/regscope/pkg/layers"
	"github.com/regscope/regscope/pkg/packages"
	"github.com/regscope/regscope/pkg/pull"
)

type e = tartest.Entry

func testdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// pulled pushes an image of the given layers to a real registry, pulls it
// with its contents and reads its packages.
func pulled(t *testing.T, ls ...[]e) []packages.Package {
	t.Helper()
	host := regtest.GGCR(t)
	var gl []ggcr.Layer
	for _, l := range ls {
		gl = append(gl, imagetest.Layer(t, imagetest.Gzip, l...))
	}
	ref := host + "/pkgs/test:1"
	regtest.Push(t, ref, imagetest.Image(t, imagetest.OCI, gl...))
	img, err := pull.Pull(context.Background(), ref, pull.Options{Store: layers.MemStore()})
	if err != nil {
		t.Fatal(err)
	}
	var changes []*layers.ChangeSet
	for _, l := range img.Layers {
		changes = append(changes, l.Changes)
	}
	ps, err := packages.Read(img.FS, changes)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// debianLayer is this machine's dpkg status excerpt with some file lists.
func debianLayer(t *testing.T, status string) []e {
	l := []e{{Name: "var/lib/dpkg/status", Body: status}}
	des, err := os.ReadDir("testdata/debian/info")
	if err != nil {
		t.Fatal(err)
	}
	for _, de := range des {
		l = append(l, e{Name: "var/lib/dpkg/info/" + de.Name(), Body: testdata(t, "debian/info/"+de.Name())})
	}
	return l
}

type row struct{ name, version, arch, source string }

// TestDpkgMatchesDpkgQuery reads the status excerpt from an image and
// compares it with what Debian's own dpkg-query says of the same file.
func TestDpkgMatchesDpkgQuery(t *testing.T) {
	dq, err := exec.LookPath("dpkg-query")
	if err != nil {
		t.Fatalf("dpkg-query is needed to check the dpkg reader against Debian's own: %v", err)
	}
	out, err := exec.Command(dq, "--admindir=testdata/debian", "-W", "-f=${db:Status-Status}\t${Package}\t${Version}\t${Architecture}\t${source:Package}\n").Output()
	if err != nil {
		t.Fatalf("dpkg-query: %v", err)
	}
	var want []row
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, "\t")
		if f[0] != "not-installed" && f[0] != "config-files" {
			want = append(want, row{f[1], f[2], f[3], f[4]})
		}
	}
	ps := pulled(t, debianLayer(t, testdata(t, "debian/status")))
	var got []row
	for _, p := range ps {
		if p.Manager != "dpkg" || p.Layer != 0 || p.DB != "/var/lib/dpkg/status" {
			t.Errorf("%s: manager %q layer %d db %q", p.Name, p.Manager, p.Layer, p.DB)
		}
		got = append(got, row{p.Name, p.Version, p.Arch, p.Source})
	}
	sort.Slice(want, func(i, j int) bool { return want[i].name < want[j].name })
	if len(want) != 13 || !reflect.DeepEqual(got, want) {
		t.Errorf("packages\n got %v\nwant %v (dpkg-query)", got, want)
	}
	for _, p := range ps {
		switch p.Name {
		case "zlib1g":
			if want := strings.Fields(testdata(t, "debian/info/zlib1g:amd64.list")); !reflect.DeepEqual(p.Files, want) {
				t.Errorf("zlib1g files %q, want %q", p.Files, want)
			}
		case "coreutils":
			if p.Files != nil {
				t.Errorf("coreutils has no .list in the image, got files %q", p.Files)
			}
		}
	}
}

// layersOf maps package name to layer.
func layersOf(ps []packages.Package) map[string]int {
	m := map[string]int{}
	for _, p := range ps {
		m[p.Manager+" "+p.Name] = p.Layer
	}
	return m
}

// TestDpkgLayer checks the layer rule: a layer that upgrades zlib1g
// (rewriting the whole status file) claims zlib1g alone; a layer that
// rewrites the status file unchanged claims nothing; a package installed
// later belongs to the layer that installed it.
func TestDpkgLayer(t *testing.T) {
	status := testdata(t, "debian/status")
	upgraded := strings.Replace(status, "Version: 1:1.2.13.dfsg-1\n", "Version: 1:1.2.13.dfsg-1+b1\n", 1)
	if upgraded == status {
		t.Fatal("zlib1g's version line not found in the excerpt")
	}
	extra := "Package: hello\nStatus: install ok installed\nPriority: optional\nSection: devel\nInstalled-Size: 280\nMaintainer: Santiago Vila <sanvila@debian.org>\nArchitecture: amd64\nVersion: 2.10-3\nDepends: libc6 (>= 2.34)\nDescription: example package based on GNU hello\n The GNU hello program produces a familiar, friendly greeting.\n"
	ps := pulled(t,
		debianLayer(t, status),
		[]e{{Name: "var/lib/dpkg/status", Body: upgraded}, {Name: "var/lib/dpkg/info/zlib1g:amd64.list", Body: "/.\n"}},
		[]e{{Name: "var/lib/dpkg/status", Body: upgraded}},
		[]e{{Name: "var/lib/dpkg/status", Body: upgraded + "\n" + extra}, {Name: "usr/bin/hello", Body: "hello"}},
	)
	got := layersOf(ps)
	for name, layer := range got {
		want := 0
		switch name {
		case "dpkg zlib1g":
			want = 1
		case "dpkg hello":
			want = 3
		}
		if layer != want {
			t.Errorf("%s: layer %d, want %d", name, layer, want)
		}
	}
	if len(got) != 14 {
		t.Errorf("%d packages, want 14: %v", len(got), got)
	}
}

// TestDpkgStatusD reads distroless's one-file-a-package database.
func TestDpkgStatusD(t *testing.T) {
	stanzas := strings.Split(strings.TrimSpace(testdata(t, "debian/status")), "\n\n")
	find := func(name string) string {
		for _, s := range stanzas {
			if strings.HasPrefix(s, "Package: "+name+"\n") {
				var keep []string
				for _, l := range strings.Split(s, "\n") {
					if !strings.HasPrefix(l, "Status: ") { // distroless writes no Status
						keep = append(keep, l)
					}
				}
				return strings.Join(keep, "\n") + "\n"
			}
		}
		t.Fatalf("no stanza for %s", name)
		return ""
	}
	ps := pulled(t,
		[]e{
			{Name: "var/lib/dpkg/status.d/base-files", Body: find("base-files")},
			{Name: "var/lib/dpkg/status.d/libc6", Body: find("libc6")},
			{Name: "var/lib/dpkg/status.d/libc6.md5sums", Body: "0123456789abcdef0123456789abcdef  lib/x86_64-linux-gnu/libc.so.6\nfedcba9876543210fedcba9876543210  usr/share/doc/libc6/copyright\n"},
		},
		[]e{{Name: "var/lib/dpkg/status.d/tzdata", Body: find("tzdata")}},
	)
	want := []packages.Package{
		{Name: "base-files", Version: "12.4+deb12u11", Arch: "amd64", Source: "base-files", Manager: "dpkg", DB: "/var/lib/dpkg/status.d/base-files", Layer: 0},
		{Name: "libc6", Version: "2.36-9+deb12u14", Arch: "amd64", Source: "glibc", Manager: "dpkg", DB: "/var/lib/dpkg/status.d/libc6", Layer: 0,
			Files: []string{"/lib/x86_64-linux-gnu/libc.so.6", "/usr/share/doc/libc6/copyright"}},
		{Name: "tzdata", Version: "2025b-0+deb12u2", Arch: "all", Source: "tzdata", Manager: "dpkg", DB: "/var/lib/dpkg/status.d/tzdata", Layer: 1},
	}
	if !reflect.DeepEqual(ps, want) {
		t.Errorf("got  %+v\nwant %+v", ps, want)
	}
}

// TestAPK reads an apk installed database and finds the layer of an
// upgrade.
func TestAPK(t *testing.T) {
	installed := testdata(t, "alpine/installed")
	upgraded := strings.Replace(installed, "P:zlib\nV:1.3.1-r1\n", "P:zlib\nV:1.3.1-r2\n", 1)
	if upgraded == installed {
		t.Fatal("zlib's record not found")
	}
	ps := pulled(t,
		[]e{{Name: "lib/apk/db/installed", Body: installed}, {Name: "lib/libz.so.1", Body: "z"}},
		[]e{{Name: "lib/apk/db/installed", Body: upgraded}},
	)
	var got []string
	for _, p := range ps {
		got = append(got, fmt.Sprintf("%s %s %s %s %s %d", p.Name, p.Version, p.Arch, p.Source, p.License, p.Layer))
	}
	want := []string{
		"alpine-baselayout 3.6.5-r0 x86_64 alpine-baselayout GPL-2.0-only 0",
		"alpine-baselayout-data 3.6.5-r0 x86_64 alpine-baselayout GPL-2.0-only 0",
		"alpine-keys 2.4-r1 x86_64 alpine-keys MIT 0",
		"apk-tools 2.14.4-r0 x86_64 apk-tools GPL-2.0-only 0",
		"busybox 1.36.1-r29 x86_64 busybox GPL-2.0-only 0",
		"busybox-binsh 1.36.1-r29 x86_64 busybox GPL-2.0-only 0",
		"musl 1.2.5-r0 x86_64 musl MIT 0",
		"zlib 1.3.1-r2 x86_64 zlib Zlib 1",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	for _, p := range ps {
		if p.Name == "zlib" && !reflect.DeepEqual(p.Files, []string{"/lib/libz.so.1", "/lib/libz.so.1.3.1"}) {
			t.Errorf("zlib files %q", p.Files)
		}
		if p.Name == "busybox-binsh" && !reflect.DeepEqual(p.Files, []string{"/bin/sh"}) {
			t.Errorf("busybox-binsh files %q", p.Files)
		}
	}
}

// TestDeletedDatabase: a database a later layer deletes lists nothing.
func TestDeletedDatabase(t *testing.T) {
	ps := pulled(t,
		[]e{{Name: "lib/apk/db/installed", Body: testdata(t, "alpine/installed")}},
		[]e{{Name: "lib/apk/db/.wh.installed"}},
	)
	if len(ps) != 0 {
		t.Errorf("%d packages after the database was deleted: %+v", len(ps), ps)
	}
}

// TestMalformed: a database that does not parse is an error naming it.
func TestMalformed(t *testing.T) {
	for _, c := range []struct{ path, body, want string }{
		{"var/lib/dpkg/status", "Package: a\nnot a field\n", `/var/lib/dpkg/status: line 2: "not a field" is not a "Field: value" line`},
		{"var/lib/dpkg/status", "Version: 1\n", `/var/lib/dpkg/status: a stanza has no Package field: "Version: 1\n"`},
		{"lib/apk/db/installed", "P:a\nbogus\n", `/lib/apk/db/installed: line 2: "bogus" is not an "X:value" line`},
	} {
		host := regtest.GGCR(t)
		ref := host + "/bad/db:1"
		regtest.Push(t, ref, imagetest.Image(t, imagetest.OCI, imagetest.Layer(t, imagetest.Gzip, e{Name: c.path, Body: c.body})))
		img, err := pull.Pull(context.Background(), ref, pull.Options{Store: layers.MemStore()})
		if err != nil {
			t.Fatal(err)
		}
		_, err = packages.Read(img.FS, []*layers.ChangeSet{img.Layers[0].Changes})
		if err == nil || err.Error() != c.want {
			t.Errorf("%s: error %v, want %s", c.path, err, c.want)
		}
	}
}
