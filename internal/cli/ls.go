package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"
	"unicode/utf8"

	"github.com/regscope/regscope/internal/format"
	"github.com/regscope/regscope/pkg/layers"
	"github.com/regscope/regscope/pkg/pull"
)

func cmdLs(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, f := pullFlagSet("ls")
	recursive := fs.Bool("R", false, "list recursively")
	layer := fs.Int("layer", -1, "list layer N's own change set instead of the merged filesystem")
	img, pos, err := parseAndPull(ctx, fs, f, args, 1, 2, false, stderr)
	if err != nil {
		return err
	}
	dir := "/"
	if len(pos) == 2 {
		dir = pos[1]
	}
	var entries []*layers.Entry
	if *layer >= 0 {
		entries, err = layerEntries(img, *layer, dir, *recursive)
	} else {
		entries, err = mergedEntries(img.FS, dir, *recursive)
	}
	if err != nil {
		return err
	}
	if f.json {
		enc := json.NewEncoder(stdout)
		for _, e := range entries {
			if err := enc.Encode(listing(e)); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 1, ' ', tabwriter.AlignRight)
	for _, e := range entries {
		name := display(e.Path)
		if e.Link != "" {
			if e.Type == layers.TypeHardlink {
				name += " link to " + display(e.Link)
			} else {
				name += " -> " + display(e.Link)
			}
		}
		fmt.Fprintf(tw, "%s\t %d/%d\t %d\t %s\t L%d\t  %s\n", modeString(e), e.UID, e.GID, e.Size,
			e.ModTime.UTC().Format("2006-01-02 15:04"), e.Layer, name)
	}
	return tw.Flush()
}

// entryJSON is one line of `ls --json`.
type entryJSON struct {
	Path  string `json:"path"`
	Type  string `json:"type"`
	Mode  string `json:"mode"`
	Size  int64  `json:"size"`
	UID   int    `json:"uid"`
	GID   int    `json:"gid"`
	Link  string `json:"link"`
	Layer int    `json:"layer"`
	// PathBytes and LinkBytes hold the exact bytes, base64, when the name
	// is not valid UTF-8 (JSON strings would replace the bad bytes).
	PathBytes []byte `json:"pathBytes,omitempty"`
	LinkBytes []byte `json:"linkBytes,omitempty"`
}

func listing(e *layers.Entry) entryJSON {
	j := entryJSON{Path: e.Path, Type: e.Type.String(), Mode: fmt.Sprintf("%04o", permBits(e.Mode)),
		Size: e.Size, UID: e.UID, GID: e.GID, Link: e.Link, Layer: e.Layer}
	if !utf8.ValidString(e.Path) {
		j.PathBytes = []byte(e.Path)
	}
	if !utf8.ValidString(e.Link) {
		j.LinkBytes = []byte(e.Link)
	}
	return j
}

// display returns a name safe to print on a terminal: as it is when it is
// valid UTF-8 without control characters, else Go-quoted ("a\nb",
// "\xff"), so a hostile name cannot fake lines or send escape codes.
func display(s string) string {
	if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) }) {
		return strconv.Quote(s)
	}
	return s
}

// fsName turns a user's path into an io/fs name ("." for the root).
func fsName(p string) string {
	p = strings.TrimPrefix(path.Clean("/"+p), "/")
	if p == "" {
		return "."
	}
	return p
}

// mergedEntries lists dir of the merged filesystem (following a symlink
// named as dir, as ls does), recursively with -R, sorted by path.
func mergedEntries(fsys *layers.FS, dir string, recursive bool) ([]*layers.Entry, error) {
	name := fsName(dir)
	e, err := fsys.Lstat(name)
	if err != nil {
		return nil, fmt.Errorf("ls %s: %w", dir, err)
	}
	if e.Type == layers.TypeSymlink {
		if name, err = fsys.Resolve(name); err != nil {
			return nil, fmt.Errorf("ls %s: %w", dir, err)
		}
		if e, err = fsys.Lstat(name); err != nil {
			return nil, fmt.Errorf("ls %s: %w", dir, err)
		}
	}
	if e.Type != layers.TypeDir {
		return []*layers.Entry{e}, nil
	}
	var out []*layers.Entry
	var walk func(name string) error
	walk = func(name string) error {
		kids, err := fsys.ReadDirEntries(name)
		if err != nil {
			return fmt.Errorf("ls %s: %w", "/"+strings.TrimPrefix(name, "."), err)
		}
		for _, k := range kids {
			out = append(out, k)
			if recursive && k.Type == layers.TypeDir {
				if err := walk(fsName(k.Path)); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := walk(name); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b *layers.Entry) int { return strings.Compare(a.Path, b.Path) })
	return out, nil
}

// layerEntries lists layer n's own change set under dir, sorted by path,
// each entry marked with n.
func layerEntries(img *pull.Image, n int, dir string, recursive bool) ([]*layers.Entry, error) {
	if n >= len(img.Layers) {
		return nil, fmt.Errorf("ls --layer %d: the image has %d layers (0 to %d)", n, len(img.Layers), len(img.Layers)-1)
	}
	root := path.Clean("/" + dir)
	var out []*layers.Entry
	for _, e := range img.Layers[n].Changes.Entries {
		rel, ok := under(root, e.Path)
		if !ok || rel == "" || (!recursive && strings.Contains(rel, "/")) {
			continue
		}
		c := *e
		c.Layer = n
		out = append(out, &c)
	}
	slices.SortStableFunc(out, func(a, b *layers.Entry) int { return strings.Compare(a.Path, b.Path) })
	return out, nil
}

// under reports whether p is root or below it, and p relative to root.
func under(root, p string) (string, bool) {
	if root == "/" {
		return strings.TrimPrefix(p, "/"), true
	}
	if p == root {
		return "", true
	}
	rest, ok := strings.CutPrefix(p, root+"/")
	return rest, ok
}

// permBits returns the Unix permission bits, setuid/setgid/sticky included.
func permBits(m fs.FileMode) uint32 {
	b := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		b |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		b |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		b |= 0o1000
	}
	return b
}

// modeString renders an entry's mode as ls -l does.
func modeString(e *layers.Entry) string {
	return format.Mode(e.Type.String(), uint32(e.Mode))
}
