package layers

import (
	"archive/tar"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"path"
	"strconv"
	"strings"

	"github.com/opencontainers/go-digest"
)

// Whiteout names (the AUFS convention kept by Docker and the OCI spec).
const (
	whiteoutPrefix = ".wh."
	whiteoutMeta   = ".wh..wh."
	whiteoutOpaque = ".wh..wh..opq"
)

// Stats describes one layer's uncompressed stream.
type Stats struct {
	DiffID  digest.Digest // sha256 of the uncompressed stream
	Size    int64         // bytes of the uncompressed stream
	Entries int           // tar entries read (aufs metadata included)
	// Parents counts the distinct parent directories the entries' paths
	// imply ("a/b/f" implies /a and /a/b), whether or not the layer has
	// entries for them: with Entries, an upper bound on the paths FS.Apply
	// can create for this layer, and what MaxEntries limits.
	Parents   int
	Stored    int64 // bytes of file content put in the Store
	MetaBytes int64 // bytes of the paths, link targets and owner names the entries keep
	// Trailing counts compressed bytes after the last gzip member that were
	// drained but not decoded. Docker ignores them too; they are still part
	// of the blob digest the caller verifies.
	Trailing int64
}

// Read reads a layer with Go's SHA-256 and inflaters: it is Codec{}.Read.
func Read(compressed io.Reader, mediaType string, store Store, lim Limits) (*ChangeSet, Stats, error) {
	return Codec{}.Read(compressed, mediaType, store, lim)
}

// Read is the per-layer pipeline: decompress compressed (by media type and
// magic bytes, see Decompress; gzip with c.Gunzip when set), hash the
// uncompressed stream for the DiffID (with c.SHA256 when set, or taken
// from c.Gunzip's reader when it is a Summer), untar it
// into a ChangeSet with contents in store, then drain the rest of both
// streams to io.EOF, so that a verifying reader under compressed sees every
// byte. A nil store means MemStore(); lim's zero fields take DefaultLimits.
// Errors name the entry at fault; errors from compressed (such as a digest
// mismatch reported at EOF) and from c.Gunzip (such as ErrGunzipFallback)
// are returned wrapped. A Read that fails gives the contents it stored back
// to a store that can take them ([Releaser]), so reading the layer again
// does not count them twice.
func (c Codec) Read(compressed io.Reader, mediaType string, store Store, lim Limits) (*ChangeSet, Stats, error) {
	if store == nil {
		store = MemStore()
	}
	lim = lim.WithDefaults()
	in := &countReader{r: compressed}
	rc, tail, err := c.decompress(in, mediaType)
	if err != nil {
		return nil, Stats{}, err
	}
	defer rc.Close()
	h := &hashCounter{max: lim.MaxBytes, ratio: lim.MaxRatio, in: in, cur: "(first header)"}
	sum, summed := rc.(Summer)
	if !summed || c.Gunzip == nil {
		h.h = c.sha256()
	}
	r := &reader{tr: tar.NewReader(io.TeeReader(rc, h)), h: h, lim: lim, store: store,
		cs: &ChangeSet{}, byPath: map[string]*Entry{}, dirs: map[string]struct{}{}}
	if err := r.read(rc, tail, compressed); err != nil {
		r.release()
		return nil, r.st, err
	}
	// read drained rc to io.EOF: a Summer's digest covers what was counted.
	if h.h != nil {
		r.st.DiffID = digest.NewDigest(digest.SHA256, h.h)
	} else {
		r.st.DiffID = digest.NewDigestFromBytes(digest.SHA256, sum.Sum(nil))
	}
	r.st.Size = h.n
	return r.cs, r.st, nil
}

// read reads every entry, then drains what follows.
func (r *reader) read(rc io.Reader, tail trailer, compressed io.Reader) error {
	for {
		hdr, err := r.tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("reading tar (after %d entries): %w", r.st.Entries, err)
		}
		if err := r.entry(hdr); err != nil {
			return err
		}
	}
	return r.drain(rc, tail, compressed)
}

// release gives the contents this Read stored back to a Releaser store.
// Only regular files own theirs; hardlinks share their target's.
func (r *reader) release() {
	rel, ok := r.store.(Releaser)
	if !ok {
		return
	}
	for _, e := range r.cs.Entries {
		if e.Type == TypeFile && e.Content != nil {
			rel.Release(e.Content)
		}
	}
}

// reader is one Read in progress: the tar stream, the hash and count of the
// uncompressed bytes, and what the layer's entries have added up to so far.
type reader struct {
	tr     *tar.Reader
	h      *hashCounter
	lim    Limits
	store  Store
	st     Stats
	cs     *ChangeSet
	byPath map[string]*Entry   // this layer's entries so far, for hardlinks
	dirs   map[string]struct{} // parent directories implied so far (Stats.Parents)
}

