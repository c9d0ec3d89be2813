package layers

import (
	"fmt"
	"strconv"
)

// Limits bound what one layer may make us hold, and, applied by package pull
// to the sum over an image's layers, what one image may. A zero field takes
// its value from DefaultLimits; a negative field means no limit.
//
// Memory is bounded by MaxEntries (index nodes: every entry a layer holds
// and every directory its paths imply), MaxMetaBytes (the strings those
// entries keep) and MaxStored (file contents, which live in the Store).
// MaxBytes bounds the work a layer can cause (a decompression bomb whose
// bytes are never stored, such as padding after the end of the archive or
// the bodies of whiteout files, stops there); MaxFileSize, MaxPathDepth and
// MaxPAXBytes refuse single entries no real image has.
type Limits struct {
	// MaxEntries bounds the paths one layer makes: its tar entries plus the
	// distinct parent directories their paths imply (a single entry
	// "a/b/c/f" implies three). It bounds the nodes FS.Apply can create.
	MaxEntries   int
	MaxBytes     int64 // uncompressed bytes of one layer (the whole tar stream, sparse files at their expanded size)
	MaxFileSize  int64 // size of one regular file
	MaxPathDepth int   // components of one path ("/a/b" has 2)
	MaxPAXBytes  int   // bytes of one entry's PAX records plus its name and link
	MaxStored    int64 // bytes of file content put in the Store
	MaxMetaBytes int64 // bytes of the paths, link targets and owner names the entries keep
}

// DefaultLimits returns the limits used for zero fields, sized for the
// browser: the wasm32 Go heap ends at 4 GiB and running out kills the tab's
// engine, so
//
//   - index metadata stays well under it: 1,000,000 paths (about 500 bytes
//     each once in a ChangeSet and the FS: ≈ 0.5 GiB) and 256 MiB of names;
//   - file contents (in JavaScript memory in the browser, in the Go heap
//     natively with MemStore) are capped at 3 GiB, less than a tab or a
//     laptop can hold, more than nearly every image people inspect;
//   - MaxBytes (16 GiB of uncompressed stream per layer) only bounds time: a
//     bomb that inflates to terabytes stops there, after ≈ 1 minute natively;
//   - a single file may be as big as MaxStored; a path 256 components deep
//     and 1 MiB of PAX records per entry are far beyond real images
//     (archive/tar itself refuses PAX and GNU long-name records over 1 MiB).
func DefaultLimits() Limits {
	return Limits{
		MaxEntries:   1_000_000,
		MaxBytes:     16 << 30,
		MaxFileSize:  3 << 30,
		MaxPathDepth: 256,
		MaxPAXBytes:  1 << 20,
		MaxStored:    3 << 30,
		MaxMetaBytes: 256 << 20,
	}
}

// withDefaults fills zero fields from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxEntries == 0 {
		l.MaxEntries = d.MaxEntries
	}
	if l.MaxBytes == 0 {
		l.MaxBytes = d.MaxBytes
	}
	if l.MaxFileSize == 0 {
		l.MaxFileSize = d.MaxFileSize
	}
	if l.MaxPathDepth == 0 {
		l.MaxPathDepth = d.MaxPathDepth
	}
	if l.MaxPAXBytes == 0 {
		l.MaxPAXBytes = d.MaxPAXBytes
	}
	if l.MaxStored == 0 {
		l.MaxStored = d.MaxStored
	}
	if l.MaxMetaBytes == 0 {
		l.MaxMetaBytes = d.MaxMetaBytes
	}
	return l
}

// WithDefaults returns l with its zero fields filled from DefaultLimits: the
// limits Read actually applies.
func (l Limits) WithDefaults() Limits { return l.withDefaults() }

// Exceeds reports whether v is over the limit max, where a negative max
// means no limit (the convention of Limits after WithDefaults).
func Exceeds(v, max int64) bool { return exceeds(v, max) }

// exceeds reports whether v is over the limit max (negative: unlimited).
func exceeds(v, max int64) bool { return max >= 0 && v > max }

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
