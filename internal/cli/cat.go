package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/regscope/regscope/pkg/layers"
)

func cmdCat(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, f := pullFlagSet("cat")
	img, pos, err := parseAndPull(ctx, fs, f, args, 2, 2, true, stderr)
	if err != nil {
		return err
	}
	p := pos[1]
	name, err := img.FS.Resolve(fsName(p)) // symlinks inside the image, at most 40 hops
	if err != nil {
		return fmt.Errorf("cat %s: %w", p, err)
	}
	e, err := img.FS.Lstat(name)
	if err != nil {
		return fmt.Errorf("cat %s: %w", p, err)
	}
	switch {
	case e.Type == layers.TypeDir:
		return fmt.Errorf("cat %s: is a directory", p)
	case e.Content == nil:
		return fmt.Errorf("cat %s: is a %s, not a regular file", p, e.Type)
	}
	_, err = io.Copy(stdout, io.NewSectionReader(e.Content, 0, e.Content.Size()))
	return err
}