// entry adds the entry of hdr to the change set, within the limits, storing
// a regular file's content and giving a hardlink its target's.
func (r *reader) entry(hdr *tar.Header) error {
	r.st.Entries++
	r.h.cur = hdr.Name
	if err := r.checkEntries(hdr.Name); err != nil {
		return err
	}
	e, err := entryFromHeader(hdr, r.lim)
	if err != nil || e == nil {
		return err
	}
	r.st.Parents += impliedDirs(r.dirs, e)
	if err := r.checkEntries(hdr.Name); err != nil {
		return err
	}
	r.st.MetaBytes += int64(len(e.Path) + len(e.Link) + len(e.Uname) + len(e.Gname))
	if Exceeds(r.st.MetaBytes, r.lim.MaxMetaBytes) {
		return &LimitError{Limit: "MaxMetaBytes", Max: r.lim.MaxMetaBytes, Value: r.st.MetaBytes, Path: hdr.Name}
	}
	switch e.Type {
	case TypeFile:
		if e.Content, err = r.content(hdr); err != nil {
			return err
		}
	case TypeHardlink:
		if t := r.byPath[e.Link]; t != nil && t.Content != nil {
			e.Content, e.Size = t.Content, t.Content.Size()
		}
	}
	if e.Type != TypeWhiteout && e.Type != TypeOpaque {
		r.byPath[e.Path] = e
	}
	r.cs.Entries = append(r.cs.Entries, e)
	return nil
}

// checkEntries bounds the entries read plus the parent directories they
// imply (MaxEntries).
func (r *reader) checkEntries(name string) error {
	if n := int64(r.st.Entries + r.st.Parents); Exceeds(n, int64(r.lim.MaxEntries)) {
		return &LimitError{Limit: "MaxEntries", Max: int64(r.lim.MaxEntries), Value: n, Path: name}
	}
	return nil
}

// content stores the regular file of hdr, within MaxBytes and MaxStored.
func (r *reader) content(hdr *tar.Header) (Content, error) {
	h := r.h
	if Exceeds(h.n+h.holes+hdr.Size, r.lim.MaxBytes) {
		return nil, &LimitError{Limit: "MaxBytes", Max: r.lim.MaxBytes, Value: h.n + h.holes + hdr.Size, Path: hdr.Name}
	}
	if Exceeds(r.st.Stored+hdr.Size, r.lim.MaxStored) {
		return nil, &LimitError{Limit: "MaxStored", Max: r.lim.MaxStored, Value: r.st.Stored + hdr.Size, Path: hdr.Name}
	}
	before := h.n
	c, err := r.store.Put(r.tr, hdr.Size)
	h.holes += max(0, hdr.Size-(h.n-before)) // a sparse file's holes, read as zeros
	if err != nil {
		var le *LimitError
		if errors.As(err, &le) && le.Path == "" {
			le.Path = hdr.Name // a shared budget (LimitStore) ran out
			return nil, le
		}
		return nil, fmt.Errorf("layer entry %q: storing %d bytes: %w", hdr.Name, hdr.Size, err)
	}
	r.st.Stored += hdr.Size
	return c, nil
}

// drain reads what follows the end-of-archive marker: its padding to the
// record size (and sometimes more zeros) is part of the DiffID; data after
// the last gzip member is counted (Stats.Trailing); the compressed stream
// is read to its end so that its digest covers every byte.
func (r *reader) drain(rc io.Reader, tail trailer, compressed io.Reader) error {
	r.h.cur = "(after end of archive)"
	if _, err := io.Copy(io.Discard, io.TeeReader(rc, r.h)); err != nil {
		return fmt.Errorf("reading after end of tar: %w", err)
	}
	if tail != nil {
		n, err := tail.drainTrailing()
		if err != nil {
			return fmt.Errorf("reading after last gzip member: %w", err)
		}
		r.st.Trailing = n
	}
	if _, err := io.Copy(io.Discard, compressed); err != nil {
		return fmt.Errorf("reading layer to the end: %w", err)
	}
	return nil
}

// hashCounter hashes (unless h is nil: a Summer hashes the stream) and
// counts what is written to it, and fails once the
// count, plus the holes of the sparse files read so far, goes over max
// (MaxBytes), or past RatioFloor grows more than ratio times the compressed
// bytes read so far (MaxRatio), naming the entry being read. Holes cost no
// stream bytes but are read out as zeros: MaxBytes bounds the bytes the
// reader produces.
type hashCounter struct {
	h     hash.Hash
	n     int64
	holes int64 // bytes of sparse files not in the stream
	max   int64
	ratio int64
	in    *countReader // the compressed stream
	cur   string       // the entry being read, for errors
}

func (c *hashCounter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	if Exceeds(c.n+c.holes, c.max) {
		return 0, &LimitError{Limit: "MaxBytes", Max: c.max, Value: c.n + c.holes, Path: c.cur}
	}
	if over := c.n + c.holes - RatioFloor; over > 0 && Exceeds(over, c.ratio*c.in.n) {
		in := max(c.in.n, 1)
		return 0, &LimitError{Limit: "MaxRatio", Max: c.ratio, Value: (over + in - 1) / in, Path: c.cur} // rounded up: over the limit reads as over it
	}
	if c.h == nil {
		return len(p), nil
	}
	return c.h.Write(p)
}

