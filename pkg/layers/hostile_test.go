package layers

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/opencontainers/go-digest"

	"github.com/regscope/regscope/internal/tartest"
)

// Hostile layers, built by the tests: each must end in a defined result or
// a clear error, never a crash, an escape from "/" or unbounded memory.
// docs/RELIABILITY.md lists them.

// readErr reads tar bytes with lim and returns the error (and the change set).
func readErr(t *testing.T, b []byte, lim Limits) (*ChangeSet, error) {
	t.Helper()
	cs, _, err := Read(bytes.NewReader(b), "", nil, lim)
	if err != nil && cs != nil {
		t.Errorf("Read returned a change set with error %v", err)
	}
	return cs, err
}

// applyErr applies each list of entries as one layer and returns the first error.
func applyErr(t *testing.T, layers ...[]tartest.Entry) (*FS, error) {
	t.Helper()
	f := NewFS()
	for i, l := range layers {
		if _, err := f.Apply(i, readLayer(t, l)); err != nil {
			return f, err
		}
	}
	return f, nil
}

// allocated runs fn and returns the bytes it allocated on the heap.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func TestHostileTraversal(t *testing.T) {
	f, err := applyErr(t,
		[]tartest.Entry{
			{Name: "../../x", Body: "up"},
			{Name: "/abs/y", Body: "abs"},
			{Name: "a/../../../z", Body: "z"},
			{Name: "out", Type: tar.TypeSymlink, Link: "../../../../etc"},
			{Name: "root", Type: tar.TypeSymlink, Link: "/"},
		},
		[]tartest.Entry{
			{Name: "out/passwd", Body: "through a symlinked parent"},
			{Name: "root/../../w", Body: "w"},
		})
	if err != nil {
		t.Fatal(err)
	}
	want := "/abs dir\n/abs/y file =abs\n/out dir\n/out/passwd file =through a symlinked parent\n/root symlink ->/\n/w file =w\n/x file =up\n/z file =z"
	got := dumpShort(t, f)
	if got != want {
		t.Errorf("merged:\n%s\nwant:\n%s", got, want)
	}
	// The symlink pointing "outside" resolves inside the root.
	f2, _ := applyErr(t, []tartest.Entry{{Name: "etc/passwd", Body: "inside"}, {Name: "out", Type: tar.TypeSymlink, Link: "../../../../etc"}})
	if p, err := f2.Resolve("out/passwd"); err != nil || p != "/etc/passwd" {
		t.Errorf("Resolve(out/passwd) = %q, %v", p, err)
	}
	if b, err := f2.ReadFile("out/passwd"); err != nil || string(b) != "inside" {
		t.Errorf("ReadFile(out/passwd) = %q, %v", b, err)
	}
}

