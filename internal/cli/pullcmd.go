package cli

import (
	"context"
	"flag"
	"io"

	"github.com/regscope/regscope/pkg/pull"
)

// pullFlagSet returns the flag set of the command name with the pull flags
// registered; the command adds its own flags before parsing.
func pullFlagSet(name string) (*flag.FlagSet, *pullFlags) {
	f := new(pullFlags)
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	f.register(fs)
	return fs, f
}

// parseAndPull parses args (the image reference first, between min and max
// positional arguments in all) and pulls the image as pullImage does. It
// returns the image and the positional arguments.
func parseAndPull(ctx context.Context, fs *flag.FlagSet, f *pullFlags, args []string, min, max int, content bool, stderr io.Writer) (*pull.Image, []string, error) {
	pos, err := parse(fs, args, min, max)
	if err != nil {
		return nil, nil, err
	}
	img, err := pullImage(ctx, pos[0], f, content, stderr)
	return img, pos, err
}
