// Package cli is regscope's command line: one file per subcommand, each
// running the pipeline of pkg/ natively and printing for people or scripts.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/regscope/regscope/internal/advice"
	"github.com/regscope/regscope/pkg/layers"
	"github.com/regscope/regscope/pkg/pull"
	"github.com/regscope/regscope/pkg/registry"
)

// Run runs one of the subcommands (pull, ls, cat, verify, packages, diff) and returns the
// process exit status. Failures print a line starting "regscope: " on
// stderr (after one saying what to do, for the failures internal/advice
// knows) and return 1.
func Run(ctx context.Context, cmd string, args []string, stdout, stderr io.Writer) int {
	var err error
	if run := command(cmd); run != nil {
		err = run(ctx, args, stdout, stderr)
	} else {
		err = fmt.Errorf("unknown command %q (want serve, pull, ls, cat, verify, packages, diff, cache or site)", cmd)
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var st *exitStatus
	if errors.As(err, &st) {
		if st.err != nil {
			fmt.Fprintf(stderr, "regscope: %s\n", oneLine(st.err.Error()))
		}
		return st.code
	}
	if err != nil {
		// The sentence the page shows for the same failure, then the detail.
		if s := advice.Sentence(err); s != "" {
			fmt.Fprintf(stderr, "regscope: %s\n", s)
		}
		fmt.Fprintf(stderr, "regscope: %s\n", oneLine(err.Error()))
		return 1
	}
	return 0
}

// exitStatus is a command's outcome when it is not the usual 0 or 1:
// diff exits 1 for "different" and 2 for a failure. err, when set, is
// printed as the usual "regscope: " line.
type exitStatus struct {
	code int
	err  error
}

func (e *exitStatus) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitStatus) Unwrap() error { return e.err }

// Has reports whether cmd names one of Run's subcommands.
func Has(cmd string) bool { return command(cmd) != nil }

// command returns the function that runs cmd, or nil for an unknown name.
// A new subcommand is one file with its cmdX function and one case here.
func command(cmd string) func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	switch cmd {
	case "pull":
		return cmdPull
	case "ls":
		return cmdLs
	case "cat":
		return cmdCat
	case "site":
		return cmdSite
	case "verify":
		return cmdVerify
	case "packages":
		return cmdPackages
	case "diff":
		return cmdDiff
	case "cache":
		return cmdCache
	}
	return nil
}

// pullFlags are the flags every pipeline subcommand takes.
type pullFlags struct {
	platform    string
	insecure    bool
	concurrency int
	user, pass  string
	json        bool
	timeout     time.Duration
	mirrors     Mirrors
	noCache     bool
}

func (f *pullFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.platform, "platform", "", "platform to pick from an index, os/arch[/variant] (default linux/amd64)")
	fs.BoolVar(&f.insecure, "insecure", false, "allow plain HTTP to any registry (loopback registries always may)")
	fs.IntVar(&f.concurrency, "concurrency", 3, "layers to download at once")
	fs.StringVar(&f.user, "u", "", "registry username (also REGSCOPE_USERNAME)")
	fs.StringVar(&f.pass, "p", "", "registry password (also REGSCOPE_PASSWORD)")
	fs.BoolVar(&f.json, "json", false, "print JSON")
	fs.Var(&f.mirrors, "mirror", MirrorUsage)
	fs.DurationVar(&f.timeout, "timeout", 0, "give up the whole pull after this long, e.g. 10m (default: no limit; stalls are cut after 30s anyway)")
	fs.BoolVar(&f.noCache, "no-cache", false, "download every blob, neither reading nor filling the blob cache")
}

// parse parses args, allowing flags after positional arguments, and checks
// that the number of positional arguments is between min and max.
func parse(fs *flag.FlagSet, args []string, min, max int) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, fmt.Errorf("%s: %v", fs.Name(), err)
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	if len(pos) < min || len(pos) > max {
		return nil, fmt.Errorf("%s: usage: regscope %s", fs.Name(), usage(fs.Name()))
	}
	return pos, nil
}

func usage(cmd string) string {
	switch cmd {
	case "pull":
		return "pull [--platform P] [--insecure] [--concurrency N] [--timeout D] [--mirror UPSTREAM=URL]... [--no-cache] [-u USER -p PASS] [--json] REF"
	case "ls":
		return "ls [-R] [--json] [--layer N] [pull flags] REF [PATH]"
	case "site":
		return "site [--relay URL] DIR"
	case "verify":
		return "verify --key PATH [--root PATH] [--json] [pull flags] REF"
	case "packages":
		return "packages [--json] [pull flags] REF"
	case "diff":
		return "diff [--json] [--platform-b P] [pull flags] A B [PATH]"
	case "cache":
		return "cache ls [--json] | cache prune [--max BYTES | --all]"
	default:
		return "cat [pull flags] REF PATH"
	}
}

// pullImage runs the pipeline with the flags' options, showing progress on
// stderr. Only with content does it keep file contents, in a temporary file
// (cat needs them; pull and ls need the metadata alone): memory does not
// grow with the image either way. Blobs come from and go to the blob cache
// unless --no-cache.
func pullImage(ctx context.Context, ref string, f *pullFlags, content bool, stderr io.Writer) (*pull.Image, error) {
	if f.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, f.timeout)
		defer cancel()
	}
	r, err := registry.ParseRef(ref)
	if err != nil {
		return nil, err
	}
	ro, err := f.registryOptions(ctx, r, stderr)
	if err != nil {
		return nil, err
	}
	store, release := layers.DiscardStore(), func(*pull.Image) {}
	if content {
		if store, release, err = tempStore(); err != nil {
			return nil, err
		}
	}
	var cache pull.Cache
	if !f.noCache {
		if c, err := openCache(); err != nil {
			fmt.Fprintf(stderr, "regscope: running without the blob cache: %s\n", oneLine(err.Error()))
		} else {
			cache = c
		}
	}
	prog := newProgress(stderr)
	defer prog.finish()
	img, err := pull.Pull(ctx, ref, pull.Options{
		Cache:       cache,
		Platform:    f.platform,
		Concurrency: f.concurrency,
		Registry:    ro,
		Store:       store,
		Progress:    prog.event,
	})
	release(img)
	return img, err
}

// registryOptions are the flags' transport options for r's registry:
// plain HTTP when allowed, and credentials from the flags, the environment
// or the Docker config; the transport WithTransport put on ctx, if any.
func (f *pullFlags) registryOptions(ctx context.Context, r registry.Ref, stderr io.Writer) (registry.Options, error) {
	creds, err := credentials(r.Domain, f.user, f.pass, os.Getenv, stderr)
	if err != nil {
		return registry.Options{}, err
	}
	return registry.Options{Transport: transport(ctx), Insecure: f.insecure, Credentials: creds, UserAgent: "regscope", Mirrors: f.mirrors}, nil
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
