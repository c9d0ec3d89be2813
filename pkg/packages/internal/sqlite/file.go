// Package sqlite reads tables from an SQLite database file held in memory:
// just enough of the file format (https://www.sqlite.org/fileformat2.html)
// to list the rows of a named table, with no SQL, no writing and no cgo.
//
// It trusts nothing in the file. Every page number, cell offset and length
// is checked against the file before use; a page is visited at most once
// per walk (so a cyclic tree or overflow chain is an error, not a loop);
// b-trees deeper than MaxDepth are refused. The work of a walk is bounded by
// the size of the file.
//
// It reads the main database file only: a write-ahead log (the -wal file
// beside it) is not applied, so a caller must check that there is none.
package sqlite

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// MaxDepth bounds the depth of a table b-tree (SQLite's own trees stay far
// below it: 20 levels of 512-byte pages hold more rows than any file can).
const MaxDepth = 20

// magic starts every SQLite 3 database file.
const magic = "SQLite format 3\x00"

// headerSize is the size of the database header at the start of page 1.
const headerSize = 100

// schemaRoot is the root page of sqlite_schema, the table of tables.
const schemaRoot = 1

// utf8Encoding is the header's text encoding value for UTF-8; UTF-16
// databases are refused.
const utf8Encoding = 1

// ErrNoTable is returned by Table when the schema names no such table.
var ErrNoTable = errors.New("no such table")

// DB is an SQLite database file opened for reading.
type DB struct {
	data     []byte
	pageSize int // bytes in a page
	usable   int // bytes of a page b-trees use (pageSize less reserved bytes)
	pages    int // pages in data
}

// Open checks the database header of data and returns the database.
// data is not copied and must not change while the DB is used.
func Open(data []byte) (*DB, error) {
	if len(data) < headerSize || !bytes.Equal(data[:len(magic)], []byte(magic)) {
		return nil, errors.New("not an SQLite 3 database (no \"SQLite format 3\" header)")
	}
	ps := int(binary.BigEndian.Uint16(data[16:]))
	if ps == 1 {
		ps = 65536
	}
	if ps < 512 || ps&(ps-1) != 0 {
		return nil, fmt.Errorf("page size %d is not a power of two from 512 to 65536", ps)
	}
	usable := ps - int(data[20])
	if usable < 480 {
		return nil, fmt.Errorf("%d reserved bytes leave %d usable in a %d-byte page", data[20], usable, ps)
	}
	if enc := binary.BigEndian.Uint32(data[56:]); enc != utf8Encoding && enc != 0 {
		return nil, fmt.Errorf("text encoding %d is not UTF-8 (1)", enc)
	}
	if len(data)%ps != 0 {
		return nil, fmt.Errorf("%d bytes is not a whole number of %d-byte pages", len(data), ps)
	}
	return &DB{data: data, pageSize: ps, usable: usable, pages: len(data) / ps}, nil
}

// page returns page n (numbered from 1) and the offset of its b-tree header
// within it: page 1 begins with the database header.
func (db *DB) page(n uint32) ([]byte, int, error) {
	if n < 1 || int64(n) > int64(db.pages) {
		return nil, 0, fmt.Errorf("page %d is outside the file's %d pages", n, db.pages)
	}
	start := int(n-1) * db.pageSize
	off := 0
	if n == 1 {
		off = headerSize
	}
	return db.data[start : start+db.usable], off, nil
}

// Table returns the root page of the table called name, from sqlite_schema.
func (db *DB) Table(name string) (uint32, error) {
	var root uint32
	found := false
	err := db.Rows(schemaRoot, func(_ int64, rec []any) error {
		// type, name, tbl_name, rootpage, sql
		if len(rec) < 4 || rec[0] != "table" || rec[1] != name || found {
			return nil
		}
		r, ok := rec[3].(int64)
		if !ok || r < 1 || r > int64(db.pages) {
			return fmt.Errorf("table %q: root page %v is not a page of the file", name, rec[3])
		}
		root, found = uint32(r), true
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite_schema: %w", err)
	}
	if !found {
		return 0, fmt.Errorf("%w: %q", ErrNoTable, name)
	}
	return root, nil
}
