package packages

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// rpm header tags read (rpmtag.h).
const (
	rpmTagName       = 1000
	rpmTagVersion    = 1001
	rpmTagRelease    = 1002
	rpmTagEpoch      = 1003
	rpmTagLicense    = 1014
	rpmTagArch       = 1022
	rpmTagSourceRPM  = 1044
	rpmTagDirIndexes = 1116
	rpmTagBasenames  = 1117
	rpmTagDirNames   = 1118
)

// rpm header data types (rpmtag.h) of the tags read.
const (
	rpmInt32       = 4
	rpmString      = 6
	rpmStringArray = 8
	rpmI18NString  = 9
)

// Bounds on an rpm header, as rpm's own header checks set them.
const (
	rpmMaxTags = 0xffff
	rpmMaxData = 256 << 20
	rpmEntry   = 16 // bytes of an index entry: tag, type, offset, count
)

// rpmHeader is an rpm header blob as the database stores it: the count of
// index entries, the size of the data store, the entries, the data store.
type rpmHeader struct {
	index []byte
	data  []byte
}

// parseRPMHeader checks the sizes of blob's index and data store.
func parseRPMHeader(blob []byte) (rpmHeader, error) {
	if len(blob) < 8 {
		return rpmHeader{}, fmt.Errorf("%d-byte header is shorter than its 8-byte preamble", len(blob))
	}
	il, dl := binary.BigEndian.Uint32(blob), binary.BigEndian.Uint32(blob[4:])
	if il > rpmMaxTags || dl > rpmMaxData {
		return rpmHeader{}, fmt.Errorf("header claims %d tags and %d bytes of data, more than rpm allows", il, dl)
	}
	if want := 8 + int64(il)*rpmEntry + int64(dl); int64(len(blob)) != want {
		return rpmHeader{}, fmt.Errorf("header of %d tags and %d bytes of data is %d bytes, not %d", il, dl, len(blob), want)
	}
	end := 8 + int(il)*rpmEntry
	return rpmHeader{index: blob[8:end], data: blob[end:]}, nil
}

// find returns the type, data from its offset on, and count of tag; ok is
// false if the header has no such tag.
func (h rpmHeader) find(tag uint32) (typ uint32, data []byte, count int, ok bool, err error) {
	for e := h.index; len(e) >= rpmEntry; e = e[rpmEntry:] {
		if binary.BigEndian.Uint32(e) != tag {
			continue
		}
		typ = binary.BigEndian.Uint32(e[4:])
		off, n := binary.BigEndian.Uint32(e[8:]), binary.BigEndian.Uint32(e[12:])
		if int64(off) >= int64(len(h.data)) || int64(n) > int64(len(h.data)) {
			return 0, nil, 0, false, fmt.Errorf("tag %d: offset %d and count %d are outside the %d-byte data", tag, off, n, len(h.data))
		}
		return typ, h.data[off:], int(n), true, nil
	}
	return 0, nil, 0, false, nil
}

// strings returns tag's strings (STRING, STRING_ARRAY, or I18NSTRING of
// which the first is the untranslated one); nil if it is absent.
func (h rpmHeader) strings(tag uint32) ([]string, error) {
	typ, data, n, ok, err := h.find(tag)
	if !ok || err != nil {
		return nil, err
	}
	switch typ {
	case rpmString:
		n = 1
	case rpmStringArray, rpmI18NString:
	default:
		return nil, fmt.Errorf("tag %d is of type %d, not a string", tag, typ)
	}
	out := make([]string, 0, n)
	for range n {
		s, rest, ok := bytes.Cut(data, []byte{0})
		if !ok {
			return nil, fmt.Errorf("tag %d: string %d runs past the data", tag, len(out))
		}
		out, data = append(out, string(s)), rest
	}
	return out, nil
}

// str returns tag's first string, "" if it is absent.
func (h rpmHeader) str(tag uint32) (string, error) {
	ss, err := h.strings(tag)
	if len(ss) == 0 || err != nil {
		return "", err
	}
	return ss[0], nil
}

// int32s returns tag's INT32 values; nil if it is absent.
func (h rpmHeader) int32s(tag uint32) ([]int32, error) {
	typ, data, n, ok, err := h.find(tag)
	if !ok || err != nil {
		return nil, err
	}
	if typ != rpmInt32 {
		return nil, fmt.Errorf("tag %d is of type %d, not INT32", tag, typ)
	}
	if int64(n)*4 > int64(len(data)) {
		return nil, fmt.Errorf("tag %d: %d integers run past the data", tag, n)
	}
	out := make([]int32, n)
	for i := range out {
		out[i] = int32(binary.BigEndian.Uint32(data[4*i:]))
	}
	return out, nil
}

// files joins the header's compressed file list: each BASENAMES entry
// under the DIRNAMES entry its DIRINDEXES entry names.
func (h rpmHeader) files() ([]string, error) {
	base, err := h.strings(rpmTagBasenames)
	if err != nil || len(base) == 0 {
		return nil, err
	}
	dirs, err := h.strings(rpmTagDirNames)
	if err != nil {
		return nil, err
	}
	idx, err := h.int32s(rpmTagDirIndexes)
	if err != nil {
		return nil, err
	}
	if len(idx) != len(base) {
		return nil, fmt.Errorf("%d basenames but %d directory indexes", len(base), len(idx))
	}
	out := make([]string, len(base))
	for i, b := range base {
		if idx[i] < 0 || int(idx[i]) >= len(dirs) {
			return nil, fmt.Errorf("file %q: directory index %d is not one of %d", b, idx[i], len(dirs))
		}
		out[i] = dirs[idx[i]] + b
	}
	return out, nil
}
