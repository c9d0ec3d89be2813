package wasmbin

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// ModulePath is the module whose programs are built.
const ModulePath = "github.com/regscope/regscope"

// Package is the main package of the program name (View or Engine) in the
// module: ./wasm/cmd/NAME.
func Package(name string) string { return "./wasm/cmd/" + name }

// BuildOptions configures Build.
type BuildOptions struct {
	ModuleDir string // the module root; "" = found by walking up from the working directory
	CacheDir  string // where the binaries and their encodings are kept; "" = os.UserCacheDir()/regscope
	Go        string // the go command; "" = "go" from PATH
}

// Build compiles the view and the engine with one `go build -trimpath
// -ldflags=-s -w` for GOOS=js GOARCH=wasm (into a directory of its own
// in the cache directory, removed once read), gzips
// each once (reusing a cached gzip of identical bytes), takes each one's
// brotli from the cache when an earlier run made it (CompressBrotli makes
// it), and reads the toolchain's wasm_exec.js. Go's build cache makes a
// rebuild of unchanged sources take a second or two.
func Build(ctx context.Context, o BuildOptions) (*Binary, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	// A directory of this build's own: servers sharing the cache
	// directory may build at once, and one must not read the other's
	// half-written output (the encodings are kept by content hash,
	// written whole by rename, and shared).
	outDir, err := os.MkdirTemp(o.CacheDir, "build-*")
	if err != nil {
		return nil, errorf("cache directory: %v", err)
	}
	defer os.RemoveAll(outDir)
	args := []string{"build", "-trimpath", "-ldflags=-s -w", "-o", outDir + string(filepath.Separator), Package(View), Package(Engine)}
	cmd := exec.CommandContext(ctx, o.Go, args...)
	cmd.Dir = o.ModuleDir
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, errorf("go build in %s failed:\n%s", o.ModuleDir, msg)
	}
	var mods [2]*Module
	for i, name := range []string{View, Engine} {
		wasm, err := os.ReadFile(filepath.Join(outDir, name))
		if err != nil {
			return nil, errorf("%v", err)
		}
		c := cache{dir: o.CacheDir, wasm: wasm}
		mods[i] = NewModule(name, c.gzip(), c.cachedBrotli())
	}
	execJS, err := ExecJS(ctx, o.Go)
	if err != nil {
		return nil, err
	}
	b := NewBinary(mods[0], mods[1], execJS)
	b.cacheDir = o.CacheDir
	return b, nil
}

// withDefaults fills in the options left empty.
func (o BuildOptions) withDefaults() (BuildOptions, error) {
	if o.Go == "" {
		o.Go = "go"
	}
	if o.ModuleDir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return o, errorf("%v", err)
		}
		if o.ModuleDir, err = FindModule(wd); err != nil {
			return o, err
		}
	}
	if o.CacheDir == "" {
		c, err := os.UserCacheDir()
		if err != nil {
			c = os.TempDir()
		}
		o.CacheDir = filepath.Join(c, "regscope")
	}
	if err := os.MkdirAll(o.CacheDir, 0o755); err != nil {
		return o, errorf("cache directory: %v", err)
	}
	return o, nil
}

// CompressBrotli gives every program of b that has no brotli encoding yet
// its encoding (CompressBrotli, which takes tens of seconds for the
// engine), keeping it in the cache directory of the Build that made b
// (none for a binary put together otherwise) under the wasm's content hash
// so that later starts find it; one program at a time, so a server doing
// this in the background keeps a core free. It stops early when ctx ends.
func (b *Binary) CompressBrotli(ctx context.Context) error {
	for _, m := range b.Modules() {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if m.Brotli() != nil {
			continue
		}
		wasm, err := m.gunzip() // not kept: a server holds only the encodings
		if err != nil {
			return err
		}
		c := cache{dir: b.cacheDir, wasm: wasm}
		m.SetBrotli(c.brotli())
	}
	return nil
}

// cache keeps the encodings of one wasm in a directory, named by the
// wasm's content hash: best compression takes a while, and the same bytes
// compress to the same encoding.
type cache struct {
	dir  string // "" keeps nothing
	wasm []byte
}

// path is the file holding the wasm's encoding ext ("gz", "br").
func (c cache) path(ext string) string {
	sum := sha256.Sum256(c.wasm)
	return filepath.Join(c.dir, "regscope-"+hex.EncodeToString(sum[:12])+".wasm."+ext)
}

// gzip returns Compress(wasm), from the cache when an earlier run made it.
func (c cache) gzip() []byte {
	if gz := c.read("gz"); gz != nil {
		return gz
	}
	gz := Compress(c.wasm)
	c.write("gz", gz)
	return gz
}

// cachedBrotli returns the brotli encoding an earlier run kept, or nil.
func (c cache) cachedBrotli() []byte { return c.read("br") }

// brotli returns CompressBrotli(wasm), from the cache when an earlier run made it.
func (c cache) brotli() []byte {
	if br := c.read("br"); br != nil {
		return br
	}
	br := CompressBrotli(c.wasm)
	c.write("br", br)
	return br
}

func (c cache) read(ext string) []byte {
	if c.dir == "" {
		return nil
	}
	b, err := os.ReadFile(c.path(ext))
	if err != nil || len(b) == 0 {
		return nil
	}
	return b
}

// write keeps b, through a temporary file renamed into place so that a
// reader never sees half a file; past 32 kept encodings of ext the old
// ones are dropped first. Failing to write costs only time.
func (c cache) write(ext string, b []byte) {
	if c.dir == "" {
		return
	}
	if old, _ := filepath.Glob(filepath.Join(c.dir, "regscope-*.wasm."+ext)); len(old) >= 32 {
		for _, o := range old {
			os.Remove(o)
		}
	}
	tmp, err := os.CreateTemp(c.dir, "regscope-*.tmp")
	if err != nil {
		return
	}
	_, err = tmp.Write(b)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), c.path(ext))
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
}

// ExecJS reads wasm_exec.js from the GOROOT of the go command.
func ExecJS(ctx context.Context, goCmd string) ([]byte, error) {
	out, err := exec.CommandContext(ctx, goCmd, "env", "GOROOT").Output()
	if err != nil {
		return nil, errorf("go env GOROOT: %v", err)
	}
	root := strings.TrimSpace(string(out))
	for _, p := range []string{"lib/wasm/wasm_exec.js", "misc/wasm/wasm_exec.js"} {
		if b, err := os.ReadFile(filepath.Join(root, p)); err == nil {
			return b, nil
		}
	}
	return nil, errorf("wasm_exec.js not found under %s (lib/wasm or misc/wasm)", root)
}

// FindModule walks up from dir to the directory whose go.mod declares ModulePath.
func FindModule(dir string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		if f, err := os.Open(filepath.Join(d, "go.mod")); err == nil {
			s := bufio.NewScanner(f)
			for s.Scan() {
				if fields := strings.Fields(s.Text()); len(fields) == 2 && fields[0] == "module" && fields[1] == ModulePath {
					f.Close()
					return d, nil
				}
			}
			f.Close()
		}
		if filepath.Dir(d) == d {
			return "", errorf("no go.mod of %s above %s: run from the source tree, or build a self-contained binary with `go generate ./internal/wasmbin && go build -tags embedwasm`", ModulePath, dir)
		}
	}
}
