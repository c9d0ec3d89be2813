// runServe: the page, its WebAssembly, the embedded demo registry and the relay.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/regscope/regscope/internal/demo"
	"github.com/regscope/regscope/internal/ops"
	"github.com/regscope/regscope/internal/relay"
	"github.com/regscope/regscope/internal/wasmbin"
	"github.com/regscope/regscope/web"
)

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

// runServe parses the serve flags, assembles the server and runs it until ctx ends.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, code := parseServe(args, stderr)
	if cfg == nil {
		return code
	}
	ctx, cancel := context.WithCancel(ctx) // also stops a wasm build still running when we return
	defer cancel()
	fail := func(err error) int { fmt.Fprintf(stderr, "regscope serve: %v\n", err); return 1 }
	logs, err := newLogs(cfg.team.logFormat, stderr)
	if err != nil {
		return fail(err)
	}
	logger := logs.lines
	metrics := ops.NewMetrics()
	trusted, err := ops.ParseProxies(cfg.team.proxies)
	if err != nil {
		return fail(err)
	}
	rel, err := cfg.relay(logs, metrics)
	if err != nil {
		return fail(err)
	}
	reg, err := cfg.registry(ctx, logger)
	if err != nil {
		return fail(err)
	}
	defer reg.Close() // the --load files it serves from
	wasm := wasmbin.Start(ctx, wasmbin.BuildOptions{}, logs.build)
	static, err := fs.Sub(web.Static, "static")
	if err != nil {
		return fail(err)
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fail(err)
	}
	gate, err := relay.NewGate(relay.GateOptions{Listen: ln.Addr().String(), Hosts: cfg.hosts, AllowOrigins: cfg.origins, Logger: logger})
	if err != nil {
		ln.Close()
		return fail(err)
	}
	if w := exposureWarning(ln.Addr(), cfg.insecure, cfg.allow); w != "" {
		fmt.Fprintln(stderr, w)
	}
	health := &ops.Health{Ready: func() error { return wasmReady(wasm) }}
	access := &ops.Access{Log: logs.access, Metrics: metrics}
	srv := newHTTPServer(ops.Routes(trusted.RealClient(access.Wrap(newHandler(static, wasm, reg, rel, gate))), health, metrics), logger, 10*time.Second)
	fmt.Fprintf(stdout, "regscope: open http://%s/\n", ln.Addr())
	if err := serveUntil(ctx, srv, ln, health, cfg.team.drain, logs.access); err != nil {
		return fail(err)
	}
	rel.CloseIdleConnections()
	return 0
}

// serveConfig is what the serve flags, and the REGSCOPE_ variables standing
// for them, say.
type serveConfig struct {
	addr                                   string
	big                                    bool
	loads, insecure, allow, hosts, origins listFlag
	up                                     upstreamFlags
	team                                   teamFlags
}

// parseServe reads args and the environment. On a bad flag or argument it
// says so on stderr and returns nil with the exit status, 2.
func parseServe(args []string, stderr io.Writer) (*serveConfig, int) {
	var c serveConfig
	fl := flag.NewFlagSet("serve", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.Usage = func() { fmt.Fprint(stderr, usage); fl.PrintDefaults() }
	fl.StringVar(&c.addr, "addr", "127.0.0.1:8080", "listen address")
	fl.BoolVar(&c.big, "big", false, "generate the ≈100 MB demo/big image at start-up rather than on its first request")
	fl.Var(&c.loads, "load", "add the images of `PATH`: a docker save tarball, an OCI image layout (directory or tar) or a single layer tar, as local/NAME:TAG (repeatable)")
	fl.Var(&c.insecure, "insecure-registry", "let the relay reach HOST:PORT over plain HTTP, even on a private address (repeatable)")
	fl.Var(&c.allow, "allow-host", "let the relay reach HOST:PORT over HTTPS even on a private address (repeatable)")
	fl.Var(&c.hosts, "host", "a further `NAME` this server is reached by (a DNS name, or the Host a proxy forwards); requests naming another host are refused (repeatable)")
	fl.Var(&c.origins, "allow-origin", "let pages from `ORIGIN` (https://HOST[:PORT]) read the relay and the registry cross-origin; every other origin is refused (repeatable)")
	c.up.register(fl)
	c.team.register(fl)
	if err := fl.Parse(args); err != nil {
		return nil, 2
	}
	if err := applyEnv(fl, os.Getenv); err != nil {
		fmt.Fprintf(stderr, "regscope serve: %v\n", err)
		return nil, 2
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(stderr, "regscope serve: unexpected argument %q\n", fl.Arg(0))
		return nil, 2
	}
	return &c, 0
}

// relay is the relay the configuration describes, mirrors included.
func (c *serveConfig) relay(logs *serverLogs, metrics *ops.Metrics) (*relay.Relay, error) {
	allowMirrors(c.team.mirrors, &c.insecure, &c.allow)
	ro := relay.Options{Insecure: c.insecure, Allow: c.allow, Logger: logs.relay, WrapTransport: relayTransport(c.team.mirrors, metrics)}
	if err := c.up.apply(&ro); err != nil {
		return nil, err
	}
	return relay.New(ro)
}

// registry is the embedded registry: the demo images and those of --load.
func (c *serveConfig) registry(ctx context.Context, logger *log.Logger) (*demo.Registry, error) {
	reg, err := demo.New(ctx, demo.Options{Logger: logger, EagerBig: c.big})
	if err != nil {
		return nil, err
	}
	for _, p := range c.loads {
		if _, err := reg.Load(p); err != nil {
			return nil, err
		}
	}
	return reg, nil
}

// exposureWarning is what to tell the operator when the server listens
// beyond loopback: everyone who reaches the address may use the relay (and
// through it the hosts the operator allowed) and read the registry.
func exposureWarning(addr net.Addr, insecure, allow []string) string {
	if ta, ok := addr.(*net.TCPAddr); ok && ta.IP.IsLoopback() {
		return ""
	}
	reach := "public registries"
	if hosts := append(append([]string(nil), insecure...), allow...); len(hosts) > 0 {
		reach += " and " + strings.Join(hosts, ", ")
	}
	return fmt.Sprintf("regscope: warning: listening on %s, not a loopback address: anyone who can connect may use the relay to reach %s, and read the embedded registry; put the server behind a proxy that authenticates (see README, \"Serving beyond localhost\")", addr, reach)
}

// newHTTPServer bounds what a client may hold: headerTimeout cuts slowloris
// clients, idle keep-alive connections close after two minutes. There is no
// WriteTimeout: blobs stream for as long as they take, and the relay bounds
// idle time itself.
func newHTTPServer(h http.Handler, logger *log.Logger, headerTimeout time.Duration) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: headerTimeout,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          logger,
	}
}

