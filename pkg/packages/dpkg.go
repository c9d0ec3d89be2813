package packages

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// Where dpkg keeps its database.
const (
	dpkgStatus  = "/var/lib/dpkg/status"
	dpkgStatusD = "/var/lib/dpkg/status.d"
	dpkgInfo    = "/var/lib/dpkg/info"
	// md5sumsSuffix ends the file list distroless writes beside a status.d stanza.
	md5sumsSuffix = ".md5sums"
)

// readDpkg reads /var/lib/dpkg/status.
func readDpkg(fsys fs.FS, h *history) ([]Package, error) {
	data, ok, err := readFile(fsys, dpkgStatus)
	if !ok || err != nil {
		return nil, wrap(dpkgStatus, err)
	}
	entries, err := dpkgEntries(data, dpkgStatus)
	if err != nil {
		return nil, wrap(dpkgStatus, err)
	}
	if err := h.layerOf(dpkgStatus, entries, dpkgKey, dpkgVersion); err != nil {
		return nil, err
	}
	out := make([]Package, 0, len(entries))
	for _, e := range entries {
		p := e.pkg
		if p.Files, err = dpkgList(fsys, p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// readDpkgStatusD reads distroless's /var/lib/dpkg/status.d/*: one file a
// package (a stanza, usually without Status), files from <name>.md5sums.
func readDpkgStatusD(fsys fs.FS, h *history) ([]Package, error) {
	des, err := fs.ReadDir(fsys, dpkgStatusD[1:])
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, wrap(dpkgStatusD, err)
	}
	var out []Package
	for _, de := range des {
		if !de.Type().IsRegular() || strings.HasSuffix(de.Name(), md5sumsSuffix) {
			continue
		}
		name := path.Join(dpkgStatusD, de.Name())
		data, _, err := readFile(fsys, name)
		if err != nil {
			return nil, wrap(name, err)
		}
		entries, err := dpkgEntries(data, name)
		if err != nil {
			return nil, wrap(name, err)
		}
		if err := h.layerOf(name, entries, dpkgKey, dpkgVersion); err != nil {
			return nil, err
		}
		files, err := md5sumsFiles(fsys, name+md5sumsSuffix)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			e.pkg.Files = files
			out = append(out, e.pkg)
		}
	}
	return out, nil
}

func wrap(name string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", name, err)
}

// dpkgEntries parses a dpkg database file into its installed packages.
func dpkgEntries(data []byte, db string) ([]entry, error) {
	stanzas, err := parseControl(data)
	if err != nil {
		return nil, err
	}
	var out []entry
	for _, s := range stanzas {
		p, ok, err := dpkgPackage(s)
		if err != nil {
			return nil, err
		}
		if ok {
			p.DB = db
			out = append(out, entry{pkg: p, record: s.text})
		}
	}
	return out, nil
}

// dpkgPackage decodes one stanza; ok is false for packages whose files are
// not installed (status not-installed or config-files).
func dpkgPackage(s stanza) (Package, bool, error) {
	p := Package{Name: s.get("Package"), Version: s.get("Version"), Arch: s.get("Architecture"), Manager: DPKG}
	if p.Name == "" {
		return p, false, fmt.Errorf("a stanza has no Package field: %.60q", s.text)
	}
	if st := strings.Fields(s.get("Status")); len(st) == 3 && (st[2] == "not-installed" || st[2] == "config-files") {
		return p, false, nil
	}
	p.Source, _, _ = strings.Cut(s.get("Source"), " ") // "glibc" or "gcc-12 (12.2.0-14)"
	if p.Source == "" {
		p.Source = p.Name
	}
	return p, true, nil
}

// dpkgKey identifies a dpkg package across versions of its database:
// Multi-Arch: same packages may be installed once per architecture.
func dpkgKey(p Package) string { return p.Name + ":" + p.Arch }

// dpkgList reads the package's file list, info/<name>:<arch>.list (for
// Multi-Arch: same) or info/<name>.list; nil when there is none.
func dpkgList(fsys fs.FS, p Package) ([]string, error) {
	for _, name := range []string{p.Name + ":" + p.Arch + ".list", p.Name + ".list"} {
		data, ok, err := readFile(fsys, path.Join(dpkgInfo, name))
		if err != nil {
			return nil, wrap(path.Join(dpkgInfo, name), err)
		}
		if ok {
			return lines(string(data), func(l string) string { return l }), nil
		}
	}
	return nil, nil
}

// md5sumsFiles reads a distroless <name>.md5sums ("<md5>  <path>" lines,
// paths relative to /); nil when there is none.
func md5sumsFiles(fsys fs.FS, name string) ([]string, error) {
	data, ok, err := readFile(fsys, name)
	if err != nil || !ok {
		return nil, wrap(name, err)
	}
	return lines(string(data), func(l string) string {
		_, p, ok := strings.Cut(l, "  ")
		if !ok {
			return ""
		}
		return "/" + strings.TrimPrefix(p, "/")
	}), nil
}

// lines maps each non-empty line of s through f, dropping empty results,
// in the order the database wrote them.
func lines(s string, f func(string) string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimRight(l, "\r"); l == "" {
			continue
		}
		if v := f(l); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// dpkgVersion parses one version of a dpkg database, as a lower layer wrote it.
func dpkgVersion(data []byte) ([]entry, error) { return dpkgEntries(data, "") }
