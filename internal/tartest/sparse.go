package tartest

import (
	"fmt"
	"strconv"
)

// Sparse is one sparse file of a SparseArchive: RealSize bytes long, all
// zeros but for its last byte, Last — one data byte on disk.
type Sparse struct {
	Name     string
	RealSize int64
	Last     byte
}

// SparseArchive builds a tar archive of sparse files in the GNU sparse 1.0
// PAX format (GNU tar --sparse --posix). Go's archive/tar reads sparse files
// but no longer writes them, so the headers are written here byte by byte.
// Each file takes five 512-byte blocks of the stream however large it is
// once expanded.
func SparseArchive(files ...Sparse) []byte {
	var out []byte
	for _, f := range files {
		pax := paxRecord("GNU.sparse.major", "1") + paxRecord("GNU.sparse.minor", "0") +
			paxRecord("GNU.sparse.name", f.Name) + paxRecord("GNU.sparse.realsize", strconv.FormatInt(f.RealSize, 10))
		out = append(out, ustarHeader("PaxHeaders.0/"+f.Name, 'x', int64(len(pax)))...)
		out = append(out, pad([]byte(pax))...)
		sparseMap := fmt.Sprintf("1\n%d\n1\n", f.RealSize-1) // one fragment: the last byte
		out = append(out, ustarHeader("GNUSparseFile.0/"+f.Name, '0', 512+1)...)
		out = append(out, pad([]byte(sparseMap))...)
		out = append(out, pad([]byte{f.Last})...)
	}
	return append(out, make([]byte, 1024)...) // end of archive
}

// paxRecord is one "LEN KEY=VALUE\n" record, LEN counting itself.
func paxRecord(k, v string) string {
	n := len(k) + len(v) + 3 // ' ', '=', '\n'
	n += len(strconv.Itoa(n))
	r := fmt.Sprintf("%d %s=%s\n", n, k, v)
	if len(r) != n { // the length's own digits carried over
		r = fmt.Sprintf("%d %s=%s\n", len(r), k, v)
	}
	return r
}

// ustarHeader is a 512-byte USTAR header block.
func ustarHeader(name string, typeflag byte, size int64) []byte {
	b := make([]byte, 512)
	copy(b[0:100], name)
	copy(b[100:108], "0000644\x00")
	copy(b[108:116], "0000000\x00")
	copy(b[116:124], "0000000\x00")
	copy(b[124:136], fmt.Sprintf("%011o\x00", size))
	copy(b[136:148], fmt.Sprintf("%011o\x00", Epoch().Unix()))
	b[156] = typeflag
	copy(b[257:263], "ustar\x00")
	copy(b[263:265], "00")
	copy(b[148:156], "        ")
	var sum int64
	for _, c := range b {
		sum += int64(c)
	}
	copy(b[148:156], fmt.Sprintf("%06o\x00 ", sum))
	return b
}

// pad extends b with zeros to a multiple of 512 bytes.
func pad(b []byte) []byte {
	if r := len(b) % 512; r != 0 {
		b = append(b, make([]byte, 512-r)...)
	}
	return b
}
