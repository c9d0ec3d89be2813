package registry

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
)

// Resolver looks up a host's addresses; *net.Resolver implements it.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// foreignKey marks a request for a foreign layer URL in its context; the
// value is the API host[:port] of the registry whose manifest named it.
type foreignKey struct{}

// WithForeignOf marks ctx as that of a request for a foreign layer URL
// named by the manifest of the registry at host[:port] (see ForeignOf).
func WithForeignOf(ctx context.Context, registry string) context.Context {
	return context.WithValue(ctx, foreignKey{}, registry)
}

// ForeignOf reports whether ctx is that of a request for a foreign layer
// URL (a desc.URLs entry), and for which registry (its API host[:port]).
// A relay uses it to judge the URL as a hop from that registry.
func ForeignOf(ctx context.Context) (registry string, ok bool) {
	registry, ok = ctx.Value(foreignKey{}).(string)
	return registry, ok
}

// foreignURL judges one of a layer's desc.URLs, named by the manifest of the
// registry at e, by the registry's own destination policy: HTTPS (plain HTTP
// only when the registry itself is spoken to over HTTP), no userinfo, and a
// host that is not a private, loopback, link-local or metadata address — nor
// a name resolving to one — unless the registry itself is on such an
// address. Foreign URLs would otherwise let any public image make the client
// request hosts on the user's own network. It returns the URL to fetch, or
// why not.
func (c *Client) foreignURL(ctx context.Context, e *endpoint, raw string) (string, error) {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return "", err
	case u.User != nil:
		return "", fmt.Errorf("userinfo is not allowed")
	case u.Scheme != "https" && u.Scheme != "http", u.Host == "":
		return "", fmt.Errorf("not an http(s) URL")
	}
	e.mu.Lock()
	scheme := e.scheme
	e.mu.Unlock()
	if u.Scheme == "http" && scheme != "http" {
		return "", fmt.Errorf("plain http, while registry %s is spoken to over https", e.host)
	}
	if r, _ := c.nonPublic(ctx, e.host); r != "" {
		return u.String(), nil // a private registry may name private hosts
	}
	r, err := c.nonPublic(ctx, u.Host)
	if err != nil {
		return "", err
	}
	if r != "" {
		return "", fmt.Errorf("%s is %s, and registry %s is public", u.Host, r, e.host)
	}
	return u.String(), nil
}

// nonPublic says why hostport is not on the public internet ("a loopback
// address (127.0.0.1)"), or "" when it is: a localhost name, an IP literal
// in a non-public range (NonPublicReason), or a name any of whose addresses
// is one. Names are not resolved without a Resolver (in a browser, where a
// relay judges every connection).
func (c *Client) nonPublic(ctx context.Context, hostport string) (string, error) {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return "a localhost name", nil
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return NonPublicReason(ip), nil
	}
	if c.resolver == nil {
		return "", nil
	}
	ips, err := c.resolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return "", fmt.Errorf("resolving %s: %w", host, err)
	}
	for _, ip := range ips {
		if r := NonPublicReason(ip); r != "" {
			return fmt.Sprintf("%s (%s)", r, ip.Unmap()), nil
		}
	}
	return "", nil
}
