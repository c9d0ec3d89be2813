//go:build linux

package layers

import (
	"archive/tar"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/regscope/regscope/internal/tartest"
)

// TestHardlinkInodes checks that hardlinks are names of one file: when a
// later layer deletes, replaces or whites out some names, the others stay
// linked to each other and the last one is a regular file. Each case is
// checked twice: against the listing the package documents (which name is
// the regular file), and against the same layers unpacked onto a real
// Linux filesystem — what an overlay mount shows — by inode.
func TestHardlinkInodes(t *testing.T) {
	hard := func(name, target string) tartest.Entry {
		return tartest.Entry{Name: name, Type: tar.TypeLink, Link: target}
	}
	file := func(name, body string) tartest.Entry { return tartest.Entry{Name: name, Body: body} }
	curl := strings.Repeat("curl!", 100)
	for _, tc := range []struct {
		name   string
		layers [][]tartest.Entry
		want   string // dumpShort of the merged filesystem
	}{
		{"target deleted (apt-get purge)", [][]tartest.Entry{
			{file("usr/bin/curl", curl), hard("usr/local/bin/curl-hardlink", "usr/bin/curl")},
			{file("usr/bin/.wh.curl", "")}},
			"/usr dir\n/usr/bin dir\n/usr/local dir\n/usr/local/bin dir\n/usr/local/bin/curl-hardlink file =" + curl},
		{"target replaced", [][]tartest.Entry{
			{file("b", "old"), hard("a", "b")},
			{file("b", "new content")}},
			"/a file =old\n/b file =new content"},
		{"chain of three names losing the first", [][]tartest.Entry{
			{file("a", "x"), hard("b", "a"), hard("c", "b")},
			{file(".wh.a", "")}},
			"/b file =x\n/c hardlink ->/b =x"},
		{"chain of three names losing the first and then the second", [][]tartest.Entry{
			{file("a", "x"), hard("b", "a"), hard("c", "b")},
			{file(".wh.a", "")},
			{file(".wh.b", "")}},
			"/c file =x"},
		{"opaque directory removes the target", [][]tartest.Entry{
			{file("d/t", "t"), hard("h", "d/t")},
			{file("d/.wh..wh..opq", ""), file("d/n", "n")}},
			"/d dir\n/d/n file =n\n/h file =t"},
		{"target replaced by a directory", [][]tartest.Entry{
			{file("t", "t"), hard("h", "t")},
			{{Name: "t/", Type: tar.TypeDir}, file("t/x", "x")}},
			"/h file =t\n/t dir\n/t/x file =x"},
		{"target replaced by a symlink", [][]tartest.Entry{
			{file("t", "t"), hard("h", "t")},
			{{Name: "t", Type: tar.TypeSymlink, Link: "h"}}},
			"/h file =t\n/t symlink ->h"},
		{"whiteout of the target's directory keeps the other names linked", [][]tartest.Entry{
			{file("d/f", "f"), hard("x", "d/f"), hard("y", "d/f")},
			{file(".wh.d", "")}},
			"/x file =f\n/y hardlink ->/x =f"},
		{"link in a later layer, then the lower name replaced", [][]tartest.Entry{
			{file("f", "lower")},
			{hard("h", "f")},
			{file("f", "upper")}},
			"/f file =upper\n/h file =lower"},
		{"a link name deleted: the file stays", [][]tartest.Entry{
			{file("f", "f"), hard("h", "f"), hard("g", "f")},
			{file(".wh.h", "")}},
			"/f file =f\n/g hardlink ->/f =f"},
		{"every name deleted", [][]tartest.Entry{
			{file("d/f", "f"), hard("d/h", "d/f")},
			{file(".wh.d", "")}},
			""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, _ := build(t, tc.layers...)
			if got := dumpShort(t, f); got != tc.want {
				t.Errorf("merged:\n%s\nwant:\n%s", got, tc.want)
			}
			if got, want := inodeListing(t, f), diskListing(t, tc.layers); got != want {
				t.Errorf("by inode:\n%s\non disk:\n%s", got, want)
			}
		})
	}
}

