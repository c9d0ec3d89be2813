package sqlite

import (
	"encoding/binary"
	"fmt"
	"math"
)

// uvarint decodes an SQLite varint (1 to 9 bytes, big-endian, the ninth
// byte contributing all eight bits) from b; k is 0 if b ends first.
func uvarint(b []byte) (v uint64, k int) {
	for i := 0; i < 9; i++ {
		if i >= len(b) {
			return 0, 0
		}
		if i == 8 {
			return v<<8 | uint64(b[i]), 9
		}
		v = v<<7 | uint64(b[i]&0x7f)
		if b[i] < 0x80 {
			return v, i + 1
		}
	}
	return 0, 0
}

// record decodes a record: a header of serial types, then their values.
func record(b []byte) ([]any, error) {
	hsize, k := uvarint(b)
	if k == 0 || hsize < uint64(k) || hsize > uint64(len(b)) {
		return nil, fmt.Errorf("record header size %d does not fit its %d bytes", hsize, len(b))
	}
	hdr, body := b[k:hsize], b[hsize:]
	var out []any
	for len(hdr) > 0 {
		st, k := uvarint(hdr)
		if k == 0 {
			return nil, fmt.Errorf("record header ends inside a serial type")
		}
		hdr = hdr[k:]
		v, n, err := value(st, body)
		if err != nil {
			return nil, fmt.Errorf("column %d: %w", len(out), err)
		}
		out = append(out, v)
		body = body[n:]
	}
	return out, nil
}

// value decodes the value of serial type st at the start of body and the
// number of bytes it takes.
func value(st uint64, body []byte) (any, int, error) {
	n := 0
	switch {
	case st >= 1 && st <= 6:
		n = intSize(st)
	case st == 7:
		n = 8
	case st >= 12:
		if st-12 > uint64(2*len(body))+1 {
			return nil, 0, fmt.Errorf("serial type %d overruns the record", st)
		}
		n = int((st - 12) / 2)
	case st == 10 || st == 11:
		return nil, 0, fmt.Errorf("serial type %d is reserved", st)
	}
	if n > len(body) {
		return nil, 0, fmt.Errorf("%d-byte value overruns the record", n)
	}
	b := body[:n]
	switch {
	case st == 0:
		return nil, 0, nil
	case st == 8 || st == 9:
		return int64(st - 8), 0, nil
	case st <= 6:
		return signed(b), n, nil
	case st == 7:
		return math.Float64frombits(binary.BigEndian.Uint64(b)), n, nil
	case st%2 == 0:
		return b, n, nil
	}
	return string(b), n, nil
}

// signed decodes a big-endian two's-complement integer of 1 to 8 bytes.
func signed(b []byte) int64 {
	v := int64(int8(b[0]))
	for _, c := range b[1:] {
		v = v<<8 | int64(c)
	}
	return v
}

// intSize is the byte length of the integer serial types 1 to 6.
func intSize(st uint64) int {
	switch st {
	case 5:
		return 6
	case 6:
		return 8
	}
	return int(st)
}
