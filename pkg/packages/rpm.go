package packages

import (
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	"github.com/regscope/regscope/pkg/packages/internal/sqlite"
)

const (
	// Where rpm keeps its SQLite database (rpm 4.16 and later): Fedora and
	// openSUSE in /usr/lib/sysimage/rpm (with /var/lib/rpm a link to it),
	// RHEL 9 and its rebuilds in /var/lib/rpm. The first found is read.
	rpmSysimageDB = "/usr/lib/sysimage/rpm/rpmdb.sqlite"
	rpmVarLibDB   = "/var/lib/rpm/rpmdb.sqlite"

	// rpmTable is the table of rpm's SQLite database holding one header
	// blob a package: (hnum INTEGER PRIMARY KEY, blob BLOB).
	rpmTable = "Packages"
	// walSuffix names SQLite's write-ahead log beside a database.
	walSuffix = "-wal"
	// srcRPMSuffix ends a SOURCERPM value: name-version-release.src.rpm.
	srcRPMSuffix = ".src.rpm"
)

// readRPM reads the first rpm database found.
func readRPM(fsys fs.FS, h *history) ([]Package, error) {
	for _, db := range []string{rpmSysimageDB, rpmVarLibDB} {
		data, ok, err := readFile(fsys, db)
		if err != nil {
			return nil, wrap(db, err)
		}
		if !ok {
			continue
		}
		wal, _, err := readFile(fsys, db+walSuffix)
		if err != nil {
			return nil, wrap(db+walSuffix, err)
		}
		if len(wal) > 0 {
			return nil, fmt.Errorf("%s%s: %d bytes of write-ahead log not yet in the database, which is not read", db, walSuffix, len(wal))
		}
		entries, err := rpmEntries(data, db)
		if err != nil {
			return nil, wrap(db, err)
		}
		if err := h.layerOf(db, entries, rpmKey, rpmVersion); err != nil {
			return nil, err
		}
		return packagesOf(entries), nil
	}
	return nil, nil
}

// rpmKey identifies an rpm package: several versions of a name (kernels,
// gpg-pubkey) and several architectures may be installed at once.
func rpmKey(p Package) string { return p.Name + "-" + p.Version + "." + p.Arch }

// rpmEntries reads every header blob of the database's Packages table;
// an entry's record is its whole header blob.
func rpmEntries(data []byte, db string) ([]entry, error) {
	sq, err := sqlite.Open(data)
	if err != nil {
		return nil, err
	}
	root, err := sq.Table(rpmTable)
	if err != nil {
		return nil, err
	}
	var out []entry
	err = sq.Rows(root, func(hnum int64, rec []any) error {
		var b []byte
		if len(rec) == 2 {
			b, _ = rec[1].([]byte)
		}
		if b == nil {
			return fmt.Errorf("%s row %d is not (hnum, blob)", rpmTable, hnum)
		}
		p, err := rpmPackage(b)
		if err != nil {
			return fmt.Errorf("%s row %d: %w", rpmTable, hnum, err)
		}
		p.DB = db
		out = append(out, entry{pkg: p, record: string(b)})
		return nil
	})
	return out, err
}

// rpmPackage decodes a header blob.
func rpmPackage(blob []byte) (Package, error) {
	h, err := parseRPMHeader(blob)
	if err != nil {
		return Package{}, err
	}
	var f [6]string
	for i, tag := range [...]uint32{rpmTagName, rpmTagVersion, rpmTagRelease, rpmTagArch, rpmTagSourceRPM, rpmTagLicense} {
		if f[i], err = h.str(tag); err != nil {
			return Package{}, err
		}
	}
	p := Package{Name: f[0], Version: f[1] + "-" + f[2], Arch: f[3], Source: rpmSource(f[4]), License: f[5], Manager: RPM}
	if p.Name == "" {
		return p, fmt.Errorf("header has no name (tag %d)", rpmTagName)
	}
	epoch, err := h.int32s(rpmTagEpoch)
	if err != nil {
		return p, err
	}
	if len(epoch) > 0 {
		p.Version = strconv.Itoa(int(epoch[0])) + ":" + p.Version
	}
	if p.Source == "" {
		p.Source = p.Name
	}
	p.Files, err = h.files()
	return p, err
}

// rpmSource turns "glibc-2.34-60.el9.src.rpm" into "glibc": the source
// package's name, without its version and release.
func rpmSource(srpm string) string {
	s, ok := strings.CutSuffix(srpm, srcRPMSuffix)
	if !ok {
		return ""
	}
	for range 2 {
		i := strings.LastIndexByte(s, '-')
		if i <= 0 {
			return ""
		}
		s = s[:i]
	}
	return s
}

// rpmVersion parses one version of an rpm database, as a lower layer wrote it.
func rpmVersion(data []byte) ([]entry, error) { return rpmEntries(data, "") }
