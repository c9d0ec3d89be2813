package registry

import (
	"net"
	"net/netip"
	"strings"
)

// Which scheme a registry host is spoken to with.
//
// Registries are reached over HTTPS. Loopback hosts (localhost, 127.0.0.0/8,
// ::1, any port) are reached over plain HTTP, as Docker treats them as
// insecure registries by default. With Options.Insecure every other host is
// tried over HTTPS first and, when that fails below HTTP (connection refused,
// TLS handshake failure), over plain HTTP — Docker's fallback for hosts listed
// in insecure-registries. The choice is made once per host by the ping.

// isLoopback reports whether hostport names the local machine: "localhost",
// an address in 127.0.0.0/8 or ::1, with or without a port.
func isLoopback(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// schemes lists the schemes to try for host, in order.
func (c *Client) schemes(host string) []string {
	switch {
	case isLoopback(host):
		return []string{"http"}
	case c.opts.Insecure:
		return []string{"https", "http"}
	default:
		return []string{"https"}
	}
}
