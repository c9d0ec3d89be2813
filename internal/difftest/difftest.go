// Package difftest pushes the pairs of images the comparison tests share
// (pkg/diff, `regscope diff`, the page's Compare view) to a real registry,
// each with the changes a comparison must find. It exists for tests only.
package difftest

import (
	"archive/tar"
	"testing"

	ggcr "github.com/google/go-containerregistry/pkg/v1"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/tartest"
)

// Case is one pair of images and what differs between them.
type Case struct {
	Name                 string
	A, B                 string // references
	PlatformA, PlatformB string // "" for single-platform images
	// Files lists the changed paths in path order: "added /p",
	// "removed /p", "modified /p content,size" (fields alphabetically).
	Files []string
	// Config lists the config differences: "field[ key]: A → B", a value
	// quoted, or "(absent)".
	Config []string
}

type e = tartest.Entry

// base is the bottom layer every image starts with.
func base() []e {
	return []e{
		{Name: "etc/", Type: tar.TypeDir},
		{Name: "etc/os-release", Body: "ID=difftest\n"},
		{Name: "bin/", Type: tar.TypeDir},
		{Name: "bin/sh", Body: "#!shell\n", Mode: 0o755},
	}
}

// Push pushes every case's images to host and returns the cases.
func Push(t testing.TB, host string) []Case {
	t.Helper()
	pair := func(name string, a, b [][]e, files ...string) Case {
		c := Case{Name: name, A: host + "/diff/" + name + ":a", B: host + "/diff/" + name + ":b", Files: files}
		regtest.Push(t, c.A, image(t, a))
		regtest.Push(t, c.B, image(t, b))
		return c
	}
	L := func(ls ...[]e) [][]e { return append([][]e{base()}, ls...) }
	cases := []Case{
		pair("added", L(), L([]e{{Name: "usr/new", Body: "new\n"}}),
			"added /usr", "added /usr/new"),
		pair("removed", L([]e{{Name: "opt/old", Body: "old\n"}}), L(),
			"removed /opt", "removed /opt/old"),
		pair("same-size", L([]e{{Name: "etc/motd", Body: "hello A\n"}}), L([]e{{Name: "etc/motd", Body: "hello B\n"}}),
			"modified /etc/motd content"),
		pair("mode", L([]e{{Name: "run.sh", Body: "x\n", Mode: 0o644}}), L([]e{{Name: "run.sh", Body: "x\n", Mode: 0o4755}}),
			"modified /run.sh mode"),
		pair("owner", L([]e{{Name: "home/", Type: tar.TypeDir}, {Name: "home/app", Body: "a"}}),
			L([]e{{Name: "home/", Type: tar.TypeDir}, {Name: "home/app", Body: "a", UID: 1000, GID: 1000}}),
			"modified /home/app gid,uid"),
		pair("symlink", L([]e{{Name: "bin/bash", Type: tar.TypeSymlink, Link: "sh"}}),
			L([]e{{Name: "bin/bash", Type: tar.TypeSymlink, Link: "/bin/sh"}}),
			"modified /bin/bash link"),
		pair("file-to-dir", L([]e{{Name: "srv", Body: "x"}}), L([]e{{Name: "srv/", Type: tar.TypeDir}, {Name: "srv/www", Body: "w"}}),
			"modified /srv mode,size,type", "added /srv/www"),
		pair("whiteout", L([]e{{Name: "tmp/a", Body: "a"}, {Name: "tmp/b", Body: "b"}}),
			L([]e{{Name: "tmp/a", Body: "a"}, {Name: "tmp/b", Body: "b"}}, []e{{Name: "tmp/.wh.a"}}),
			"removed /tmp/a"),
		pair("opaque", L([]e{{Name: "var/d/x", Body: "x"}, {Name: "var/d/y", Body: "y"}}),
			L([]e{{Name: "var/d/x", Body: "x"}, {Name: "var/d/y", Body: "y"}}, []e{{Name: "var/d/.wh..wh..opq"}, {Name: "var/d/z", Body: "z"}}),
			"removed /var/d/x", "removed /var/d/y", "added /var/d/z"),
		pair("hardlinks",
			L([]e{{Name: "usr/bin/curl", Body: "curl binary"}, {Name: "usr/local/curl", Type: tar.TypeLink, Link: "usr/bin/curl"},
				{Name: "usr/lib/a", Body: "one"}, {Name: "usr/lib/b", Type: tar.TypeLink, Link: "usr/lib/a"}}),
			L([]e{{Name: "usr/bin/curl", Body: "curl binary"}, {Name: "usr/local/curl", Type: tar.TypeLink, Link: "usr/bin/curl"},
				{Name: "usr/lib/a", Body: "one"}, {Name: "usr/lib/c", Body: "two"}, {Name: "usr/lib/b", Type: tar.TypeLink, Link: "usr/lib/c"}},
				[]e{{Name: "usr/bin/.wh.curl"}}),
			"removed /usr/bin/curl", "modified /usr/lib/b content", "added /usr/lib/c"),
		pair("layer-split", L([]e{{Name: "app/one", Body: "1"}, {Name: "app/two", Body: "2"}}),
			L([]e{{Name: "app/one", Body: "1"}}, []e{{Name: "app/two", Body: "2"}})),
	}
	idx := host + "/diff/platforms:multi"
	regtest.PushIndex(t, idx, imagetest.Index(t, imagetest.OCI,
		imagetest.Entry{Platform: "linux/amd64", Image: imageFor(t, "linux/amd64", L([]e{{Name: "etc/arch", Body: "amd64\n"}}))},
		imagetest.Entry{Platform: "linux/arm64", Image: imageFor(t, "linux/arm64", L([]e{{Name: "etc/arch", Body: "arm64\n"}, {Name: "etc/arm", Body: "yes\n"}}))},
	))
	return append(cases, Case{Name: "platforms", A: idx, B: idx, PlatformA: "linux/amd64", PlatformB: "linux/arm64",
		Files:  []string{"modified /etc/arch content", "added /etc/arm"},
		Config: []string{`platform: "linux/amd64" → "linux/arm64"`}})
}

func image(t testing.TB, layers [][]e) ggcr.Image {
	return imageFor(t, "linux/amd64", layers)
}

func imageFor(t testing.TB, platform string, layers [][]e) ggcr.Image {
	t.Helper()
	p, err := ggcr.ParsePlatform(platform)
	if err != nil {
		t.Fatal(err)
	}
	var ls []ggcr.Layer
	for _, entries := range layers {
		ls = append(ls, imagetest.Layer(t, imagetest.Gzip, entries...))
	}
	return imagetest.ImageFor(t, imagetest.OCI, *p, ls...)
}