// dumpShort lists "path type [->link] [=content]" a line.
func dumpShort(t *testing.T, f *FS) string {
	var lines []string
	err := f.Walk(func(e *Entry) error {
		s := e.Path + " " + e.Type.String()
		if e.Link != "" {
			s += " ->" + e.Link
		}
		if e.Content != nil {
			b, _ := io.ReadAll(io.NewSectionReader(e.Content, 0, e.Content.Size()))
			s += " =" + string(b)
		}
		lines = append(lines, s)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

func TestHostileSymlinks(t *testing.T) {
	chain := func(n int) []tartest.Entry { // l0 -> l1 -> … -> ln -> target
		es := []tartest.Entry{{Name: "target", Body: "end"}}
		for i := 0; i < n; i++ {
			es = append(es, tartest.Entry{Name: fmt.Sprintf("l%d", i), Type: tar.TypeSymlink, Link: fmt.Sprintf("l%d", i+1)})
		}
		return append(es, tartest.Entry{Name: fmt.Sprintf("l%d", n), Type: tar.TypeSymlink, Link: "/target"})
	}
	for _, tc := range []struct {
		name    string
		entries []tartest.Entry
		open    string
		loop    bool
	}{
		{"self loop", []tartest.Entry{{Name: "a", Type: tar.TypeSymlink, Link: "a"}}, "a", true},
		{"two-link loop", []tartest.Entry{{Name: "a", Type: tar.TypeSymlink, Link: "b"}, {Name: "b", Type: tar.TypeSymlink, Link: "./a"}}, "a", true},
		{"loop in a parent", []tartest.Entry{{Name: "d", Type: tar.TypeSymlink, Link: "d/x"}}, "d/x/y", true},
		{"dir loop via ..", []tartest.Entry{{Name: "d/", Type: tar.TypeDir}, {Name: "d/up", Type: tar.TypeSymlink, Link: "../d/up"}}, "d/up", true},
		{"chain of 40 hops", chain(39), "l0", false},
		{"chain of 41 hops", chain(40), "l0", true},
		{"chain of 100 hops", chain(100), "l0", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := applyErr(t, tc.entries)
			if err != nil {
				t.Fatal(err)
			}
			_, rerr := f.Resolve(tc.open)
			_, oerr := f.ReadFile(tc.open)
			if !tc.loop {
				if rerr != nil || oerr != nil {
					t.Errorf("Resolve: %v; ReadFile: %v", rerr, oerr)
				}
				return
			}
			for _, err := range []error{rerr, oerr} {
				if !errors.Is(err, ErrLoop) || !errors.Is(err, fs.ErrInvalid) ||
					!strings.Contains(err.Error(), "too many levels of symbolic links") || !strings.Contains(err.Error(), tc.open) {
					t.Errorf("err = %v, want ErrLoop naming %q", err, tc.open)
				}
			}
			if _, err := f.Lstat(tc.open); err != nil && !strings.Contains(tc.open, "/") {
				t.Errorf("Lstat(%q) = %v: the link itself is listable", tc.open, err)
			}
		})
	}
}

func TestHostileHardlinks(t *testing.T) {
	for _, tc := range []struct {
		name   string
		layers [][]tartest.Entry
		want   string // error substring, or the merged dump
	}{
		{"to a missing path", [][]tartest.Entry{{{Name: "h", Type: tar.TypeLink, Link: "nowhere"}}},
			`layer 0: hardlink "/h": target "/nowhere" does not exist`},
		{"to a directory", [][]tartest.Entry{{{Name: "d/", Type: tar.TypeDir}, {Name: "h", Type: tar.TypeLink, Link: "d"}}},
			`layer 0: hardlink "/h": target "/d" is a directory`},
		{"to the root", [][]tartest.Entry{{{Name: "h", Type: tar.TypeLink, Link: "../.."}}},
			`target "/" is a directory`},
		{"to a symlink: a copy of it", [][]tartest.Entry{{{Name: "s", Type: tar.TypeSymlink, Link: "/etc"}, {Name: "h", Type: tar.TypeLink, Link: "s"}}},
			"/h symlink ->/etc\n/s symlink ->/etc"},
		{"forward reference in one layer", [][]tartest.Entry{{{Name: "h", Type: tar.TypeLink, Link: "f"}, {Name: "f", Body: "later"}}},
			`layer 0: hardlink "/h": target "/f" does not exist`},
		{"forward reference over a lower layer: the target as it is at the link", [][]tartest.Entry{
			{{Name: "f", Body: "lower"}},
			{{Name: "h", Type: tar.TypeLink, Link: "f"}, {Name: "f", Body: "upper"}}},
			"/f file =upper\n/h file =lower"},
		{"through a symlinked parent: lexical, not followed", [][]tartest.Entry{
			{{Name: "etc/passwd", Body: "p"}, {Name: "l", Type: tar.TypeSymlink, Link: "etc"}, {Name: "h", Type: tar.TypeLink, Link: "l/passwd"}}},
			`target "/l/passwd" does not exist`},
		{"to itself", [][]tartest.Entry{{{Name: "h", Type: tar.TypeLink, Link: "h"}}}, `target "/h" does not exist`},
		{"chain of hardlinks", [][]tartest.Entry{{{Name: "f", Body: "x"}, {Name: "h1", Type: tar.TypeLink, Link: "f"}, {Name: "h2", Type: tar.TypeLink, Link: "h1"}}},
			"/f file =x\n/h1 hardlink ->/f =x\n/h2 hardlink ->/f =x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := applyErr(t, tc.layers...)
			if err != nil {
				if !strings.Contains(err.Error(), tc.want) {
					t.Errorf("err = %v, want %q", err, tc.want)
				}
				return
			}
			if got := dumpShort(t, f); got != tc.want {
				t.Errorf("merged:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

func TestHostileDuplicatesAndWhiteouts(t *testing.T) {
	lower := []tartest.Entry{{Name: "etc/x", Body: "x"}, {Name: "keep", Body: "k"}}
	for _, tc := range []struct {
		name   string
		layers [][]tartest.Entry
		want   string // the merged dump, or an error substring prefixed "error: "
	}{
		{"same file twice: the last wins", [][]tartest.Entry{{{Name: "f", Body: "1"}, {Name: "f", Body: "2"}}}, "/f file =2"},
		{"dir then file", [][]tartest.Entry{{{Name: "d/", Type: tar.TypeDir}, {Name: "d/c", Body: "c"}, {Name: "d", Body: "file"}}}, "/d file =file"},
		{"file then dir", [][]tartest.Entry{{{Name: "d", Body: "file"}, {Name: "d/c", Body: "c"}}}, "/d dir\n/d/c file =c"},
		{"whiteout of a missing path creates nothing", [][]tartest.Entry{lower, {{Name: "no/such/.wh.thing"}, {Name: ".wh.ghost"}}},
			"/etc dir\n/etc/x file =x\n/keep file =k"},
		{"opaque marker at the root hides every lower path", [][]tartest.Entry{lower, {{Name: ".wh..wh..opq"}, {Name: "new", Body: "n"}}}, "/new file =n"},
		{"whiteout at the root", [][]tartest.Entry{lower, {{Name: ".wh.etc"}}}, "/keep file =k"},
		{"whiteout named through ..", [][]tartest.Entry{lower, {{Name: "../../.wh.keep"}}}, "/etc dir\n/etc/x file =x"},
		{"whiteout of . refused", [][]tartest.Entry{lower, {{Name: "./.wh.."}}}, `error: layer entry "./.wh..": invalid whiteout name`},
		{"whiteout of .. refused", [][]tartest.Entry{lower, {{Name: "etc/.wh..."}}}, `error: invalid whiteout name`},
		{"whiteout then same path again", [][]tartest.Entry{lower, {{Name: ".wh.keep"}, {Name: "keep", Body: "again"}}}, "/etc dir\n/etc/x file =x\n/keep file =again"},
		{"file replacing the root refused", [][]tartest.Entry{{{Name: ".", Body: "x", Type: tar.TypeReg}}}, `error: cannot replace the root directory`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := NewFS()
			var err error
			for i, l := range tc.layers {
				var b []byte
				if b, err = tartest.Build(l); err != nil {
					t.Fatal(err)
				}
				var cs *ChangeSet
				if cs, err = readErr(t, b, Limits{}); err != nil {
					break
				}
				if _, err = f.Apply(i, cs); err != nil {
					break
				}
			}
			if want, ok := strings.CutPrefix(tc.want, "error: "); ok {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("err = %v, want %q", err, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := dumpShort(t, f); got != tc.want {
				t.Errorf("merged:\n%s\nwant:\n%s", got, tc.want)
			}
			if e, err := f.Lstat("/"); err != nil || e.Type != TypeDir {
				t.Errorf("root: %v, %v", e, err)
			}
		})
	}
}

// deepEntries is a chain of n nested directories with a file at the bottom,
// each directory its own entry.
func deepEntries(n int) ([]tartest.Entry, string) {
	var es []tartest.Entry
	p := ""
	for i := 0; i < n; i++ {
		p += "d/"
		es = append(es, tartest.Entry{Name: p, Type: tar.TypeDir})
	}
	return append(es, tartest.Entry{Name: p + "bottom", Body: "deep"}), p + "bottom"
}

func TestHostileDeepNesting(t *testing.T) {
	const levels = 2000
	entries, bottom := deepEntries(levels)
	b := tartest.Layer(t, entries)
	_, err := readErr(t, b, Limits{})
	var le *LimitError
	if !errors.As(err, &le) || le.Limit != "MaxPathDepth" || le.Value != 257 {
		t.Fatalf("default limits: err = %v, want MaxPathDepth at depth 257", err)
	}
	// Lifted: it works, and nothing recurses by depth. A small stack limit
	// makes a recursive walk over 2,000 levels crash the test.
	defer debug.SetMaxStack(debug.SetMaxStack(256 << 10))
	lim := Limits{MaxPathDepth: -1}
	cs, err := readErr(t, b, lim)
	if err != nil {
		t.Fatal(err)
	}
	f := NewFS()
	if _, err := f.Apply(0, cs); err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := f.Walk(func(*Entry) error { n++; return nil }); err != nil || n != levels+1 {
		t.Errorf("Walk: %d entries, %v", n, err)
	}
	if got, err := f.ReadFile(bottom); err != nil || string(got) != "deep" {
		t.Errorf("ReadFile(bottom) = %q, %v", got, err)
	}
	// A link at the bottom back to the top, then a whiteout and an opaque
	// marker over the whole depth (dropChildren, prune).
	up := []tartest.Entry{{Name: bottom[:len(bottom)-len("bottom")] + "top", Type: tar.TypeSymlink, Link: "/d"}}
	cs2, err := readErr(t, tartest.Layer(t, up), lim)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Apply(1, cs2); err != nil {
		t.Fatal(err)
	}
	if p, err := f.Resolve(up[0].Name + "/d/d"); err != nil || p != "/d/d/d" {
		t.Errorf("Resolve via the deep link = %q, %v", p, err)
	}
	cs3, _ := readErr(t, tartest.Layer(t, []tartest.Entry{{Name: ".wh..wh..opq"}, {Name: "d/d/.wh.d"}}), lim)
	if _, err := f.Apply(2, cs3); err != nil {
		t.Fatal(err)
	}
	cs4, _ := readErr(t, tartest.Layer(t, []tartest.Entry{{Name: ".wh.d"}}), lim)
	if _, err := f.Apply(3, cs4); err != nil {
		t.Fatal(err)
	}
	if f.Len() != 0 {
		t.Errorf("after the whiteout: %d entries, want 0", f.Len())
	}
}

func TestHostileNames(t *testing.T) {
	names := []string{"bad\xff\xfename", "new\nline", "esc\x1b[31mred", "tab\there", "nul-free\u202ertl"}
	var es []tartest.Entry
	for _, n := range names {
		es = append(es, tartest.Entry{Name: "n/" + n, Body: n, Format: tar.FormatPAX})
	}
	f, err := applyErr(t, es)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		// The FS's own methods take any bytes …
		e, err := f.Lstat("/n/" + n)
		if err != nil || e.Content == nil {
			t.Fatalf("Lstat(%q) = %v, %v", n, e, err)
		}
		b := make([]byte, e.Size)
		if _, err := e.Content.ReadAt(b, 0); err != nil || string(b) != n {
			t.Errorf("content of %q = %q, %v", n, b, err)
		}
		// … io/fs methods only valid UTF-8 (fs.ValidPath): fs.ErrInvalid.
		b, err = f.ReadFile("n/" + n)
		if utf8.ValidString(n) != (err == nil) || (err != nil && !errors.Is(err, fs.ErrInvalid)) {
			t.Errorf("ReadFile(%q) = %q, %v", n, b, err)
		}
	}
	kids, err := f.ReadDirEntries("/n")
	if err != nil || len(kids) != len(names) {
		t.Fatalf("ReadDirEntries: %d, %v", len(kids), err)
	}
	for _, k := range kids {
		if !strings.Contains(strings.Join(names, "|"), k.Path[len("/n/"):]) {
			t.Errorf("name changed: %q", k.Path)
		}
	}
}

// rawPAX returns a tar whose first entry "x" carries a PAX extended header
// of n bytes, written by hand: archive/tar's writer refuses more than 1 MiB.
func rawPAX(t *testing.T, n int) []byte {
	rec := func(k, v string) string { // "len key=value\n", len counting itself
		body := " " + k + "=" + v + "\n"
		l := len(body) + 1
		for len(fmt.Sprint(l))+len(body) != l {
			l++
		}
		return fmt.Sprint(l) + body
	}
	records := rec("SCHILY.xattr.user.big", strings.Repeat("v", n))
	b := tartest.Layer(t, []tartest.Entry{{Name: "PaxHeaders/x", Body: records, Format: tar.FormatUSTAR}, {Name: "x", Format: tar.FormatUSTAR}})
	b[156] = tar.TypeXHeader
	copy(b[148:156], "        ")
	sum := 0
	for _, c := range b[:512] {
		sum += int(c)
	}
	copy(b[148:156], fmt.Sprintf("%06o\x00 ", sum))
	return b
}

func TestHostilePAX(t *testing.T) {
	// Under the default (1 MiB): accepted.
	if cs, err := readErr(t, rawPAX(t, 512<<10), Limits{}); err != nil || len(cs.Entries) != 1 || cs.Entries[0].Path != "/x" {
		t.Errorf("512 KiB of PAX records: %v", err)
	}
	_, err := readErr(t, rawPAX(t, 512<<10), Limits{MaxPAXBytes: 64 << 10})
	var le *LimitError
	if !errors.As(err, &le) || le.Limit != "MaxPAXBytes" || le.Path != "x" {
		t.Errorf("over MaxPAXBytes: %v", err)
	}
	// Over 1 MiB archive/tar refuses the header itself, whatever our limit.
	_, err = readErr(t, rawPAX(t, 2<<20), Limits{MaxPAXBytes: -1})
	if !errors.Is(err, tar.ErrFieldTooLong) || !strings.Contains(err.Error(), "reading tar (after 0 entries)") {
		t.Errorf("2 MiB of PAX records: %v, want archive/tar's ErrFieldTooLong", err)
	}
}

func TestHostileTruncated(t *testing.T) {
	full := tartest.Layer(t, []tartest.Entry{{Name: "a", Body: "first"}, {Name: "big", Body: strings.Repeat("b", 10000)}, {Name: "c", Body: "3"}})
	for _, tc := range []struct {
		name string
		body []byte
		want string
	}{
		{"mid-body", full[:512*2+512+5000], `layer entry "big": storing 10000 bytes: store: after 5000 of 10000 bytes: unexpected EOF`},
		{"mid-header", full[:512*2+100], `reading tar (after 1 entries): unexpected EOF`},
		{"mid-body, gzip", tartest.Gzip(t, full[:512*2+512+5000]), `layer entry "big": storing 10000 bytes`},
		{"gzip stream cut", tartest.Gzip(t, full)[:40], `unexpected EOF`},
		{"zstd stream cut", tartest.Zstd(t, full)[:100], `unexpected EOF`},
		{"declared 10 GB, body cut", tartest.Layer(t, []tartest.Entry{{Name: "huge", Body: "tiny", Size: 10 << 30}}), `layer entry "huge": storing 10737418240 bytes: store: after 4 of 10737418240 bytes: unexpected EOF`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs, err := readErr(t, tc.body, Limits{})
			if err == nil || !strings.Contains(err.Error(), tc.want) || cs != nil {
				t.Errorf("err = %v, want %q and no change set", err, tc.want)
			}
		})
	}
}

// countStore counts Put calls and the sizes asked for.
type countStore struct {
	puts  int
	sizes []int64
}

func (c *countStore) Put(r io.Reader, size int64) (Content, error) {
	c.puts++
	c.sizes = append(c.sizes, size)
	return MemStore().Put(r, size)
}

func TestHostileDeclaredSize(t *testing.T) {
	lie := tartest.Layer(t, []tartest.Entry{{Name: "huge", Body: "only a few bytes", Size: 10 << 30}})
	// A MaxStored below the declared size refuses the header before the
	// Store is asked.
	var cstore countStore
	_, _, err := Read(bytes.NewReader(lie), "", &cstore, Limits{MaxStored: 1 << 30})
	var le *LimitError
	if !errors.As(err, &le) || le.Limit != "MaxStored" || cstore.puts != 0 {
		t.Errorf("MaxStored 1 GiB: err = %v, %d Puts; want MaxStored before any Put", err, cstore.puts)
	}
	// With the default limits (no size limit) the Store is asked for 10 GB
	// and must not allocate them.
	var rerr error
	n := allocated(func() { _, _, rerr = Read(bytes.NewReader(lie), "", MemStore(), Limits{}) })
	if rerr == nil || !strings.Contains(rerr.Error(), "after 16 of 10737418240 bytes: unexpected EOF") {
		t.Errorf("unlimited: err = %v", rerr)
	}
	if n > 16<<20 {
		t.Errorf("a 10 GB header with a 16-byte body allocated %d bytes", n)
	}
	// MemStore's chunks read back across their boundaries.
	body := bytes.Repeat([]byte("0123456789abcdef"), (3*memChunk)/16+7)
	c, err := MemStore().Put(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 100)
	if _, err := c.ReadAt(got, memChunk-50); err != nil || !bytes.Equal(got, body[memChunk-50:memChunk+50]) {
		t.Errorf("ReadAt across a chunk: %q, %v", got, err)
	}
	if all, err := io.ReadAll(io.NewSectionReader(c, 0, c.Size())); err != nil || !bytes.Equal(all, body) {
		t.Errorf("ReadAll: %d bytes, %v", len(all), err)
	}
	if n, err := c.ReadAt(got, c.Size()-10); n != 10 || err != io.EOF {
		t.Errorf("ReadAt at the end: %d, %v", n, err)
	}
}

func TestHostileBombs(t *testing.T) {
	d := DefaultLimits()
	if d.MaxBytes <= 0 || d.MaxEntries <= 0 || d.MaxRatio <= 0 || d.MaxMetaBytes <= 0 || d.MaxPathDepth <= 0 || d.MaxPAXBytes <= 0 {
		t.Fatalf("a default limit is missing: %+v", d)
	}
	const max = 64 << 20
	lim := Limits{MaxBytes: max, MaxRatio: -1} // MaxBytes alone
	// A whiteout declaring a 1 TiB body, then zstd zeros as that body: the
	// tar reader skips it, through the hashing counter.
	whiteoutBody := tartest.Layer(t, []tartest.Entry{{Name: ".wh.x", Body: "", Size: 1 << 40}})
	for _, tc := range []struct {
		name string
		body []byte
		path string
	}{
		{"zstd: 512 KiB → 16 GiB of zeros", tartest.ZeroZstd(16 << 30), "(after end of archive)"},
		{"gzip members: 1 MiB → 1 GiB of zeros", tartest.ZeroGzip(t, 1<<30), "(after end of archive)"},
		{"a 1 TiB whiteout body (skipped, never stored)", append(tartest.Zstd(t, whiteoutBody), tartest.ZeroZstd(16<<30)...), ".wh.x"},
		{"a 1 TiB file", tartest.Layer(t, []tartest.Entry{{Name: "f", Body: "x", Size: 1 << 40}}), "f"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := tc.body
			start := time.Now()
			var err error
			n := allocated(func() { _, _, err = Read(bytes.NewReader(body), "", nil, lim) })
			var le *LimitError
			if !errors.As(err, &le) || le.Limit != "MaxBytes" || le.Max != max {
				t.Fatalf("err = %v, want MaxBytes", err)
			}
			if tc.path != "" && le.Path != tc.path {
				t.Errorf("LimitError names %q, want %q", le.Path, tc.path)
			}
			if n > 48<<20 {
				t.Errorf("allocated %d bytes to refuse a bomb at %d", n, max)
			}
			t.Logf("%d compressed bytes refused in %v, %d bytes allocated: %v", len(body), time.Since(start).Round(time.Millisecond), n, err)
		})
	}
}

// TestHostileSparse: a sparse file costs five blocks of the stream however
// large it expands; MaxBytes counts its expanded size, so sparse files that
// each fit cannot together expand past it.
func TestHostileSparse(t *testing.T) {
	const max = 1 << 20
	lim := Limits{MaxBytes: max, MaxRatio: -1} // MaxBytes alone
	one := tartest.Sparse{Name: "one", RealSize: 400 << 10, Last: '1'}
	cs, st, err := Read(bytes.NewReader(tartest.SparseArchive(one)), "", nil, lim)
	if err != nil {
		t.Fatalf("one sparse file of 400 KiB: %v", err)
	}
	want := make([]byte, one.RealSize)
	want[len(want)-1] = '1'
	if len(cs.Entries) != 1 || cs.Entries[0].Path != "/one" || cs.Entries[0].Size != one.RealSize {
		t.Fatalf("entries %+v", cs.Entries)
	}
	got, err := io.ReadAll(io.NewSectionReader(cs.Entries[0].Content, 0, one.RealSize))
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("content: %d bytes, %v; want 400 KiB of zeros ending in '1'", len(got), err)
	}
	if st.Size != 5*512+1024 {
		t.Errorf("Stats.Size = %d, want the stream's %d bytes", st.Size, 5*512+1024)
	}

	three := tartest.SparseArchive(one,
		tartest.Sparse{Name: "two", RealSize: 400 << 10, Last: '2'},
		tartest.Sparse{Name: "three", RealSize: 400 << 10, Last: '3'})
	_, err = readErr(t, three, lim)
	var le *LimitError
	if !errors.As(err, &le) || le.Limit != "MaxBytes" || le.Path != "three" {
		t.Fatalf("three sparse files of 400 KiB under MaxBytes 1 MiB: %v; want MaxBytes naming the third", err)
	}
	// the stream so far (two files and the third's headers and map) plus
	// the first two files' holes plus the third's whole size
	const wantMsg = `layer entry "three": 1235966 exceeds limit MaxBytes (1048576)`
	if err.Error() != wantMsg {
		t.Errorf("error %q, want %q", err, wantMsg)
	}
}

func TestHostileManyEntries(t *testing.T) {
	// A layer of many empty files: MaxEntries stops it (small limit for speed) …
	var es []tartest.Entry
	for i := 0; i < 1001; i++ {
		es = append(es, tartest.Entry{Name: fmt.Sprintf("f%d", i)})
	}
	_, err := readErr(t, tartest.Layer(t, es), Limits{MaxEntries: 1000})
	var le *LimitError
	if !errors.As(err, &le) || le.Limit != "MaxEntries" || le.Path != "f1000" {
		t.Errorf("err = %v, want MaxEntries at f1000", err)
	}
	// … and so do paths that imply many directories from few entries.
	es = es[:0]
	for i := 0; i < 10; i++ {
		es = append(es, tartest.Entry{Name: fmt.Sprintf("%d/a/b/c/d/e/f/g/h/i/j", i)})
	}
	_, err = readErr(t, tartest.Layer(t, es), Limits{MaxEntries: 100})
	if !errors.As(err, &le) || le.Limit != "MaxEntries" || le.Value != 110 || le.Path != es[9].Name {
		t.Errorf("implied directories: err = %v, want MaxEntries at 110 (10 entries, 100 directories)", err)
	}
	// Near-realistic scale, streamed: it completes; time and memory are logged.
	pr, pw := io.Pipe()
	go func() {
		tw := tar.NewWriter(pw)
		for i := 0; i < manyEntries; i++ {
			h := &tar.Header{Name: fmt.Sprintf("d%03d/f%06d", i%1000, i), Typeflag: tar.TypeReg, Mode: 0o644, ModTime: tartest.Epoch()}
			if err := tw.WriteHeader(h); err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		pw.CloseWithError(tw.Close())
	}()
	start := time.Now()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	cs, st, err := Read(pr, "", nil, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	f := NewFS()
	if _, err := f.Apply(0, cs); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if f.Len() != manyEntries+1000 || st.Entries != manyEntries || st.Parents != 1000 {
		t.Errorf("Len = %d, stats %+v", f.Len(), st)
	}
	t.Logf("%d empty files: read and applied in %v, live heap %+d MiB (≈ %d bytes an entry)", manyEntries,
		time.Since(start).Round(time.Millisecond), (int64(after.HeapAlloc)-int64(before.HeapAlloc))>>20,
		(int64(after.HeapAlloc)-int64(before.HeapAlloc))/int64(manyEntries))
	runtime.KeepAlive(f)
	runtime.KeepAlive(cs)
}

func TestLimitStore(t *testing.T) {
	s := LimitStore(MemStore(), 10)
	l1 := tartest.Layer(t, []tartest.Entry{{Name: "a", Body: "123456"}})
	l2 := tartest.Layer(t, []tartest.Entry{{Name: "b", Body: "789"}, {Name: "c", Body: "xy"}})
	if _, _, err := Read(bytes.NewReader(l1), "", s, Limits{}); err != nil {
		t.Fatal(err)
	}
	_, _, err := Read(bytes.NewReader(l2), "", s, Limits{})
	var le *LimitError
	if !errors.As(err, &le) || le.Limit != "MaxStored" || le.Path != "c" || le.Value != 11 ||
		err.Error() != `layer entry "c": 11 exceeds limit MaxStored (10)` {
		t.Errorf("err = %v, want MaxStored at c", err)
	}
	if LimitStore(MemStore(), -1) != MemStore() {
		t.Error("LimitStore(s, -1) should be s")
	}
	// Check the DiffID is unaffected by the store wrapper.
	_, st, _ := Read(bytes.NewReader(l1), "", LimitStore(MemStore(), 0), Limits{})
	if st.DiffID != digest.FromBytes(l1) {
		t.Errorf("DiffID %s", st.DiffID)
	}
}
