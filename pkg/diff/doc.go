// Package diff compares two pulled images: their merged filesystems path by
// path, the contents of a changed file (a unified diff for text, the first
// differing bytes for binaries), their configs and their layers. It is the
// engine of `regscope diff` and of the page's Compare view.
//
// # Files
//
// Every path of either merged filesystem is classified: "added" (only in
// B), "removed" (only in A) or "modified", where modified names the fields
// that differ, in this order: "content", "gid", "link", "mode", "size",
// "type", "uid" (alphabetical). A hardlink compares as the regular file it
// is a name of: by its content, never by its link target. Contents compare
// by SHA-256, so an edit that keeps the size is caught. "link" is a
// symlink's target; "mode" the permission, setuid, setgid and sticky bits.
// Modification times, owner names and the layer that provided a path are
// not compared: a path whose only difference is its layer of origin is
// unchanged, so two builds that split the same files into different layers
// compare equal.
//
// # Pulling both
//
// [Pull] pulls A and B concurrently with one [pull.Shared]: a layer the two
// images share is downloaded, verified and read once. Each image gets every
// check a single pull makes; if either pull fails, both stop.
package diff
