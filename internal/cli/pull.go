package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/regscope/regscope/internal/format"
	"github.com/regscope/regscope/pkg/inspect"
	"github.com/regscope/regscope/pkg/manifest"
	"github.com/regscope/regscope/pkg/pull"
)

func cmdPull(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, f := pullFlagSet("pull")
	img, _, err := parseAndPull(ctx, fs, f, args, 1, 1, false, stderr)
	if err != nil {
		return err
	}
	s := summarize(img)
	if s.Efficiency, err = inspect.Image(img); err != nil {
		return err
	}
	if f.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	}
	return s.print(stdout)
}

// summary is what `regscope pull` reports, as text or as one JSON object.
type summary struct {
	Reference string      `json:"reference"`
	Pinned    string      `json:"pinned"`
	Index     *blobInfo   `json:"index,omitempty"`
	Platforms []string    `json:"platforms,omitempty"`
	Manifest  blobInfo    `json:"manifest"`
	Platform  string      `json:"platform"`
	Config    blobInfo    `json:"config"`
	Layers    []layerInfo `json:"layers"`
	Files     int         `json:"files"`
	Verified  bool        `json:"verified"` // every check made passed (a pull that fails prints no summary)
	// Verification is the sentence saying what was verified and what was
	// not (pull.Checks.String), the same the page shows; Checks the list.
	Verification string      `json:"verification"`
	Checks       pull.Checks `json:"checks"`
	// Efficiency is the dive-like report (pkg/inspect): content, wasted
	// bytes per layer and path, largest files.
	Efficiency *inspect.Result `json:"efficiency"`
}

type blobInfo struct {
	Digest    string `json:"digest"`
	MediaType string `json:"mediaType"`
	Size      int64  `json:"size"`
}

type layerInfo struct {
	Index            int    `json:"index"`
	Digest           string `json:"digest"`
	MediaType        string `json:"mediaType"`
	Size             int64  `json:"size"`
	DiffID           string `json:"diffID"`
	UncompressedSize int64  `json:"uncompressedSize"`
	CreatedBy        string `json:"createdBy,omitempty"`
	Added            int    `json:"added"`
	Modified         int    `json:"modified"`
	Deleted          int    `json:"deleted"`
}

func summarize(img *pull.Image) summary {
	s := summary{
		Reference:    img.Ref.String(),
		Pinned:       img.Pinned().String(),
		Manifest:     info(img.Manifest),
		Platform:     manifest.FormatPlatform(img.Platform),
		Config:       info(img.Config),
		Files:        img.FS.Len(),
		Verified:     true, // Pull returns no image unless every check it made passed
		Verification: img.Checks.String(),
		Checks:       img.Checks,
	}
	if img.Index != nil {
		i := info(*img.Index)
		s.Index = &i
		for _, p := range img.Platforms {
			s.Platforms = append(s.Platforms, manifest.FormatPlatform(p))
		}
	}
	for _, l := range img.Layers {
		li := layerInfo{
			Index: l.Index, Digest: l.Digest.String(), MediaType: l.MediaType, Size: l.Size,
			DiffID: l.DiffID.String(), UncompressedSize: l.UncompressedSize,
			Added: l.Stats.Added, Modified: l.Stats.Modified, Deleted: l.Stats.Deleted,
		}
		if l.History != nil {
			li.CreatedBy = l.History.CreatedBy
		}
		s.Layers = append(s.Layers, li)
	}
	return s
}

func info(b pull.Blob) blobInfo {
	return blobInfo{Digest: b.Digest.String(), MediaType: b.MediaType, Size: b.Size}
}

func (s summary) print(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "reference\t%s\n", s.Reference)
	fmt.Fprintf(tw, "pinned\t%s\n", s.Pinned)
	if s.Index != nil {
		fmt.Fprintf(tw, "index\t%s\t%s\n", s.Index.Digest, s.Index.MediaType)
		fmt.Fprintf(tw, "platforms\t%v\n", s.Platforms)
	}
	fmt.Fprintf(tw, "manifest\t%s\t%s\n", s.Manifest.Digest, s.Manifest.MediaType)
	fmt.Fprintf(tw, "platform\t%s\n", s.Platform)
	if s.Config.Digest != "" {
		fmt.Fprintf(tw, "config\t%s\t%s\n", s.Config.Digest, s.Config.MediaType)
	} else {
		fmt.Fprintf(tw, "config\t(none: schema1, synthesised)\n")
	}
	var comp, uncomp int64
	for _, l := range s.Layers {
		comp += l.Size
		uncomp += l.UncompressedSize
	}
	fmt.Fprintf(tw, "layers\t%d, %s compressed, %s uncompressed\n", len(s.Layers), format.Size(comp), format.Size(uncomp))
	fmt.Fprintf(tw, "files\t%d\n", s.Files)
	printEfficiency(tw, s.Efficiency)
	tw.Flush()
	printTopWasted(w, s.Efficiency, 5)
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tDIGEST\tMEDIA TYPE\tSIZE\tDIFFID\tUNCOMPRESSED\t+/~/-\tCREATED BY")
	for _, l := range s.Layers {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%d/%d/%d\t%s\n", l.Index, l.Digest, l.MediaType, format.Size(l.Size),
			l.DiffID, format.Size(l.UncompressedSize), l.Added, l.Modified, l.Deleted, truncate(l.CreatedBy, 60))
	}
	tw.Flush()
	_, err := fmt.Fprintf(w, "\n%s\n", s.Verification)
	return err
}

func truncate(s string, n int) string {
	r := []rune(oneLine(s))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n-1]) + "…"
}
