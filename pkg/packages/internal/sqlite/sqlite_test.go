package sqlite

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"reflect"
	"testing"
)

func rows(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/rows.sqlite")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// want is the row i of table t as testdata/make.sh had SQLite write it.
func want(i int64) []any {
	var s, b any
	if i%7 != 0 {
		s = fmt.Sprintf("row %d", i)
	}
	if i%500 == 0 {
		b = bytes.Repeat([]byte{byte('A' + i%26)}, 3000)
	}
	var f any = float64(i) / 4
	if i%4 == 0 {
		f = i / 4 // SQLite stores a whole REAL as an integer
	}
	return []any{nil, i - 1500, f, s, b}
}

// TestRowsMatchSQLite reads every row of a database SQLite wrote: interior
// pages on several levels, overflow chains, every kind of value.
func TestRowsMatchSQLite(t *testing.T) {
	db, err := Open(rows(t))
	if err != nil {
		t.Fatal(err)
	}
	root, err := db.Table("t")
	if err != nil {
		t.Fatal(err)
	}
	next := int64(1)
	err = db.Rows(root, func(id int64, rec []any) error {
		if id != next {
			return fmt.Errorf("row %d after row %d", id, next-1)
		}
		if w := want(id); !reflect.DeepEqual(rec, w) {
			return fmt.Errorf("row %d = %v, want %v", id, rec, w)
		}
		next++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if next != 3001 {
		t.Fatalf("read %d rows, want 3000", next-1)
	}
	if _, err := db.Table("missing"); !errors.Is(err, ErrNoTable) || err.Error() != `no such table: "missing"` {
		t.Fatalf("Table(missing) = %v", err)
	}
}

// TestHostile checks that damaged files give a specific error.
func TestHostile(t *testing.T) {
	good := rows(t)
	db, _ := Open(good)
	root, _ := db.Table("t")
	cases := []struct {
		name string
		edit func(b []byte)
		want string
	}{
		{"magic", func(b []byte) { b[0] = 'X' }, `not an SQLite 3 database (no "SQLite format 3" header)`},
		{"page size", func(b []byte) { binary.BigEndian.PutUint16(b[16:], 1000) }, "page size 1000 is not a power of two from 512 to 65536"},
		{"utf16", func(b []byte) { binary.BigEndian.PutUint32(b[56:], 2) }, "text encoding 2 is not UTF-8 (1)"},
		{"root type", func(b []byte) { b[int(root-1)*512] = 0x0a }, fmt.Sprintf("page %d: type 0xa is not a table b-tree page", root)},
		{"cycle", func(b []byte) { binary.BigEndian.PutUint32(b[int(root-1)*512+8:], root) }, fmt.Sprintf("page %d is used twice (a cycle)", root)},
		{"child outside", func(b []byte) { binary.BigEndian.PutUint32(b[int(root-1)*512+8:], 9999) }, "page 9999 is outside the file's 201 pages"},
		{"cell count", func(b []byte) { binary.BigEndian.PutUint16(b[int(root-1)*512+3:], 300) }, fmt.Sprintf("page %d: 300 cells do not fit the page", root)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := bytes.Clone(good)
			c.edit(b)
			err := readAll(b, "t")
			if err == nil || err.Error() != c.want {
				t.Fatalf("got %v, want %s", err, c.want)
			}
		})
	}
}

// readAll opens data and reads every row of table name.
func readAll(data []byte, name string) error {
	db, err := Open(data)
	if err != nil {
		return err
	}
	root, err := db.Table(name)
	if err != nil {
		return err
	}
	return db.Rows(root, func(int64, []any) error { return nil })
}

// FuzzRows reads tables of arbitrary files: it must never panic or hang.
func FuzzRows(f *testing.F) {
	good, err := os.ReadFile("testdata/rows.sqlite")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good[:512*8])
	f.Add(good)
	f.Add(synth(2, func(page func(int) []byte) { leaf(page(2), synthPage, 0) }))
	f.Fuzz(func(t *testing.T, data []byte) {
		readAll(data, "t")
		readAll(data, "other")
	})
}
