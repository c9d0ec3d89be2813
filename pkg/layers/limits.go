package layers

import (
	"fmt"
	"strconv"
)

// Limits bound what one layer may make us do and hold, and, applied by
// package pull to the sum over an image's layers, what one image may. A zero
// field takes its value from DefaultLimits; a negative field means no limit.
//
// The defaults stop abuse, never a legitimate image, whatever its size: a
// multi-gigabyte file streams through in bounded memory when the Store keeps
// it on disk or drops it (DiscardStore). What they bound is
//
//   - memory for the index: MaxEntries (index nodes: every entry a layer
//     holds and every directory its paths imply) and MaxMetaBytes (the
//     strings those entries keep), plus MaxPathDepth and MaxPAXBytes for
//     single entries no real image has;
//   - work: MaxRatio stops a decompression bomb (bytes out per byte in far
//     beyond real data), and MaxBytes bounds the uncompressed stream of one
//     layer, so even a bomb within the ratio ends;
//   - storage, only where the caller says so: MaxStored (file content put
//     in the Store) has no default limit, and a caller whose Store keeps
//     content in memory sets it.
type Limits struct {
	// MaxEntries bounds the paths one layer makes: its tar entries plus the
	// distinct parent directories their paths imply (a single entry
	// "a/b/c/f" implies three). It bounds the nodes FS.Apply can create.
	MaxEntries   int
	MaxBytes     int64 // uncompressed bytes of one layer (the whole tar stream, sparse files at their expanded size)
	MaxRatio     int64 // uncompressed bytes per compressed byte, past the first RatioFloor bytes
	MaxPathDepth int   // components of one path ("/a/b" has 2)
	MaxPAXBytes  int   // bytes of one entry's PAX records plus its name and link
	MaxStored    int64 // bytes of file content put in the Store
	MaxMetaBytes int64 // bytes of the paths, link targets and owner names the entries keep
}

// RatioFloor is the uncompressed size below which MaxRatio does not apply:
// a small layer of zeros may compress a thousandfold and still be harmless.
const RatioFloor = 1 << 30

// DefaultLimits returns the limits used for zero fields:
//
//   - index metadata stays well under the wasm32 Go heap's 4 GiB, whose end
//     kills the tab's engine: 1,000,000 paths (about 500 bytes each once in
//     a ChangeSet and the FS: ≈ 0.5 GiB) and 256 MiB of names;
//   - MaxRatio 4096: deflate cannot exceed 1032:1, so no gzip layer reaches
//     it; a zstd bomb (32,000:1 and more) stops after RatioFloor + 4096× its
//     compressed size;
//   - MaxBytes 1 TiB of uncompressed stream per layer bounds time (about an
//     hour natively), far beyond the 10–20 GB of the biggest real layers;
//   - no limit on stored content or on a single file: whether content fits
//     depends on the Store (disk, memory, dropped), so its owner sets
//     MaxStored;
//   - a path 256 components deep and 1 MiB of PAX records per entry are far
//     beyond real images (archive/tar itself refuses PAX and GNU long-name
//     records over 1 MiB).
func DefaultLimits() Limits {
	return Limits{
		MaxEntries:   1_000_000,
		MaxBytes:     1 << 40,
		MaxRatio:     4096,
		MaxPathDepth: 256,
		MaxPAXBytes:  1 << 20,
		MaxStored:    -1,
		MaxMetaBytes: 256 << 20,
	}
}

// WithDefaults returns l with its zero fields filled from DefaultLimits: the
// limits Read actually applies.
func (l Limits) WithDefaults() Limits {
	d := DefaultLimits()
	orDefault(&l.MaxEntries, d.MaxEntries)
	orDefault(&l.MaxBytes, d.MaxBytes)
	orDefault(&l.MaxRatio, d.MaxRatio)
	orDefault(&l.MaxPathDepth, d.MaxPathDepth)
	orDefault(&l.MaxPAXBytes, d.MaxPAXBytes)
	orDefault(&l.MaxStored, d.MaxStored)
	orDefault(&l.MaxMetaBytes, d.MaxMetaBytes)
	return l
}

// orDefault sets *v to d when it is zero.
func orDefault[T int | int64](v *T, d T) {
	if *v == 0 {
		*v = d
	}
}

// Exceeds reports whether v is over the limit max, where a negative max
// means no limit (the convention of Limits after WithDefaults).
func Exceeds(v, max int64) bool { return max >= 0 && v > max }

// LimitError reports a layer (or, from package pull, an image) going over one
// of its Limits.
type LimitError struct {
	Limit string // field name in Limits: "MaxEntries", "MaxBytes", …
	Max   int64  // the limit
	Value int64  // the value that went over it
	Path  string // the entry at fault, as written in the tar; "" when no entry is
}

// Error names the entry, the value and the limit it went over.
func (e *LimitError) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("%d exceeds limit %s (%d)", e.Value, e.Limit, e.Max)
	}
	return fmt.Sprintf("layer entry %s: %d exceeds limit %s (%s)",
		strconv.Quote(e.Path), e.Value, e.Limit, strconv.FormatInt(e.Max, 10))
}
