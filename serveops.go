package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/regscope/regscope/internal/cli"
	"github.com/regscope/regscope/internal/ops"
	"github.com/regscope/regscope/internal/relay"
	"github.com/regscope/regscope/internal/wasmbin"
)

// envPrefix prefixes the environment variable of every serve flag:
// --insecure-registry is REGSCOPE_INSECURE_REGISTRY.
const envPrefix = "REGSCOPE_"

// envName is the environment variable that sets flag name.
func envName(name string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// applyEnv sets every flag not given on the command line from its
// environment variable, when that is set: the command line wins. A
// repeatable flag takes a comma-separated list. Errors name the variable.
func applyEnv(fl *flag.FlagSet, getenv func(string) string) error {
	given := map[string]bool{}
	fl.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fl.VisitAll(func(f *flag.Flag) {
		v := getenv(envName(f.Name))
		if given[f.Name] || v == "" || err != nil {
			return
		}
		values := []string{v}
		switch f.Value.(type) {
		case *listFlag, *cli.Mirrors, relay.Pins:
			values = strings.Split(v, ",")
		}
		for _, x := range values {
			if x = strings.TrimSpace(x); x == "" {
				continue
			}
			if e := fl.Set(f.Name, x); e != nil {
				err = fmt.Errorf("%s=%q: %v", envName(f.Name), v, e)
				return
			}
		}
	})
	return err
}

// serverLogs are the server's logs, in one format.
type serverLogs struct {
	access *slog.Logger // one record per request; shutdown
	lines  *log.Logger  // the components' lines: demo registry, gate, net/http
	relay  *log.Logger  // the relay's own line per request
	build  io.Writer    // the WebAssembly build's progress
}

// teamFlags are the serve flags for running replicas for a team: a
// registry mirror, the log format, the load balancers to believe, and the
// shutdown deadline.
type teamFlags struct {
	mirrors   cli.Mirrors
	logFormat string
	proxies   listFlag
	drain     time.Duration
}

func (t *teamFlags) register(fl *flag.FlagSet) {
	fl.Var(&t.mirrors, "mirror", cli.MirrorUsage)
	fl.StringVar(&t.logFormat, "log-format", "text", "access and server log format: text (key=value) or json")
	fl.Var(&t.proxies, "trusted-proxy", "believe X-Forwarded-For from this load balancer's `IP or CIDR`, so the relay's per-client limit applies to the clients it names (repeatable)")
	fl.DurationVar(&t.drain, "shutdown-timeout", 10*time.Second, "on SIGTERM or SIGINT, how long streams in progress may take to finish before they are cut")
}

// newLogs returns the logs for format "text" (access records as
// key=value, the components' lines as before) or "json" (one JSON object
// per line for everything; the relay's own line, which the access record
// repeats, at debug level and so not written).
func newLogs(format string, w io.Writer) (*serverLogs, error) {
	switch format {
	case "text":
		lines := log.New(w, "", log.LstdFlags)
		return &serverLogs{access: slog.New(slog.NewTextHandler(w, nil)), lines: lines, relay: lines, build: w}, nil
	case "json":
		l := slog.New(slog.NewJSONHandler(w, nil))
		return &serverLogs{access: l, lines: slog.NewLogLogger(l.Handler(), slog.LevelInfo),
			relay: slog.NewLogLogger(l.Handler(), slog.LevelDebug), build: logWriter{l}}, nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", format)
}

// serveUntil serves ln until srv fails or ctx ends, then shuts down.
func serveUntil(ctx context.Context, srv *http.Server, ln net.Listener, health *ops.Health, drain time.Duration, log *slog.Logger) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	return shutdown(srv, health, drain, log)
}

// shutdown drains srv: /readyz turns 503, the listeners close, and streams
// in progress get until timeout to finish; what is still open then is cut.
func shutdown(srv *http.Server, health *ops.Health, timeout time.Duration, log *slog.Logger) error {
	health.Drain()
	log.Info("shutting down", "timeout", timeout.String())
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	err := srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		log.Warn("shutdown deadline passed: cutting the streams still open", "timeout", timeout.String())
		return srv.Close()
	}
	return err
}

// wasmReady reports why the page cannot work yet: its WebAssembly is still
// building, or the build failed.
func wasmReady(w *wasmbin.Source) error {
	b, err := w.Binary()
	switch {
	case err != nil:
		return fmt.Errorf("WebAssembly build failed: %v", err)
	case b == nil:
		return errors.New("WebAssembly still building")
	}
	return nil
}

// logWriter turns what a component writes as text lines (the WebAssembly
// build's progress) into records of the server's log.
type logWriter struct{ log *slog.Logger }

func (w logWriter) Write(p []byte) (int, error) {
	for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			w.log.Info(line)
		}
	}
	return len(p), nil
}
