// Package packages reads the package databases of an image's merged
// filesystem: which packages are installed, at which version, built from
// which source, and which layer installed or last changed each one.
//
// Databases read:
//
//   - dpkg: /var/lib/dpkg/status (Debian's RFC 822-style stanzas; packages
//     whose status is not-installed or config-files are left out, as their
//     files are gone) and /var/lib/dpkg/status.d/<name> (one stanza a file,
//     as distroless images write it, with <name>.md5sums listing files).
//     A package's files come from /var/lib/dpkg/info/<name>.list (or
//     <name>:<arch>.list for Multi-Arch: same packages).
//   - apk: /lib/apk/db/installed (P: name, V: version, A: arch, o: origin,
//     L: licence, F: directory and R: file lines).
//   - rpm: rpmdb.sqlite in /usr/lib/sysimage/rpm, else in /var/lib/rpm
//     (rpm 4.16 and later), read by the bounded SQLite file reader in
//     internal/sqlite: each row of its Packages table is a header blob
//     (NAME, EPOCH, VERSION, RELEASE, ARCH, SOURCERPM, LICENSE, and files
//     from DIRNAMES, BASENAMES and DIRINDEXES). A non-empty -wal beside it
//     is an error. rpm's Berkeley DB and NDB databases are not read.
//
// The layer rule: a package's layer is the one whose write of the database
// file holding its entry first recorded the entry exactly as it is now,
// with no later layer changing or removing it. It is found by reading each
// layer's own version of that file (the layer's change set) from the top
// down. Installing or upgrading a package rewrites its entry, so this is the
// layer that installed or last changed the package; a layer that rewrites
// the database for other packages does not claim it. Files a later layer
// overwrites without the package manager do not move the package. rpm's
// database is one file holding every package: its versions are opened in
// turn and each package's header blob compared.
package packages
