package layers

import (
	"fmt"
	"io"
	"os"
	"sync/atomic"
)

// FileStore returns a Store that keeps contents in f, a read-write file the
// caller owns (typically a temporary file it removes when done), so memory
// stays bounded whatever the size of the files. Each Put reserves its
// declared size at the end of what was reserved before and writes the bytes
// as they arrive: the reservation is a hole, so a header claiming gigabytes
// over a short body costs no disk. It is safe for concurrent use.
func FileStore(f *os.File) Store { return &fileStore{f: f} }

type fileStore struct {
	f    *os.File
	next atomic.Int64 // end of the reserved regions
}

// Put copies exactly size bytes from r into a fresh region of the file.
func (s *fileStore) Put(r io.Reader, size int64) (Content, error) {
	if size < 0 {
		return nil, fmt.Errorf("store: negative size %d", size)
	}
	off := s.next.Add(size) - size
	if n, err := io.CopyN(io.NewOffsetWriter(s.f, off), r, size); err != nil {
		return nil, storeErr(n, size, err)
	}
	return io.NewSectionReader(s.f, off, size), nil
}
