package packages

import (
	"errors"
	"io/fs"
	"sort"

	"github.com/regscope/regscope/pkg/layers"
)

// Package managers (Package.Manager).
const (
	DPKG = "dpkg"
	APK  = "apk"
	RPM  = "rpm"
)

// Package is one installed package.
type Package struct {
	Name    string
	Version string
	Arch    string
	Source  string   // the source package (dpkg Source, apk origin, rpm source rpm's name); Name when the database names none
	License string   // apk's L: field, rpm's LICENSE; dpkg records none
	Manager string   // DPKG, APK or RPM
	DB      string   // the database file holding its entry ("/var/lib/dpkg/status")
	Layer   int      // the layer that installed or last changed it (see the package doc); -1 if unknown
	Files   []string // absolute paths the database lists for it, in its order; nil if it lists none
}

// entry is one package as a database file records it: the parsed package
// and the exact text of its record, used to find its layer.
type entry struct {
	pkg    Package
	record string
}

// packagesOf is the packages of entries, in order.
func packagesOf(entries []entry) []Package {
	out := make([]Package, 0, len(entries))
	for _, e := range entries {
		out = append(out, e.pkg)
	}
	return out
}

// Read returns the packages of every database found in fsys, the merged
// filesystem of an image whose layers' own change sets, bottom first, are
// changes. It is sorted by name, then architecture, then manager. An image
// without any database has no packages and no error; a database that
// cannot be read or parsed is an error naming the file.
func Read(fsys fs.FS, changes []*layers.ChangeSet) ([]Package, error) {
	h := history{changes: changes}
	var all []Package
	for _, read := range []func(fs.FS, *history) ([]Package, error){readDpkg, readDpkgStatusD, readAPK, readRPM} {
		ps, err := read(fsys, &h)
		if err != nil {
			return nil, err
		}
		all = append(all, ps...)
	}
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		if a.Arch != b.Arch {
			return a.Arch < b.Arch
		}
		return a.Manager < b.Manager
	})
	return all, nil
}

// readFile reads name (absolute) from fsys; a missing file is (nil, false, nil).
func readFile(fsys fs.FS, name string) ([]byte, bool, error) {
	b, err := fs.ReadFile(fsys, name[1:])
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return b, true, nil
}
