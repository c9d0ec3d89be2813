package diff

import (
	"errors"
	"path"
	"slices"

	"github.com/regscope/regscope/pkg/inspect"
	"github.com/regscope/regscope/pkg/layers"
	"github.com/regscope/regscope/pkg/manifest"
	"github.com/regscope/regscope/pkg/pull"
	"github.com/regscope/regscope/pkg/report"
)

// The comparison's parts other than the changed files are plain data
// defined in pkg/report, so that programs that only show them (the page's
// view) need not link the pipeline.
type (
	// Side describes one of the two images compared.
	Side = report.Side
	// Summary counts the changed paths and bytes.
	Summary = report.Summary
	// ConfigChange is one config setting that differs.
	ConfigChange = report.ConfigChange
	// History is one config history entry as the page and CLI show it.
	History = report.History
	// Config is the difference between two configs.
	Config = report.ConfigDiff
	// Layer is one layer of A, B or both (same compressed digest).
	Layer = report.LayerMatch
	// Layers says which layers the two images share and which only one has.
	Layers = report.LayerDiff
	// ContentDiff is what differs between two versions of one file.
	ContentDiff = report.ContentDiff
)

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
