package main

import (
	"context"
	"fmt"
	"io"
)

// runCLI runs one of the pipeline subcommands (pull, ls, cat) and returns the
// process exit status. serve.go's main dispatches here.
func runCLI(ctx context.Context, cmd string, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintf(stderr, "regscope: %s: not implemented yet\n", cmd)
	return 1
}
