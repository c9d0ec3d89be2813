package relay

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
)

// Pins maps host names to the addresses the relay uses for them instead of
// asking DNS: an operator's `serve --resolve HOST=IP`, for split-horizon
// names or a registry reached at a fixed address. The destination policy
// applies to pinned addresses as to resolved ones: a name pinned to a
// loopback or private address is refused unless also allowed
// (--allow-host or --insecure-registry).
type Pins map[string][]netip.Addr

// Set adds one "HOST=IP" pin (a flag.Value).
func (p Pins) Set(s string) error {
	host, ip, ok := strings.Cut(s, "=")
	host = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(host), "."))
	addr, err := netip.ParseAddr(strings.Trim(strings.TrimSpace(ip), "[]"))
	if !ok || host == "" || err != nil {
		return fmt.Errorf("%q: want HOST=IP, e.g. registry.example=10.0.0.5", s)
	}
	p[host] = append(p[host], addr)
	return nil
}

// String lists the pins as HOST=IP,… (a flag.Value).
func (p Pins) String() string {
	var out []string
	for h, as := range p {
		for _, a := range as {
			out = append(out, h+"="+a.String())
		}
	}
	return strings.Join(out, ",")
}

// Resolver answers pinned names from p and every other name from next.
func (p Pins) Resolver(next Resolver) Resolver { return pinned{p, next} }

type pinned struct {
	pins Pins
	next Resolver
}

func (r pinned) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	if as, ok := r.pins[strings.ToLower(strings.TrimSuffix(host, "."))]; ok {
		return as, nil
	}
	return r.next.LookupNetIP(ctx, network, host)
}
