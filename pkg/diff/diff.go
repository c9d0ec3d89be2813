package diff

import (
	"errors"
	"path"
	"slices"

	"github.com/regscope/regscope/pkg/inspect"
	"github.com/regscope/regscope/pkg/layers"
	"github.com/regscope/regscope/pkg/manifest"
	"github.com/regscope/regscope/pkg/pull"
)

// Side describes one of the two images compared.
type Side struct {
	Ref        string  `json:"ref"`        // as asked
	Pinned     string  `json:"pinned"`     // pinned to the digest pulled (index, else manifest)
	Manifest   string  `json:"manifest"`   // the image manifest's digest
	Platform   string  `json:"platform"`   // os/arch[/variant]
	Layers     int     `json:"layers"`     // how many
	Size       int64   `json:"size"`       // compressed bytes of its layers
	Content    int64   `json:"content"`    // bytes of regular files in its merged filesystem
	Wasted     int64   `json:"wasted"`     // bytes its later layers overwrote or deleted
	Efficiency float64 `json:"efficiency"` // as pkg/inspect computes it
}

// Summary counts the changed paths and bytes.
type Summary struct {
	Added    int `json:"added"`
	Removed  int `json:"removed"`
	Modified int `json:"modified"`
	// BytesAdded is the content only B has: its added regular files and the
	// new versions of files whose content changed. BytesRemoved is the same
	// for A: removed files and the old versions of changed ones.
	BytesAdded   int64 `json:"bytesAdded"`
	BytesRemoved int64 `json:"bytesRemoved"`
}

// Result is the comparison of image A with image B.
type Result struct {
	A, B    Side
	Root    string // the path compared ("/" for everything)
	Summary Summary
	Files   []File
	Config  Config
	Layers  Layers
}

// Same reports whether the images have no file and no config difference
// (layers and history may still differ: the same files built in other
// layers are the same image to a user).
func (r *Result) Same() bool { return len(r.Files) == 0 && len(r.Config.Changes) == 0 }

// Images compares two pulled images under root ("" or "/" for all). The
// files are compared by content: the images must be pulled with a Store
// that keeps contents.
func Images(a, b *pull.Image, root string) (*Result, error) {
	if a == nil || b == nil || a.FS == nil || b.FS == nil {
		return nil, errors.New("diff: an image has no filesystem")
	}
	root = path.Clean("/" + root)
	r := &Result{Root: root, Config: Configs(a.Image, b.Image), Layers: CompareLayers(a.Layers, b.Layers)}
	var err error
	if r.A, err = side(a); err != nil {
		return nil, err
	}
	if r.B, err = side(b); err != nil {
		return nil, err
	}
	if r.Files, err = Files(a.FS, b.FS, root); err != nil {
		return nil, err
	}
	r.Summary = summarize(r.Files)
	return r, nil
}

func side(img *pull.Image) (Side, error) {
	eff, err := inspect.Image(img)
	if err != nil {
		return Side{}, err
	}
	s := Side{
		Ref: img.Ref.String(), Pinned: img.Pinned().String(), Manifest: string(img.Manifest.Digest),
		Platform: manifest.FormatPlatform(img.Platform), Layers: len(img.Layers),
		Content: eff.Content, Wasted: eff.Wasted, Efficiency: eff.Efficiency,
	}
	for _, l := range img.Layers {
		s.Size += l.Size
	}
	return s, nil
}

func summarize(files []File) Summary {
	var s Summary
	isFile := func(e *layers.Entry) bool { return e != nil && kind(e) == layers.TypeFile }
	for _, f := range files {
		switch f.Change {
		case Added:
			s.Added++
		case Removed:
			s.Removed++
		case Modified:
			s.Modified++
		}
		if f.Change == Modified && !slices.Contains(f.Fields, "content") && !slices.Contains(f.Fields, "type") {
			continue // same bytes
		}
		if isFile(f.A) {
			s.BytesRemoved += f.A.Size
		}
		if isFile(f.B) {
			s.BytesAdded += f.B.Size
		}
	}
	return s
}
