// Package blobcache keeps verified blobs on disk by digest, for the command
// line: `regscope ls` then `regscope cat` of the same image download each
// blob once. Only blobs read to the end from a verifying reader are kept
// (the registry client fails the last Read of a blob whose size or digest
// is wrong), every read from the cache is verified again, and a kept blob
// that no longer matches its digest is removed and reported. A download
// that is cut off — an error, a crash, a kill — leaves at most a temporary
// file that is never taken for a blob and that Prune removes.
//
// The cache is bounded: after each blob is kept, the least recently used
// blobs are removed until the total is under the size limit.
package blobcache

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/opencontainers/go-digest"
)

// DefaultMax is the size limit when none is given: room for a few big images.
const DefaultMax = 10 << 30

// tmpPrefix starts the names of blobs still being written.
const tmpPrefix = "tmp-"

// Cache is a directory of blobs named by digest ("sha256/<hex>"). It is safe
// for concurrent use by the goroutines of one process, and by several
// processes: a blob appears by rename, whole, or not at all.
type Cache struct {
	dir string
	max int64 // bytes; negative: no limit
}

// Dir returns the default cache directory, os.UserCacheDir()/regscope/blobs.
func Dir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("blob cache: %w", err)
	}
	return filepath.Join(d, "regscope", "blobs"), nil
}

// Open returns the cache in dir, creating it, holding at most max bytes
// (0 means DefaultMax, negative no limit).
func Open(dir string, max int64) (*Cache, error) {
	if max == 0 {
		max = DefaultMax
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("blob cache: %w", err)
	}
	return &Cache{dir: dir, max: max}, nil
}

// Max returns the size limit in bytes (negative: none).
func (c *Cache) Max() int64 { return c.max }

// path returns where blob d lives, or "" for a digest that cannot name a
// file (an unknown algorithm or a malformed hex part).
func (c *Cache) path(d digest.Digest) string {
	if d.Validate() != nil {
		return ""
	}
	return filepath.Join(c.dir, string(d.Algorithm()), d.Encoded())
}

// Entry is one kept blob.
type Entry struct {
	Digest digest.Digest
	Size   int64
	Used   time.Time // last kept or read
}

// List returns the kept blobs, most recently used first, and the bytes
// they take.
func (c *Cache) List() ([]Entry, int64, error) {
	var out []Entry
	var total int64
	algs, err := os.ReadDir(c.dir)
	if err != nil {
		return nil, 0, fmt.Errorf("blob cache: %w", err)
	}
	for _, a := range algs {
		if !a.IsDir() {
			continue
		}
		files, err := os.ReadDir(filepath.Join(c.dir, a.Name()))
		if err != nil {
			return nil, 0, fmt.Errorf("blob cache: %w", err)
		}
		for _, f := range files {
			d := digest.NewDigestFromEncoded(digest.Algorithm(a.Name()), f.Name())
			info, err := f.Info()
			if err != nil || d.Validate() != nil || !info.Mode().IsRegular() {
				continue
			}
			out = append(out, Entry{Digest: d, Size: info.Size(), Used: info.ModTime()})
			total += info.Size()
		}
	}
	slices.SortFunc(out, func(a, b Entry) int { return b.Used.Compare(a.Used) })
	return out, total, nil
}

// Prune removes the least recently used blobs until the cache holds at most
// max bytes (negative: remove nothing; 0: remove every blob), and every
// temporary file of a download that did not finish. It returns how many
// blobs it removed and their bytes.
func (c *Cache) Prune(max int64) (int, int64, error) {
	tmps, _ := filepath.Glob(filepath.Join(c.dir, tmpPrefix+"*"))
	for _, t := range tmps {
		if info, err := os.Stat(t); err == nil && time.Since(info.ModTime()) > time.Minute {
			os.Remove(t) // an unfinished download, unless it is still going
		}
	}
	entries, total, err := c.List()
	if err != nil || max < 0 {
		return 0, 0, err
	}
	n, freed := 0, int64(0)
	for i := len(entries) - 1; i >= 0 && total > max; i-- {
		if err := os.Remove(c.path(entries[i].Digest)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return n, freed, fmt.Errorf("blob cache: %w", err)
		}
		total -= entries[i].Size
		freed += entries[i].Size
		n++
	}
	return n, freed, nil
}

// CorruptError reports a kept blob whose bytes no longer match its digest
// or size; the blob has been removed.
type CorruptError struct {
	Digest digest.Digest
	Path   string
	Reason string
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("cached blob %s (%s): %s; removed", e.Digest, e.Path, e.Reason)
}
