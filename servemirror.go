package main

import (
	"net/http"
	"strings"

	"github.com/regscope/regscope/internal/cli"
	"github.com/regscope/regscope/internal/ops"
	"github.com/regscope/regscope/pkg/registry"
)

// allowMirrors adds each --mirror's host:port to insecure (an http://
// mirror) or allow (https://): an operator who names a mirror means the
// relay to reach it, even on a private address.
func allowMirrors(ms cli.Mirrors, insecure, allow *listFlag) {
	for _, m := range ms {
		if m.URL.Scheme == "http" {
			*insecure = append(*insecure, m.URL.Host)
		} else {
			*allow = append(*allow, m.URL.Host)
		}
	}
}

// relayTransport is the relay's WrapTransport: every round trip to a
// registry timed by metrics, and manifest and blob requests for a mirrored
// upstream sent to its mirror first.
func relayTransport(ms cli.Mirrors, m *ops.Metrics) func(http.RoundTripper) http.RoundTripper {
	isMirror := func(host string) bool {
		for _, x := range ms {
			if strings.EqualFold(x.URL.Host, host) {
				return true
			}
		}
		return false
	}
	return func(base http.RoundTripper) http.RoundTripper {
		timed := m.Upstream(base, isMirror)
		if len(ms) == 0 {
			return timed
		}
		return &registry.MirrorTransport{Next: timed, Mirrors: ms, Observe: m.ObserveMirror}
	}
}
