package layers

import (
	"archive/tar"
	"errors"
	"io"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
)

// image is a small multi-layer image with every kind of entry, no dangling
// symlinks (fstest.TestFS opens every path it lists).
func image(t *testing.T) *FS {
	t.Helper()
	f, _ := build(t,
		L{dirE("etc"), fileE("etc/os-release", "ID=test\n"), fileE("etc/motd", "hi"), dirE("bin"), fileE("bin/busybox", "ELF"),
			linkE("bin/sh", "busybox"), linkE("usr", "/"), dirE("dev"),
			{Name: "dev/null", Type: tar.TypeChar, Mode: 0o666, Devmajor: 1, Devminor: 3}, {Name: "run/fifo", Type: tar.TypeFifo},
			{Name: "tmp", Type: tar.TypeDir, Mode: 0o1777}},
		L{fileE("etc/.wh.motd", ""), hardE("etc/hard", "etc/os-release"), linkE("etc/rel", "../etc/./os-release"),
			linkE("abs", "/etc/os-release"), linkE("up", "../../../etc"), dirE("var/lib/empty")},
	)
	return f
}

func TestFSTestFS(t *testing.T) {
	f := image(t)
	// fstest.TestFS also tests fs.Sub of the first listed directory; over
	// the plain FS, fs.Sub's Lstat falls back to Stat, so list a directory
	// without symlinks first. LinkFS needs no such care.
	if err := fstest.TestFS(f, "dev/null", "etc/os-release", "etc/hard", "bin/sh", "dev/null", "run/fifo", "var/lib/empty", "abs", "up"); err != nil {
		t.Fatal(err)
	}
	if err := fstest.TestFS(f.LinkFS(), "etc/os-release", "etc/hard", "bin/sh", "dev/null", "run/fifo", "var/lib/empty", "abs", "up"); err != nil {
		t.Fatal(err)
	}
	if l, err := fs.ReadLink(f.LinkFS(), "etc/rel"); err != nil || l != "../etc/./os-release" {
		t.Errorf("fs.ReadLink = %q, %v", l, err)
	}
}

func TestFSFollowsSymlinks(t *testing.T) {
	f := image(t)
	for _, tc := range []struct {
		name, want string
	}{
		{"etc/os-release", "ID=test\n"},
		{"etc/rel", "ID=test\n"},
		{"abs", "ID=test\n"},
		{"up/os-release", "ID=test\n"},        // ../../.. stops at the root
		{"usr/usr/usr/etc/hard", "ID=test\n"}, // usr -> /
		{"bin/sh", "ELF"},
	} {
		b, err := f.ReadFile(tc.name)
		if err != nil || string(b) != tc.want {
			t.Errorf("ReadFile(%q) = %q, %v; want %q", tc.name, b, err, tc.want)
		}
	}
	for name, want := range map[string]string{"abs": "/etc/os-release", "up": "/etc", "usr/bin/sh": "/bin/busybox", ".": "/", "/usr": "/"} {
		if got, err := f.Resolve(name); err != nil || got != want {
			t.Errorf("Resolve(%q) = %q, %v; want %q", name, got, err, want)
		}
	}
	if e, err := f.Lstat("/bin/sh"); err != nil || e.Type != TypeSymlink || e.Link != "busybox" {
		t.Errorf("Lstat(/bin/sh) = %+v, %v", e, err)
	}
	if e, err := f.Lstat("usr/bin/sh"); err != nil || e.Path != "/bin/sh" {
		t.Errorf("Lstat(usr/bin/sh) = %+v, %v (parents are followed)", e, err)
	}
	ents, err := f.ReadDirEntries("usr/etc")
	var names []string
	for _, e := range ents {
		names = append(names, e.Path)
	}
	if err != nil || strings.Join(names, " ") != "/etc/hard /etc/os-release /etc/rel" {
		t.Errorf("ReadDirEntries(usr/etc) = %v, %v", names, err)
	}
	fi, err := f.Stat("etc/hard")
	if err != nil || fi.Size() != 8 || fi.Mode() != 0o644 || fi.Sys().(*Entry).Layer != 1 {
		t.Errorf("Stat(etc/hard) = %v, %v", fi, err)
	}
}

func TestFSErrors(t *testing.T) {
	f, _ := build(t, L{linkE("a", "b"), linkE("b", "a"), linkE("self", "self"), linkE("dangling", "nope"), fileE("file", "x"), linkE("empty", "")})
	for _, tc := range []struct {
		name string
		want error
	}{
		{"a", ErrLoop},
		{"self", fs.ErrInvalid},
		{"dangling", fs.ErrNotExist},
		{"nope", fs.ErrNotExist},
		{"file/x", errNotDir},
		{"empty", fs.ErrNotExist},
		{"/abs", fs.ErrInvalid},
		{"a/../b", fs.ErrInvalid},
	} {
		_, err := f.Open(tc.name)
		var pe *fs.PathError
		if !errors.Is(err, tc.want) || !errors.As(err, &pe) || pe.Path != tc.name {
			t.Errorf("Open(%q) err = %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, err := f.Resolve("a"); err == nil || !strings.Contains(err.Error(), "too many levels of symbolic links") {
		t.Errorf("Resolve loop: %v", err)
	}
	if _, err := f.ReadFile("."); err == nil {
		t.Error("ReadFile(.) of a directory: no error")
	}
}

func TestFSFileHandles(t *testing.T) {
	f, _ := build(t, L{fileE("f", "0123456789")})
	fl, err := f.Open("f")
	if err != nil {
		t.Fatal(err)
	}
	defer fl.Close()
	if _, err := fl.(io.Seeker).Seek(4, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(fl)
	p := make([]byte, 3)
	n, _ := fl.(io.ReaderAt).ReadAt(p, 7)
	if string(b) != "456789" || string(p[:n]) != "789" {
		t.Errorf("Seek+Read = %q, ReadAt = %q", b, p[:n])
	}
}

func TestFSWalkDirOverImage(t *testing.T) {
	f := image(t)
	var got []string
	err := fs.WalkDir(f, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		got = append(got, p)
		return nil
	})
	var walked []string
	_ = f.Walk(func(e *Entry) error { walked = append(walked, strings.TrimPrefix(e.Path, "/")); return nil })
	if err != nil || strings.Join(got[1:], " ") != strings.Join(walked, " ") || len(walked) != f.Len() {
		t.Errorf("fs.WalkDir = %v (%v)\nFS.Walk = %v, Len %d", got, err, walked, f.Len())
	}
}

// Readers share a built FS; run with -race to check.
func TestFSConcurrentReaders(t *testing.T) {
	f := image(t)
	done := make(chan error)
	for i := 0; i < 4; i++ {
		go func() {
			var err error
			for j := 0; j < 20 && err == nil; j++ {
				_, err = f.ReadFile("usr/etc/rel")
				if err == nil {
					err = fs.WalkDir(f, ".", func(string, fs.DirEntry, error) error { return nil })
				}
				if err == nil {
					_, err = f.ReadDirEntries("/etc")
				}
			}
			done <- err
		}()
	}
	for i := 0; i < 4; i++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
