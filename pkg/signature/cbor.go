package signature

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// maxCBORDepth bounds nesting in a CBOR document (COSE needs 3).
const maxCBORDepth = 16

// cborTag is a tagged CBOR value.
type cborTag struct {
	Number uint64
	Value  any
}

// decodeCBOR decodes one CBOR data item (RFC 8949) that makes up all of b,
// as far as COSE needs: integers (int64), byte strings ([]byte), text
// strings (string), arrays ([]any), maps (map[any]any with int64 or string
// keys), tags (cborTag), booleans, null and floats. Indefinite lengths are
// refused: COSE uses the deterministic encoding.
func decodeCBOR(b []byte) (any, error) {
	d := cborDecoder{b: b}
	v, err := d.item(0)
	if err != nil {
		return nil, err
	}
	if d.off != len(b) {
		return nil, fmt.Errorf("CBOR: %d bytes after the data item", len(b)-d.off)
	}
	return v, nil
}

type cborDecoder struct {
	b   []byte
	off int
}

var errCBORShort = errors.New("CBOR: truncated")

// head reads an item's initial byte and argument.
func (d *cborDecoder) head() (major byte, arg uint64, info byte, err error) {
	if d.off >= len(d.b) {
		return 0, 0, 0, errCBORShort
	}
	ib := d.b[d.off]
	d.off++
	major, info = ib>>5, ib&0x1f
	var n int
	switch {
	case info < 24:
		return major, uint64(info), info, nil
	case info == 24:
		n = 1
	case info == 25:
		n = 2
	case info == 26:
		n = 4
	case info == 27:
		n = 8
	default:
		return 0, 0, 0, fmt.Errorf("CBOR: indefinite length or reserved additional information %d at offset %d", info, d.off-1)
	}
	if len(d.b)-d.off < n {
		return 0, 0, 0, errCBORShort
	}
	var buf [8]byte
	copy(buf[8-n:], d.b[d.off:d.off+n])
	d.off += n
	return major, binary.BigEndian.Uint64(buf[:]), info, nil
}

// bytes takes n bytes of string content.
func (d *cborDecoder) bytes(n uint64) ([]byte, error) {
	if n > uint64(len(d.b)-d.off) {
		return nil, errCBORShort
	}
	s := d.b[d.off : d.off+int(n)]
	d.off += int(n)
	return s, nil
}

func (d *cborDecoder) item(depth int) (any, error) {
	if depth > maxCBORDepth {
		return nil, fmt.Errorf("CBOR: nested deeper than %d", maxCBORDepth)
	}
	major, arg, info, err := d.head()
	if err != nil {
		return nil, err
	}
	switch major {
	case 0, 1:
		if arg > math.MaxInt64 {
			return nil, fmt.Errorf("CBOR: integer out of range")
		}
		if major == 1 {
			return -1 - int64(arg), nil
		}
		return int64(arg), nil
	case 2:
		return d.bytes(arg)
	case 3:
		s, err := d.bytes(arg)
		return string(s), err
	case 4:
		if arg > uint64(len(d.b)) { // each element takes at least a byte
			return nil, errCBORShort
		}
		out := make([]any, 0, arg)
		for i := uint64(0); i < arg; i++ {
			v, err := d.item(depth + 1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case 5:
		return d.cborMap(arg, depth)
	case 6:
		v, err := d.item(depth + 1)
		return cborTag{Number: arg, Value: v}, err
	}
	return d.simple(info, arg)
}

func (d *cborDecoder) cborMap(n uint64, depth int) (map[any]any, error) {
	if n > uint64(len(d.b)) {
		return nil, errCBORShort
	}
	out := make(map[any]any, n)
	for i := uint64(0); i < n; i++ {
		k, err := d.item(depth + 1)
		if err != nil {
			return nil, err
		}
		switch k.(type) {
		case int64, string:
		default:
			return nil, fmt.Errorf("CBOR: map key of type %T", k)
		}
		v, err := d.item(depth + 1)
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

// simple decodes major type 7: false, true, null, undefined and floats.
func (d *cborDecoder) simple(info byte, arg uint64) (any, error) {
	switch info {
	case 20:
		return false, nil
	case 21:
		return true, nil
	case 22, 23:
		return nil, nil
	case 25:
		return float64(halfFloat(uint16(arg))), nil
	case 26:
		return float64(math.Float32frombits(uint32(arg))), nil
	case 27:
		return math.Float64frombits(arg), nil
	}
	return nil, fmt.Errorf("CBOR: simple value %d", arg)
}

// halfFloat converts an IEEE 754 half-precision float.
func halfFloat(h uint16) float32 {
	sign, exp, frac := uint32(h>>15), uint32(h>>10)&0x1f, uint32(h&0x3ff)
	var v float32
	switch exp {
	case 0:
		v = float32(math.Ldexp(float64(frac), -24))
	case 31:
		v = float32(math.Inf(1))
		if frac != 0 {
			v = float32(math.NaN())
		}
	default:
		v = float32(math.Ldexp(float64(frac|0x400), int(exp)-25))
	}
	if sign != 0 {
		v = -v
	}
	return v
}

// appendCBORHead appends an item head of the given major type and argument.
func appendCBORHead(b []byte, major byte, n uint64) []byte {
	switch {
	case n < 24:
		return append(b, major<<5|byte(n))
	case n <= math.MaxUint8:
		return append(b, major<<5|24, byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, major<<5|25), uint16(n))
	case n <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(b, major<<5|26), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(b, major<<5|27), n)
}
