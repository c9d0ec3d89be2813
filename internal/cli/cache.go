package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/regscope/regscope/internal/blobcache"
	"github.com/regscope/regscope/pkg/layers"
	"github.com/regscope/regscope/pkg/pull"
)

// cacheMaxEnv names the environment variable that sets the blob cache's size
// limit in bytes (default blobcache.DefaultMax; -1: no limit).
const cacheMaxEnv = "REGSCOPE_CACHE_MAX"

// openCache opens the blob cache in the user cache directory with the
// limit from the environment.
func openCache() (*blobcache.Cache, error) {
	dir, err := blobcache.Dir()
	if err != nil {
		return nil, err
	}
	var max int64
	if v := os.Getenv(cacheMaxEnv); v != "" {
		if max, err = strconv.ParseInt(v, 10, 64); err != nil {
			return nil, fmt.Errorf("%s=%q: not a number of bytes", cacheMaxEnv, v)
		}
	}
	return blobcache.Open(dir, max)
}

// tempStore returns a layers.FileStore over a new temporary file, unlinked
// at once where the system allows (on Unix it lives while open), and the
// function that releases it: it closes the file (and removes it where it
// could not be unlinked) once nothing refers to owner any more.
func tempStore() (layers.Store, func(owner *pull.Image), error) {
	f, err := os.CreateTemp("", "regscope-contents-*")
	if err != nil {
		return nil, nil, fmt.Errorf("file contents: %w", err)
	}
	removed := os.Remove(f.Name()) == nil
	release := func(f *os.File) {
		f.Close()
		if !removed {
			os.Remove(f.Name())
		}
	}
	return layers.FileStore(f), func(owner *pull.Image) {
		if owner == nil {
			release(f)
			return
		}
		runtime.AddCleanup(owner, release, f)
	}, nil
}

func cmdCache(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cache", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON (ls)")
	max := fs.Int64("max", -1, "prune: remove the least recently used blobs until at most this many bytes are kept (default: the cache's limit)")
	all := fs.Bool("all", false, "prune: remove every blob")
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	c, err := openCache()
	if err != nil {
		return err
	}
	switch pos[0] {
	case "ls":
		return cacheList(c, *asJSON, stdout)
	case "prune":
		limit := c.Max()
		if *max >= 0 {
			limit = *max
		}
		if *all {
			limit = 0
		}
		n, freed, err := c.Prune(limit)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "removed %d blobs, %d bytes\n", n, freed)
		return nil
	}
	return fmt.Errorf("cache: unknown subcommand %q (want ls or prune)", pos[0])
}

// cacheEntryJSON is one line of `cache ls --json`.
type cacheEntryJSON struct {
	Digest string    `json:"digest"`
	Size   int64     `json:"size"`
	Used   time.Time `json:"used"`
}

// cacheList prints the kept blobs, most recently used first, and a total.
func cacheList(c *blobcache.Cache, asJSON bool, stdout io.Writer) error {
	entries, total, err := c.List()
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		for _, e := range entries {
			if err := enc.Encode(cacheEntryJSON{Digest: string(e.Digest), Size: e.Size, Used: e.Used.UTC()}); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 1, ' ', 0)
	for _, e := range entries {
		fmt.Fprintf(tw, "%s\t%d\t%s\n", e.Digest, e.Size, e.Used.UTC().Format("2006-01-02 15:04"))
	}
	fmt.Fprintf(tw, "total\t%d\tof %d\n", total, c.Max())
	return tw.Flush()
}
