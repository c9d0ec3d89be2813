package layers

import (
	"fmt"
	"strconv"
)

// Limits bound what one layer may make us hold. A zero field takes its value
// from DefaultLimits; a negative field means no limit.
type Limits struct {
	MaxEntries   int   // tar entries in one layer
	MaxBytes     int64 // uncompressed bytes of one layer (the whole tar stream)
	MaxFileSize  int64 // size of one regular file
	MaxPathDepth int   // components of one path ("/a/b" has 2)
	MaxPAXBytes  int   // bytes of one entry's PAX records plus its name and link
}

// DefaultLimits returns the limits used for zero fields: sized so one layer
// cannot exhaust the 4 GiB wasm heap with metadata, while file contents go
// to the Store (which may keep them outside the Go heap).
func DefaultLimits() Limits {
	return Limits{
		MaxEntries:   1_000_000,
		MaxBytes:     16 << 30,
		MaxFileSize:  8 << 30,
		MaxPathDepth: 256,
		MaxPAXBytes:  1 << 20,
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
	return l
}

// exceeds reports whether v is over the limit max (negative: unlimited).
func exceeds(v, max int64) bool { return max >= 0 && v > max }

// LimitError reports a layer going over one of its Limits.
type LimitError struct {
	Limit string // field name in Limits: "MaxEntries", "MaxBytes", …
	Max   int64  // the limit
	Value int64  // the value that went over it
	Path  string // the entry at fault, as written in the tar
}

// Error names the entry, the value and the limit it went over.
func (e *LimitError) Error() string {
	return fmt.Sprintf("layer entry %s: %d exceeds limit %s (%s)",
		strconv.Quote(e.Path), e.Value, e.Limit, strconv.FormatInt(e.Max, 10))
}
