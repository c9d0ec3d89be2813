// Command regscope inspects container images: `regscope serve` (the default)
// serves the page, its WebAssembly, an embedded demo registry and a registry
// relay; `regscope pull|ls|cat|verify|packages` run the same pipeline natively.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/regscope/regscope/internal/cli"
)

const usage = `usage:
  regscope [serve] [--addr 127.0.0.1:8080] [--load PATH]... [--insecure-registry HOST:PORT]... [--allow-host HOST:PORT]... [--mirror UPSTREAM=URL]...
           [--host NAME]... [--allow-origin ORIGIN]... [--resolve HOST=IP]... [--registry-ca FILE]... [--big]
           [--trusted-proxy IP|CIDR]... [--log-format text|json] [--shutdown-timeout 10s]
           (every serve flag is also REGSCOPE_<FLAG>, e.g. REGSCOPE_ADDR, REGSCOPE_MIRROR)
  regscope pull|ls|cat [flags] IMAGE [PATH]   (see regscope CMD -h)
  regscope verify --key PATH [flags] IMAGE
  regscope packages [--json] [flags] IMAGE
  regscope cache ls|prune [--json] [--max BYTES]
  regscope site [--relay URL] DIR          (the page as static files)
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	args := os.Args[1:]
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	var code int
	switch {
	case cmd == "serve":
		code = runServe(ctx, args, os.Stdout, os.Stderr)
	case cmd == "help":
		fmt.Fprint(os.Stdout, usage)
	case cli.Has(cmd):
		code = cli.Run(ctx, cmd, args, os.Stdout, os.Stderr)
	default:
		fmt.Fprintf(os.Stderr, "regscope: unknown command %q\n%s", cmd, usage)
		code = 2
	}
	stop()
	os.Exit(code)
}
