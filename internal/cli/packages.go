package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/regscope/regscope/pkg/layers"
	"github.com/regscope/regscope/pkg/packages"
	"github.com/regscope/regscope/pkg/pull"
)

// cmdPackages lists the packages the image's dpkg, apk and rpm databases record,
// with the layer that installed or last changed each (see pkg/packages).
func cmdPackages(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, f := pullFlagSet("packages")
	img, _, err := parseAndPull(ctx, fs, f, args, 1, 1, true, stderr)
	if err != nil {
		return err
	}
	ps, err := packages.Read(img.FS, changeSets(img))
	if err != nil {
		return fmt.Errorf("packages %s: %w", img.Ref, err)
	}
	if f.json {
		enc := json.NewEncoder(stdout)
		for _, p := range ps {
			if err := enc.Encode(packageJSON{p.Name, p.Version, p.Arch, p.Source, p.Manager, p.Layer}); err != nil {
				return err
			}
		}
		return nil
	}
	if len(ps) == 0 {
		fmt.Fprintln(stdout, "no package database found (dpkg, apk, rpm)")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tVERSION\tARCH\tSOURCE\tMANAGER\tLAYER")
	for _, p := range ps {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\n", p.Name, p.Version, p.Arch, p.Source, p.Manager, p.Layer)
	}
	return tw.Flush()
}

// packageJSON is one line of `packages --json`.
type packageJSON struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Arch    string `json:"arch"`
	Source  string `json:"source"`
	Manager string `json:"manager"`
	Layer   int    `json:"layer"`
}

// changeSets returns each layer's own change set, bottom first.
func changeSets(img *pull.Image) []*layers.ChangeSet {
	out := make([]*layers.ChangeSet, len(img.Layers))
	for i, l := range img.Layers {
		out[i] = l.Changes
	}
	return out
}