// inodeListing lists f one path a line, hardlinks and files alike as
// "file", each file with the sorted names of its inode.
func inodeListing(t *testing.T, f *FS) string {
	t.Helper()
	groups := map[string][]string{} // regular-file path → its names
	var lines []string
	var order []*Entry
	err := f.Walk(func(e *Entry) error {
		order = append(order, e)
		switch e.Type {
		case TypeFile:
			groups[e.Path] = append(groups[e.Path], e.Path)
		case TypeHardlink:
			if t, err := f.Lstat(e.Link); err != nil || t.Type != TypeFile {
				return &fs.PathError{Op: "hardlink target is not a regular file", Path: e.Path, Err: fs.ErrInvalid}
			}
			groups[e.Link] = append(groups[e.Link], e.Path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range order {
		switch e.Type {
		case TypeFile, TypeHardlink:
			key := e.Path
			if e.Type == TypeHardlink {
				key = e.Link
			}
			names := slices.Sorted(slices.Values(groups[key]))
			b, _ := io.ReadAll(io.NewSectionReader(e.Content, 0, e.Content.Size()))
			lines = append(lines, e.Path+" file "+strings.Join(names, ",")+" ="+string(b))
		case TypeSymlink:
			lines = append(lines, e.Path+" symlink ->"+e.Link)
		default:
			lines = append(lines, e.Path+" "+e.Type.String())
		}
	}
	return strings.Join(lines, "\n")
}

// diskListing unpacks layers onto a temporary directory with the kernel's
// own hard links, the way Docker's unpacker applies layers to a
// filesystem, and lists it like inodeListing.
func diskListing(t *testing.T, layers [][]tartest.Entry) string {
	t.Helper()
	root := t.TempDir()
	at := func(name string) string { return filepath.Join(root, filepath.FromSlash(name)) }
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, l := range layers {
		for _, e := range l {
			name := strings.TrimSuffix(e.Name, "/")
			dir, base := filepath.Dir(at(name)), filepath.Base(name)
			must(os.MkdirAll(dir, 0o755))
			switch {
			case base == ".wh..wh..opq":
				ents, err := os.ReadDir(dir)
				must(err)
				for _, c := range ents {
					must(os.RemoveAll(filepath.Join(dir, c.Name())))
				}
			case strings.HasPrefix(base, ".wh."):
				must(os.RemoveAll(filepath.Join(dir, strings.TrimPrefix(base, ".wh."))))
			case e.Type == tar.TypeDir:
				if fi, err := os.Lstat(at(name)); err != nil || !fi.IsDir() {
					must(os.RemoveAll(at(name)))
					must(os.Mkdir(at(name), 0o755))
				}
			case e.Type == tar.TypeSymlink:
				must(os.RemoveAll(at(name)))
				must(os.Symlink(e.Link, at(name)))
			case e.Type == tar.TypeLink:
				must(os.RemoveAll(at(name)))
				must(os.Link(at(e.Link), at(name)))
			default:
				must(os.RemoveAll(at(name)))
				must(os.WriteFile(at(name), []byte(e.Body), 0o644))
			}
		}
	}
	byIno := map[uint64][]string{}
	var lines []string
	type pending struct {
		line string
		ino  uint64
		body string
	}
	var files []pending
	must(filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == root {
			return err
		}
		name := "/" + filepath.ToSlash(strings.TrimPrefix(p, root+string(filepath.Separator)))
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		switch {
		case fi.Mode().IsRegular():
			ino := fi.Sys().(*syscall.Stat_t).Ino
			byIno[ino] = append(byIno[ino], name)
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			files = append(files, pending{name, ino, string(b)})
			lines = append(lines, "")
		case fi.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			lines = append(lines, name+" symlink ->"+target)
		default:
			lines = append(lines, name+" dir")
		}
		return nil
	}))
	// Fill in the files' lines now that every name of each inode is known.
	fi := 0
	for i, l := range lines {
		if l == "" {
			p := files[fi]
			fi++
			names := slices.Sorted(slices.Values(byIno[p.ino]))
			lines[i] = p.line + " file " + strings.Join(names, ",") + " =" + p.body
		}
	}
	return strings.Join(lines, "\n")
}
