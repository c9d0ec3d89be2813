package sqlite

import (
	"encoding/binary"
	"fmt"
)

// B-tree page types (the first byte of a page's b-tree header).
const (
	interiorTable = 0x05
	leafTable     = 0x0d
)

// walk is one traversal of a table b-tree: the pages it has used, so that
// no page is read twice (a cycle in a hostile file).
type walk struct {
	db   *DB
	seen map[uint32]bool
	fn   func(rowid int64, rec []any) error
}

// Rows calls fn with the rowid and decoded columns of each row of the table
// whose b-tree root is page root, in rowid order. Columns are nil, int64,
// float64, string (TEXT) or []byte (BLOB; it aliases the file when the row
// fits on its page). A whole number in a REAL column comes back as int64:
// SQLite stores it as an integer, and this reader does not read schemas. An error from fn stops the walk and is returned.
func (db *DB) Rows(root uint32, fn func(rowid int64, rec []any) error) error {
	w := walk{db: db, seen: map[uint32]bool{}, fn: fn}
	return w.tree(root, 0)
}

// use marks page n as used by this walk; a second use is an error.
func (w *walk) use(n uint32) error {
	if w.seen[n] {
		return fmt.Errorf("page %d is used twice (a cycle)", n)
	}
	w.seen[n] = true
	return nil
}

// tree visits the table b-tree page n at depth and every page below it.
func (w *walk) tree(n uint32, depth int) error {
	if depth > MaxDepth {
		return fmt.Errorf("page %d: b-tree deeper than %d levels", n, MaxDepth)
	}
	if err := w.use(n); err != nil {
		return err
	}
	p, off, err := w.db.page(n)
	if err != nil {
		return err
	}
	if t := p[off]; t != leafTable && t != interiorTable {
		return fmt.Errorf("page %d: type %#x is not a table b-tree page", n, t)
	}
	cells, err := cellOffsets(p, off)
	if err != nil {
		return fmt.Errorf("page %d: %w", n, err)
	}
	if p[off] == leafTable {
		for _, c := range cells {
			if err := w.leafCell(n, p, c); err != nil {
				return err
			}
		}
		return nil
	}
	for _, c := range cells {
		if c+4 > len(p) {
			return fmt.Errorf("page %d: cell at %d overruns the page", n, c)
		}
		if err := w.tree(binary.BigEndian.Uint32(p[c:]), depth+1); err != nil {
			return err
		}
	}
	return w.tree(binary.BigEndian.Uint32(p[off+8:]), depth+1)
}

// cellOffsets reads the cell pointer array of the b-tree page p whose
// header starts at off, checking each pointer lies within the page.
func cellOffsets(p []byte, off int) ([]int, error) {
	hdr := 8
	if off+1 > len(p) {
		return nil, fmt.Errorf("no room for a b-tree header")
	}
	if p[off] == interiorTable {
		hdr = 12
	}
	if off+hdr > len(p) {
		return nil, fmt.Errorf("no room for a b-tree header")
	}
	count := int(binary.BigEndian.Uint16(p[off+3:]))
	ptrs := off + hdr
	if ptrs+2*count > len(p) {
		return nil, fmt.Errorf("%d cells do not fit the page", count)
	}
	out := make([]int, count)
	for i := range out {
		c := int(binary.BigEndian.Uint16(p[ptrs+2*i:]))
		if c < ptrs+2*count || c >= len(p) {
			return nil, fmt.Errorf("cell %d at offset %d is outside the cell content area", i, c)
		}
		out[i] = c
	}
	return out, nil
}

// leafCell decodes the table leaf cell at offset c of page n and hands its
// row to the walk's fn.
func (w *walk) leafCell(n uint32, p []byte, c int) error {
	size, k := uvarint(p[c:])
	if k == 0 || size > uint64(len(w.db.data)) {
		return fmt.Errorf("page %d: cell at %d has a bad payload size", n, c)
	}
	c += k
	rowid, k := uvarint(p[c:])
	if k == 0 {
		return fmt.Errorf("page %d: cell at %d has a bad rowid", n, c)
	}
	c += k
	payload, err := w.payload(p[c:], int(size))
	if err != nil {
		return fmt.Errorf("page %d: row %d: %w", n, int64(rowid), err)
	}
	rec, err := record(payload)
	if err != nil {
		return fmt.Errorf("page %d: row %d: %w", n, int64(rowid), err)
	}
	return w.fn(int64(rowid), rec)
}

// payload returns a cell's payload of size bytes, whose local part starts
// cell: the part stored on the page, then the overflow pages' chain.
func (w *walk) payload(cell []byte, size int) ([]byte, error) {
	local := w.db.localSize(size)
	if local == size {
		if size > len(cell) {
			return nil, fmt.Errorf("%d-byte payload overruns its page", size)
		}
		return cell[:size], nil
	}
	if local+4 > len(cell) {
		return nil, fmt.Errorf("%d-byte local payload overruns its page", local)
	}
	out := make([]byte, 0, size)
	out = append(out, cell[:local]...)
	next := binary.BigEndian.Uint32(cell[local:])
	for len(out) < size {
		if next == schemaRoot {
			return nil, fmt.Errorf("overflow chain reaches page 1")
		}
		if err := w.use(next); err != nil {
			return nil, fmt.Errorf("overflow: %w", err)
		}
		p, _, err := w.db.page(next)
		if err != nil {
			return nil, fmt.Errorf("overflow: %w", err)
		}
		n := min(size-len(out), len(p)-4)
		out = append(out, p[4:4+n]...)
		next = binary.BigEndian.Uint32(p)
	}
	return out, nil
}

// localSize is how many bytes of a table leaf payload of size bytes are
// stored on the leaf page itself, as the file format defines it.
func (db *DB) localSize(size int) int {
	u := db.usable
	x := u - 35
	if size <= x {
		return size
	}
	m := (u-12)*32/255 - 23
	k := m + (size-m)%(u-4)
	if k <= x {
		return k
	}
	return m
}
