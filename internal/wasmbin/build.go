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

// ModulePath is the module whose ./wasm package is built.
const ModulePath = "github.com/regscope/regscope"

// BuildOptions configures Build.
type BuildOptions struct {
	ModuleDir string // the module root; "" = found by walking up from the working directory
	CacheDir  string // where the binary and its gzip are kept; "" = os.UserCacheDir()/regscope
	Go        string // the go command; "" = "go" from PATH
}

// Build compiles ./wasm with `go build -trimpath -ldflags=-s -w` for
// GOOS=js GOARCH=wasm into the cache directory, gzips it once (reusing a
// cached gzip of identical bytes), and reads the toolchain's wasm_exec.js.
// Go's build cache makes a rebuild of unchanged sources take a second or two.
func Build(ctx context.Context, o BuildOptions) (*Binary, error) {
	if o.Go == "" {
		o.Go = "go"
	}
	if o.ModuleDir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, errorf("%v", err)
		}
		if o.ModuleDir, err = FindModule(wd); err != nil {
			return nil, err
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
		return nil, errorf("cache directory: %v", err)
	}
	out := filepath.Join(o.CacheDir, "regscope.wasm")
	cmd := exec.CommandContext(ctx, o.Go, "build", "-trimpath", "-ldflags=-s -w", "-o", out, "./wasm")
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
	wasm, err := os.ReadFile(out)
	if err != nil {
		return nil, errorf("%v", err)
	}
	execJS, err := ExecJS(ctx, o.Go)
	if err != nil {
		return nil, err
	}
	return FromGzip(cachedGzip(o.CacheDir, wasm), execJS), nil
}

// cachedGzip returns Compress(wasm), reading it from the cache when an
// earlier run compressed the same bytes (best compression takes a while).
func cachedGzip(dir string, wasm []byte) []byte {
	sum := sha256.Sum256(wasm)
	p := filepath.Join(dir, "regscope-"+hex.EncodeToString(sum[:12])+".wasm.gz")
	if gz, err := os.ReadFile(p); err == nil {
		return gz
	}
	gz := Compress(wasm)
	if old, _ := filepath.Glob(filepath.Join(dir, "regscope-*.wasm.gz")); len(old) < 16 {
		_ = os.WriteFile(p, gz, 0o644) // a cache: failing to write it costs only time
	} else {
		for _, o := range old {
			os.Remove(o)
		}
	}
	return gz
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
