// Package layers turns the compressed bytes of image layers into a merged,
// read-only filesystem, the way `docker pull` unpacks them onto overlayfs —
// but in memory, recording which layer provided or deleted every path.
//
// The pipeline for one layer is [Read]: decompress (gzip, zstd or plain tar,
// chosen by media type and checked against the magic bytes), hash the
// uncompressed stream (the DiffID), untar into a [ChangeSet] and drain both
// streams to io.EOF so the caller's digest verification sees every byte.
// [Codec.Read] is the same with a [Codec]'s SHA-256 and gzip inflater (the
// browser's native ones, say). [FS.Apply] then lays each change set on top
// of the ones before it.
//
// # Paths
//
// Every path is made absolute and cleaned lexically with
// path.Clean("/"+name): "./a", "/a", "../../a" and "b/../a" all name "/a".
// Nothing can escape the root.
//
// # Overlay rules
//
//   - ".wh.NAME" deletes NAME and its subtree from the layers below
//     (and from entries earlier in the same layer, in tar order, as Docker does).
//     A whiteout of a path that does not exist does nothing (it creates no
//     parent directories, unlike Docker's unpacker, like go-containerregistry).
//   - ".wh..wh..opq" in directory D hides everything lower layers put in D,
//     but not what the same layer puts there, whichever comes first in the tar.
//   - Other ".wh..wh.*" names (aufs metadata such as .wh..wh.plnk) are ignored.
//   - A directory entry over an existing directory updates its metadata and
//     keeps its children; any other entry replaces what was there, subtree
//     included. Within one layer the last entry for a path wins.
//   - Missing parents are created as directories (mode 0755) owned by the
//     layer that needed them.
//   - A hardlink is one more name of the regular file its target names when
//     the link is applied (one inode, as on a real filesystem). The merged
//     tree lists the file's first remaining name (in link order) as a
//     regular file and the others as hardlinks to it; when a later entry
//     deletes or replaces some names, the rest stay linked, and a last
//     remaining name is a plain regular file with the content it had.
//     A hardlink to a missing path or to a directory is an error; a hardlink
//     to a symlink, device or fifo becomes a copy of that entry.
//
// # Symlinks are never followed while applying
//
// Unpacking on a real disk would follow a symlinked parent directory (Docker
// does so inside a chroot). This package works on lexical paths only: when a
// parent component of an entry's path is a symlink (or any non-directory) in
// the merged tree, it is replaced by a directory, recorded as Modified by
// that layer. The result never depends on where links point, and no entry can
// land outside the root or inside another directory through a link.
//
// Reading is different: [FS.Open], [FS.Stat], [FS.ReadFile] and [FS.Resolve]
// follow symlinks (relative and absolute targets, both resolved inside the
// root, at most 40 hops, else [ErrLoop]); [FS.Lstat] and [FS.ReadDirEntries]
// do not follow the last element.
//
// # Concurrency
//
// An FS is built by one goroutine calling Apply layer by layer, in order.
// Once built it is never modified and any number of goroutines may read it.
//
// # Memory
//
// File contents live in a [Store], not in the index. [MemStore] keeps them in
// the Go heap; the browser engine provides a Store backed by JS memory so big
// images do not exhaust the 4 GiB wasm heap. [Limits] bound what one layer
// may make us hold.
package layers
