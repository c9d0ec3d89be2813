package ops

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Proxies are the load balancers or reverse proxies whose X-Forwarded-For
// the server believes. Behind one, every request arrives from the proxy's
// address, and the relay's per-client limit would be one limit for
// everyone; with the proxy trusted, the client it names is the client.
type Proxies []netip.Prefix

// ParseProxies parses addresses ("10.0.0.5", "::1") and CIDR prefixes
// ("10.0.0.0/8"); errors quote the entry at fault.
func ParseProxies(list []string) (Proxies, error) {
	var p Proxies
	for _, s := range list {
		if pre, err := netip.ParsePrefix(s); err == nil {
			p = append(p, pre.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("--trusted-proxy %q: want an IP address or a CIDR prefix", s)
		}
		p = append(p, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return p, nil
}

func (p Proxies) trusts(a netip.Addr) bool {
	a = a.Unmap()
	for _, pre := range p {
		if pre.Contains(a) {
			return true
		}
	}
	return false
}

// RealClient returns next with req.RemoteAddr replaced, for requests from a
// trusted proxy, by the client that proxy names: the right-most
// X-Forwarded-For address that is not itself a trusted proxy (addresses
// further left were written by the client and prove nothing). Requests from
// anyone else keep their own address, whatever they claim.
func (p Proxies) RealClient(next http.Handler) http.Handler {
	if len(p) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if client, ok := p.client(req); ok {
			req = req.Clone(req.Context())
			req.RemoteAddr = net.JoinHostPort(client.String(), "0")
		}
		next.ServeHTTP(w, req)
	})
}

func (p Proxies) client(req *http.Request) (netip.Addr, bool) {
	peer, err := netip.ParseAddrPort(req.RemoteAddr)
	if err != nil || !p.trusts(peer.Addr()) {
		return netip.Addr{}, false
	}
	hops := strings.Split(strings.Join(req.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return netip.Addr{}, false
		}
		if !p.trusts(a) {
			return a.Unmap(), true
		}
	}
	return netip.Addr{}, false
}