// countReader counts the bytes read through it.
type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// impliedDirs adds to dirs the directories e's path implies (its parents;
// for an opaque marker, its directory too) and returns how many were new.
// dirs holds substrings of entry paths, so it costs no copies.
func impliedDirs(dirs map[string]struct{}, e *Entry) int {
	if e.Type == TypeWhiteout {
		return 0 // deletes; creates nothing
	}
	p := path.Dir(e.Path)
	if e.Type == TypeOpaque {
		p = e.Path
	}
	n := 0
	for ; p != "/"; p = path.Dir(p) {
		if _, ok := dirs[p]; ok {
			break
		}
		dirs[p] = struct{}{}
		n++
	}
	return n
}

// cleanPath makes a tar name absolute and lexically clean: nothing escapes "/".
func cleanPath(name string) string { return path.Clean("/" + name) }

// depth counts the components of a clean absolute path.
func depth(p string) int {
	if p == "/" {
		return 0
	}
	return strings.Count(p, "/")
}

// errUnsupported is wrapped by errors for tar entry types that cannot be unpacked.
var errUnsupported = errors.New("unsupported tar entry type")

// entryFromHeader converts one tar header. It returns nil for headers that
// carry no entry (PAX global headers, aufs metadata).
func entryFromHeader(hdr *tar.Header, lim Limits) (*Entry, error) {
	if hdr.Typeflag == tar.TypeXGlobalHeader {
		return nil, nil
	}
	pax := len(hdr.Name) + len(hdr.Linkname)
	for k, v := range hdr.PAXRecords {
		pax += len(k) + len(v)
	}
	if Exceeds(int64(pax), int64(lim.MaxPAXBytes)) {
		return nil, &LimitError{Limit: "MaxPAXBytes", Max: int64(lim.MaxPAXBytes), Value: int64(pax), Path: hdr.Name}
	}
	p := cleanPath(hdr.Name)
	if d := depth(p); Exceeds(int64(d), int64(lim.MaxPathDepth)) {
		return nil, &LimitError{Limit: "MaxPathDepth", Max: int64(lim.MaxPathDepth), Value: int64(d), Path: hdr.Name}
	}
	e := &Entry{
		Path:     p,
		Mode:     tarMode(hdr.Mode),
		UID:      hdr.Uid,
		GID:      hdr.Gid,
		Uname:    hdr.Uname,
		Gname:    hdr.Gname,
		ModTime:  hdr.ModTime,
		Devmajor: hdr.Devmajor,
		Devminor: hdr.Devminor,
	}
	base := path.Base(p)
	switch {
	case base == whiteoutOpaque:
		e.Type, e.Path = TypeOpaque, path.Dir(p)
		e.Mode = 0
		return e, nil
	case strings.HasPrefix(base, whiteoutMeta), strings.HasPrefix(p, "/"+whiteoutMeta):
		// aufs metadata: .wh..wh.aufs, .wh..wh.orph/, .wh..wh.plnk/ and
		// what they hold. (Docker resolves hardlinks into .wh..wh.plnk;
		// aufs-era layers are no longer served, so we do not.)
		return nil, nil
	case strings.HasPrefix(base, whiteoutPrefix):
		victim := base[len(whiteoutPrefix):]
		if victim == "" || victim == "." || victim == ".." {
			return nil, fmt.Errorf("layer entry %q: invalid whiteout name", hdr.Name)
		}
		e.Type, e.Path = TypeWhiteout, path.Join(path.Dir(p), victim)
		e.Mode = 0
		return e, nil
	}
	switch hdr.Typeflag {
	case tar.TypeReg, tar.TypeRegA, tar.TypeGNUSparse, tar.TypeCont:
		e.Type, e.Size = TypeFile, hdr.Size
	case tar.TypeDir:
		e.Type = TypeDir
	case tar.TypeSymlink:
		e.Type, e.Link = TypeSymlink, hdr.Linkname
	case tar.TypeLink:
		e.Type, e.Link = TypeHardlink, cleanPath(hdr.Linkname)
	case tar.TypeChar:
		e.Type = TypeChar
	case tar.TypeBlock:
		e.Type = TypeBlock
	case tar.TypeFifo:
		e.Type = TypeFIFO
	default:
		return nil, fmt.Errorf("layer entry %q: %w %s", hdr.Name, errUnsupported, strconv.QuoteRune(rune(hdr.Typeflag)))
	}
	if p == "/" && e.Type != TypeDir {
		return nil, fmt.Errorf("layer entry %q: a %s cannot replace the root directory", hdr.Name, e.Type)
	}
	e.Mode |= e.Type.modeType()
	if e.Type != TypeChar && e.Type != TypeBlock {
		e.Devmajor, e.Devminor = 0, 0
	}
	return e, nil
}

// tarMode converts tar mode bits (permissions and 04000/02000/01000) to io/fs
// mode bits; the type bits are set from the entry's Type.
func tarMode(mode int64) fs.FileMode {
	m := fs.FileMode(mode).Perm()
	if mode&0o4000 != 0 {
		m |= fs.ModeSetuid
	}
	if mode&0o2000 != 0 {
		m |= fs.ModeSetgid
	}
	if mode&0o1000 != 0 {
		m |= fs.ModeSticky
	}
	return m
}
