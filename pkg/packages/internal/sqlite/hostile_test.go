package sqlite

import (
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
)

// synthPage is the page size of synth's databases.
const synthPage = 512

// synth builds a database of n 512-byte pages whose schema (page 1) names
// table "t" with root page 2; edit then writes pages 2 to n.
func synth(n int, edit func(page func(int) []byte)) []byte {
	b := make([]byte, n*synthPage)
	copy(b, magic)
	binary.BigEndian.PutUint16(b[16:], synthPage)
	binary.BigEndian.PutUint32(b[56:], utf8Encoding)
	// sqlite_schema row: ("table", "t", "t", 2, "")
	rec := []byte{6, 13 + 2*5, 13 + 2, 13 + 2, 1, 13}
	rec = append(rec, "tablett\x02"...)
	cell := append([]byte{byte(len(rec)), 1}, rec...)
	leaf(b[headerSize:synthPage], synthPage-len(cell), 1)
	copy(b[synthPage-len(cell):], cell)
	edit(func(i int) []byte { return b[(i-1)*synthPage : i*synthPage] })
	return b
}

// leaf writes a table leaf header with cells cells, the first at off.
func leaf(hdr []byte, off, cells int) {
	hdr[0] = leafTable
	binary.BigEndian.PutUint16(hdr[3:], uint16(cells))
	binary.BigEndian.PutUint16(hdr[5:], uint16(off))
	binary.BigEndian.PutUint16(hdr[8:], uint16(off))
}

// TestDepthLimit: a chain of interior pages deeper than MaxDepth is refused.
func TestDepthLimit(t *testing.T) {
	n := MaxDepth + 5
	data := synth(n, func(page func(int) []byte) {
		for i := 2; i < n; i++ {
			p := page(i)
			p[0] = interiorTable
			binary.BigEndian.PutUint32(p[8:], uint32(i+1))
		}
		leaf(page(n), synthPage, 0)
	})
	want := fmt.Sprintf("page %d: b-tree deeper than %d levels", MaxDepth+3, MaxDepth)
	if err := readAll(data, "t"); err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
}

// TestOverflowCycle: an overflow chain that comes back on itself is an
// error, not a loop.
func TestOverflowCycle(t *testing.T) {
	data := synth(3, func(page func(int) []byte) {
		// One row: a 1200-byte record of one TEXT, its local part on page
		// 2, its overflow chain page 3 -> page 3.
		size := 1200
		local := (&DB{usable: synthPage}).localSize(size)
		st := 13 + 2*(size-3) // TEXT of the record less its 3-byte header
		rec := []byte{3, 0x80 | byte(st>>7), byte(st & 0x7f)}
		cell := []byte{0x80 | byte(size>>7), byte(size & 0x7f), 1}
		cell = append(cell, rec...)
		cell = append(cell, strings.Repeat("x", local-len(rec))...)
		cell = binary.BigEndian.AppendUint32(cell, 3)
		p := page(2)
		leaf(p, synthPage-len(cell), 1)
		copy(p[synthPage-len(cell):], cell)
		binary.BigEndian.PutUint32(page(3), 3)
	})
	want := "page 2: row 1: overflow: page 3 is used twice (a cycle)"
	if err := readAll(data, "t"); err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
}
