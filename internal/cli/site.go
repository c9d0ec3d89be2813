package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"

	"github.com/regscope/regscope/internal/wasmbin"
	"github.com/regscope/regscope/wasm/fetch"
	"github.com/regscope/regscope/web"
)

// siteCSP is the Content-Security-Policy a static copy of the page carries
// in a <meta> tag (a static host sends no headers of ours): the server's
// page policy, except that the page may connect anywhere — to registries
// that send CORS headers and to the relay it is given.
const siteCSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; " +
	"img-src 'self' blob: data:; style-src 'self'; connect-src *; object-src 'none'; " +
	"base-uri 'none'; form-action 'self'"

// cmdSite writes the page as static files into a directory: index.html
// (with its CSP as a <meta> tag), every other file of web/static (style.css,
// boot.js, worker.js, download-sw.js, codec.js and vendor/, …),
// wasm_exec.js, the two programs view.wasm and engine.wasm, each with its
// precompressed .gz and .br (for hosts that serve those, e.g. nginx's
// gzip_static and brotli_static), and, with --relay, the config file naming
// the relay.
func cmdSite(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("site", flag.ContinueOnError)
	relay := fs.String("relay", "", "the `URL` of a regscope server (serve --allow-origin THIS-SITE's-ORIGIN) whose relay the page uses for registries without CORS headers")
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	dir := pos[0]
	files := map[string][]byte{}
	if *relay != "" {
		if _, err := fetch.ChooseRelay(&url.URL{}, false, fetch.Config{Relay: *relay}, ""); err != nil {
			return fmt.Errorf("site: --relay: %v", err)
		}
		cfg, _ := json.MarshalIndent(fetch.Config{Relay: *relay}, "", "  ")
		files[fetch.ConfigFile] = append(cfg, '\n')
	}
	if err := staticFiles(files); err != nil {
		return err
	}
	bin := wasmbin.Embedded()
	if bin == nil {
		fmt.Fprintln(stderr, "building the page's WebAssembly…")
		if bin, err = wasmbin.Build(ctx, wasmbin.BuildOptions{}); err != nil {
			return fmt.Errorf("site: %v", err)
		}
		if bin.View().Brotli() == nil || bin.Engine().Brotli() == nil {
			fmt.Fprintln(stderr, "compressing the page's WebAssembly with brotli (once: later runs take it from the cache)…")
		}
		if err := bin.CompressBrotli(ctx); err != nil {
			return fmt.Errorf("site: %v", err)
		}
	}
	for _, m := range bin.Modules() {
		raw, err := m.Wasm()
		if err != nil {
			return fmt.Errorf("site: %v", err)
		}
		name := m.Name() + ".wasm"
		files[name], files[name+".gz"], files[name+".br"] = raw, m.Gzip(), m.Brotli()
	}
	files["wasm_exec.js"] = bin.ExecJS()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("site: %v", err)
	}
	for name, b := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil { // vendor/… beside codec.js
			return fmt.Errorf("site: %v", err)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			return fmt.Errorf("site: %v", err)
		}
	}
	fmt.Fprintf(stdout, "wrote the page to %s (%d files); serve it with any static file server\n", dir, len(files))
	return nil
}

// staticFiles adds the page's static files to files, index.html with its
// policy as a <meta> tag.
func staticFiles(files map[string][]byte) error {
	static, err := fs.Sub(web.Static, "static")
	if err != nil {
		return err
	}
	return fs.WalkDir(static, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(static, p)
		if err != nil {
			return err
		}
		if p == "index.html" {
			const charset = `<meta charset="utf-8">`
			if !bytes.Contains(b, []byte(charset)) {
				return fmt.Errorf("site: index.html has no %s to put the policy after", charset)
			}
			meta := charset + "\n" + `<meta http-equiv="Content-Security-Policy" content="` + siteCSP + `">`
			b = bytes.Replace(b, []byte(charset), []byte(meta), 1)
		}
		files[p] = b
		return nil
	})
}
