//go:build !js

package cli

import (
	"os"
	"strings"
	"testing"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/tartest"
)

func readTestdata(t *testing.T, name string) string {
	b, err := os.ReadFile("../../pkg/packages/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestCLIPackages lists a two-layer Debian image whose second layer
// upgrades zlib1g, and an Alpine one, as JSON lines and as a table.
func TestCLIPackages(t *testing.T) {
	host := regtest.GGCR(t)
	status := readTestdata(t, "debian/status")
	upgraded := strings.Replace(status, "Version: 1:1.2.13.dfsg-1\n", "Version: 1:1.2.13.dfsg-2\n", 1)
	deb := host + "/pkgs/debian:12"
	regtest.Push(t, deb, imagetest.Image(t, imagetest.OCI,
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "var/lib/dpkg/status", Body: status}),
		imagetest.Layer(t, imagetest.Zstd, tartest.Entry{Name: "var/lib/dpkg/status", Body: upgraded}),
	))
	code, out, errs := run(t, nil, "packages", "--json", deb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	want := `{"name":"base-files","version":"12.4+deb12u11","arch":"amd64","source":"base-files","manager":"dpkg","layer":0}
{"name":"bash","version":"5.2.15-2+b8","arch":"amd64","source":"bash","manager":"dpkg","layer":0}
{"name":"ca-certificates","version":"20230311+deb12u1","arch":"all","source":"ca-certificates","manager":"dpkg","layer":0}
{"name":"coreutils","version":"9.1-1","arch":"amd64","source":"coreutils","manager":"dpkg","layer":0}
{"name":"debconf","version":"1.5.82","arch":"all","source":"debconf","manager":"dpkg","layer":0}
{"name":"dpkg","version":"1.21.22","arch":"amd64","source":"dpkg","manager":"dpkg","layer":0}
{"name":"gcc-12-base","version":"12.2.0-14+deb12u1","arch":"amd64","source":"gcc-12","manager":"dpkg","layer":0}
{"name":"libc6","version":"2.36-9+deb12u14","arch":"amd64","source":"glibc","manager":"dpkg","layer":0}
{"name":"libgcc-s1","version":"12.2.0-14+deb12u1","arch":"amd64","source":"gcc-12","manager":"dpkg","layer":0}
{"name":"libssl3","version":"3.0.19-1~deb12u2","arch":"amd64","source":"openssl","manager":"dpkg","layer":0}
{"name":"libzstd1","version":"1.5.4+dfsg2-5","arch":"amd64","source":"libzstd","manager":"dpkg","layer":0}
{"name":"tzdata","version":"2025b-0+deb12u2","arch":"all","source":"tzdata","manager":"dpkg","layer":0}
{"name":"zlib1g","version":"1:1.2.13.dfsg-2","arch":"amd64","source":"zlib","manager":"dpkg","layer":1}
`
	if out != want {
		t.Errorf("packages --json\n got %s\nwant %s", out, want)
	}

	alpine := host + "/pkgs/alpine:3.20"
	regtest.Push(t, alpine, imagetest.Image(t, imagetest.OCI,
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "lib/apk/db/installed", Body: readTestdata(t, "alpine/installed")}),
	))
	code, out, errs = run(t, nil, "packages", alpine)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	wantTable := `NAME                    VERSION     ARCH    SOURCE             MANAGER  LAYER
alpine-baselayout       3.6.5-r0    x86_64  alpine-baselayout  apk      0
alpine-baselayout-data  3.6.5-r0    x86_64  alpine-baselayout  apk      0
alpine-keys             2.4-r1      x86_64  alpine-keys        apk      0
apk-tools               2.14.4-r0   x86_64  apk-tools          apk      0
busybox                 1.36.1-r29  x86_64  busybox            apk      0
busybox-binsh           1.36.1-r29  x86_64  busybox            apk      0
musl                    1.2.5-r0    x86_64  musl               apk      0
zlib                    1.3.1-r1    x86_64  zlib               apk      0
`
	if out != wantTable {
		t.Errorf("packages\n got %s\nwant %s", out, wantTable)
	}
}

// TestCLIPackagesRPM lists a two-layer Fedora-style image whose second
// layer upgrades hello in rpm's SQLite database.
func TestCLIPackagesRPM(t *testing.T) {
	host := regtest.GGCR(t)
	const db = "usr/lib/sysimage/rpm/rpmdb.sqlite"
	ref := host + "/pkgs/fedora:41"
	regtest.Push(t, ref, imagetest.Image(t, imagetest.OCI,
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: db, Body: readTestdata(t, "rpm/rpmdb-1.sqlite")}),
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: db, Body: readTestdata(t, "rpm/rpmdb-2.sqlite")}),
	))
	code, out, errs := run(t, nil, "packages", "--json", ref)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	want := `{"name":"hello","version":"1.1-1","arch":"noarch","source":"hello","manager":"rpm","layer":1}
{"name":"tool","version":"2:3.4-5","arch":"noarch","source":"tool","manager":"rpm","layer":0}
{"name":"tool-libs","version":"2:3.4-5","arch":"noarch","source":"tool","manager":"rpm","layer":0}
`
	if out != want {
		t.Errorf("packages --json\n got %s\nwant %s", out, want)
	}
}
