package packages

import (
	"fmt"
	"io/fs"
	"strings"
)

// apkInstalled is apk's database of installed packages.
const apkInstalled = "/lib/apk/db/installed"

// readAPK reads /lib/apk/db/installed.
func readAPK(fsys fs.FS, h *history) ([]Package, error) {
	data, ok, err := readFile(fsys, apkInstalled)
	if !ok || err != nil {
		return nil, wrap(apkInstalled, err)
	}
	entries, err := apkEntries(data)
	if err != nil {
		return nil, wrap(apkInstalled, err)
	}
	if err := h.layerOf(apkInstalled, entries, apkKey, apkEntries); err != nil {
		return nil, err
	}
	return packagesOf(entries), nil
}

// apkKey identifies an apk package: one version of a name is installed.
func apkKey(p Package) string { return p.Name }

// apkEntries parses apk's installed database: blank-line separated records
// of "X:value" lines.
func apkEntries(data []byte) ([]entry, error) {
	var out []entry
	var cur *entry
	var dir string
	var text strings.Builder
	flush := func() error {
		if cur != nil {
			if cur.pkg.Name == "" {
				return fmt.Errorf("a record has no P: (package name) line: %.60q", text.String())
			}
			if cur.pkg.Source == "" {
				cur.pkg.Source = cur.pkg.Name
			}
			cur.record = text.String()
			out = append(out, *cur)
		}
		cur, dir = nil, ""
		text.Reset()
		return nil
	}
	for n, line := range strings.Split(string(data), "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" {
			if err := flush(); err != nil {
				return nil, err
			}
			continue
		}
		if len(line) < 2 || line[1] != ':' {
			return nil, fmt.Errorf("line %d: %q is not an \"X:value\" line", n+1, line)
		}
		if cur == nil {
			cur = &entry{pkg: Package{Manager: APK, DB: apkInstalled}}
		}
		text.WriteString(line + "\n")
		v := line[2:]
		switch line[0] {
		case 'P':
			cur.pkg.Name = v
		case 'V':
			cur.pkg.Version = v
		case 'A':
			cur.pkg.Arch = v
		case 'o':
			cur.pkg.Source = v
		case 'L':
			cur.pkg.License = v
		case 'F':
			dir = "/" + v
		case 'R':
			cur.pkg.Files = append(cur.pkg.Files, strings.TrimSuffix(dir, "/")+"/"+v)
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, nil
}
