package main

import (
	"net/http"

	"github.com/regscope/regscope/internal/cli"
	"github.com/regscope/regscope/pkg/registry"
)

// relayMirrors prepares the relay for the --mirror flags: each mirror's
// host:port joins insecure (an http:// mirror) or allow (https://), since
// an operator who names a mirror means the relay to reach it even on a
// private address, and the returned wrapper sends the relay's manifest and
// blob requests for an upstream to its mirror first. observe may be nil.
func relayMirrors(ms cli.Mirrors, insecure, allow *listFlag, observe func(registry.Mirror, registry.MirrorOutcome)) func(http.RoundTripper) http.RoundTripper {
	if len(ms) == 0 {
		return nil
	}
	for _, m := range ms {
		if m.URL.Scheme == "http" {
			*insecure = append(*insecure, m.URL.Host)
		} else {
			*allow = append(*allow, m.URL.Host)
		}
	}
	return func(next http.RoundTripper) http.RoundTripper {
		return &registry.MirrorTransport{Next: next, Mirrors: ms, Observe: observe}
	}
}