// newHandler routes the server's URLs (see docs/API.md, "server URLs").
// The relay and the registry are routed before the mux so that their own
// checks, not the mux's path cleaning and method matching, see every request.
// Both answer only through gate: to the server's own names and page.
func newHandler(static fs.FS, wasm *wasmbin.Source, reg *demo.Registry, rel *relay.Relay, gate *relay.Gate) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /"+wasmbin.View+".wasm", wasm.ServeView)
	mux.HandleFunc("GET /"+wasmbin.Engine+".wasm", wasm.ServeEngine)
	mux.HandleFunc("GET /wasm_exec.js", wasm.ServeExecJS)
	mux.HandleFunc("GET /api/info", func(w http.ResponseWriter, r *http.Request) { serveInfo(w, r, wasm, reg) })
	files := http.FileServerFS(static)
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache") // index.html always; the rest is small and unversioned
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Content-Security-Policy", pageCSP) // the page and its worker (worker.js carries its own)
		files.ServeHTTP(w, r)
	})
	relayed, registry := gate.Wrap(rel), gate.Wrap(reg)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch p := r.URL.Path; {
		case strings.HasPrefix(p, relay.Prefix):
			relayed.ServeHTTP(w, r)
			return
		case p == "/v2" || strings.HasPrefix(p, "/v2/"):
			registry.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// pageCSP is the Content-Security-Policy of the page and its worker: scripts
// and the wasm only from this origin (compiling WebAssembly needs
// 'wasm-unsafe-eval'), requests only to this origin (the registry and the
// relay), images also from blob: (previews) and data: (the empty favicon),
// no inline styles (the view styles through CSSOM), no plugins, no <base>,
// no framing. /v2/ and /relay/ answers carry their own "sandbox" policy.
const pageCSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; " +
	"img-src 'self' blob: data:; style-src 'self'; connect-src 'self'; object-src 'none'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// serverInfo is the body of GET /api/info.
type serverInfo struct {
	View       string        `json:"view"`       // the view's wasm version (ETag) for ?v=; "" while building or failed
	Engine     string        `json:"engine"`     // the engine's, likewise
	WasmStatus string        `json:"wasmStatus"` // "ready", "building" or "failed: …"
	Version    string        `json:"version"`
	Images     []serverImage `json:"images"`
	Relay      bool          `json:"relay"`
}

type serverImage struct {
	Ref         string `json:"ref"` // "<request host>/demo/showcase:latest"
	Title       string `json:"title"`
	Description string `json:"description"`
}

func serveInfo(w http.ResponseWriter, r *http.Request, wasm *wasmbin.Source, reg *demo.Registry) {
	in := serverInfo{WasmStatus: "building", Version: version(), Relay: true, Images: []serverImage{}}
	switch b, err := wasm.Binary(); {
	case err != nil:
		in.WasmStatus = "failed: " + err.Error()
	case b != nil:
		in.View, in.Engine, in.WasmStatus = b.View().ETag(), b.Engine().ETag(), "ready"
	}
	host := r.Host
	if host == "" {
		host = "localhost"
	}
	for _, im := range reg.Images() {
		in.Images = append(in.Images, serverImage{Ref: host + "/" + im.Repo + ":" + im.Tag, Title: im.Title, Description: im.Description})
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(in)
}

// version is the module version and VCS revision the binary was built from, when known.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
	}
	return v
}
