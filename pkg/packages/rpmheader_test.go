package packages

import (
	"encoding/binary"
	"os"
	"testing"
)

// tag is one index entry of a header blob built by header.
type tag struct{ tag, typ, off, count uint32 }

// header builds an rpm header blob from index entries and a data store.
func header(tags []tag, data string) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(tags)))
	b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
	for _, t := range tags {
		for _, v := range []uint32{t.tag, t.typ, t.off, t.count} {
			b = binary.BigEndian.AppendUint32(b, v)
		}
	}
	return append(b, data...)
}

// TestRPMHeaderBad: each fault of a header blob is a specific error.
func TestRPMHeaderBad(t *testing.T) {
	name := tag{rpmTagName, rpmString, 0, 1}
	for _, c := range []struct {
		blob []byte
		want string
	}{
		{[]byte{0, 0, 0}, "3-byte header is shorter than its 8-byte preamble"},
		{header([]tag{name}, "a\x00")[:20], "header of 1 tags and 2 bytes of data is 20 bytes, not 26"},
		{[]byte{0, 1, 0, 0, 0, 0, 0, 0}, "header claims 65536 tags and 0 bytes of data, more than rpm allows"},
		{header([]tag{{rpmTagName, rpmString, 9, 1}}, "a\x00"), "tag 1000: offset 9 and count 1 are outside the 2-byte data"},
		{header([]tag{name}, "abc"), "tag 1000: string 0 runs past the data"},
		{header([]tag{{rpmTagName, rpmInt32, 0, 1}}, "abcd"), "tag 1000 is of type 4, not a string"},
		{header([]tag{{rpmTagEpoch, rpmInt32, 0, 2}}, "abcd"), "header has no name (tag 1000)"},
		{header([]tag{name, {rpmTagEpoch, rpmInt32, 0, 2}}, "abcd\x00"), "tag 1003: 2 integers run past the data"},
		{header([]tag{name, {rpmTagBasenames, rpmStringArray, 0, 1}, {rpmTagDirNames, rpmStringArray, 0, 1}, {rpmTagDirIndexes, rpmInt32, 4, 1}}, "a\x00\x00\x00\x00\x00\x00\x01"),
			`file "a": directory index 1 is not one of 1`},
		{header([]tag{name, {rpmTagBasenames, rpmStringArray, 0, 1}, {rpmTagDirNames, rpmStringArray, 0, 1}}, "a\x00"),
			"1 basenames but 0 directory indexes"},
	} {
		if _, err := rpmPackage(c.blob); err == nil || err.Error() != c.want {
			t.Errorf("%q: error %v, want %s", c.blob, err, c.want)
		}
	}
}

// TestRPMSource checks the source rpm name is cut at the right dashes.
func TestRPMSource(t *testing.T) {
	for in, want := range map[string]string{
		"glibc-2.34-60.el9.src.rpm":           "glibc",
		"python-setuptools-53.0.0-12.src.rpm": "python-setuptools",
		"x-1.src.rpm":                         "",
		"glibc-2.34-60.el9.rpm":               "",
		"":                                    "",
	} {
		if got := rpmSource(in); got != want {
			t.Errorf("rpmSource(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzRPMPackage decodes arbitrary header blobs: it must never panic.
func FuzzRPMPackage(f *testing.F) {
	db, err := os.ReadFile("testdata/rpm/rpmdb-1.sqlite")
	if err != nil {
		f.Fatal(err)
	}
	entries, err := rpmEntries(db, "")
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		f.Add([]byte(e.record))
	}
	f.Add(header([]tag{{rpmTagName, rpmString, 0, 1}}, "a\x00"))
	f.Fuzz(func(t *testing.T, blob []byte) {
		rpmPackage(blob)
	})
}
