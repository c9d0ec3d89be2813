//go:build !js

package e2e

import (
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/tartest"
)

// TestPackagesViewRPM opens the Packages view of a Fedora-style image
// whose rpm database (written by rpm itself) a second layer upgrades, and
// follows an rpm package's file to the file viewer.
func TestPackagesViewRPM(t *testing.T) {
	t.Parallel()
	read := func(name string) string {
		b, err := os.ReadFile("../pkg/packages/testdata/rpm/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	const db = "usr/lib/sysimage/rpm/rpmdb.sqlite"
	host := regtest.GGCR(t)
	ref := host + "/e2e/fedora:41"
	regtest.Push(t, ref, imagetest.Image(t, imagetest.OCI,
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: db, Body: read("rpmdb-1.sqlite")}),
		imagetest.Layer(t, imagetest.Gzip,
			tartest.Entry{Name: db, Body: read("rpmdb-2.sqlite")},
			tartest.Entry{Name: "usr/bin/hello", Body: "#!/bin/sh\n", Mode: 0o755},
		),
	))
	srv := startServerT(t, "--insecure-registry", host)

	tb := newTab(t)
	tb.navigate(pageURL(srv, "image", ref, "view", "packages"))
	tb.waitStatus(pullWait, "verified")
	tb.waitAttr(pullWait, "#packages", "data-state", "done")
	type row struct{ Name, Version, Arch, Source, Manager, Layer string }
	got := eval[[]row](tb, `[...document.querySelectorAll("#packages-table tr.pkg")].map(r => ({Name: r.dataset.name, Version: r.dataset.version, Arch: r.dataset.arch, Source: r.dataset.source, Manager: r.dataset.manager, Layer: r.dataset.layer}))`)
	want := []row{
		{"hello", "1.1-1", "noarch", "hello", "rpm", "1"},
		{"tool", "2:3.4-5", "noarch", "tool", "rpm", "0"},
		{"tool-libs", "2:3.4-5", "noarch", "tool", "rpm", "0"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("packages\n got %+v\nwant %+v", got, want)
	}

	// hello's files, from its rpm header: /usr/bin/hello opens in the viewer.
	tb.click(`tr.pkg[data-name="hello"] a[data-files]`)
	tb.waitSel(10*time.Second, `.pkg-files a[data-open-path="/usr/bin/hello"]`)
	tb.click(`.pkg-files a[data-open-path="/usr/bin/hello"]`)
	tb.waitAttr(pullWait, "#viewer", "data-path", "/usr/bin/hello")
}
