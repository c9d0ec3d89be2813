package registry

import (
	"net/netip"
)

// blockedPrefixes are the address ranges that are not the public internet:
// they reach the local host, its private networks or its cloud metadata
// service rather than a public registry. Neither the relay (on its own
// authority) nor a foreign layer URL of a public registry may lead there.
// Each entry carries the reason given in refusals.
var blockedPrefixes = []struct {
	p      netip.Prefix
	reason string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "an unspecified (this-network) address"},
	{netip.MustParsePrefix("10.0.0.0/8"), "a private (RFC 1918) address"},
	{netip.MustParsePrefix("100.64.0.0/10"), "a carrier-grade NAT (RFC 6598) address"},
	{netip.MustParsePrefix("127.0.0.0/8"), "a loopback address"},
	{netip.MustParsePrefix("169.254.0.0/16"), "a link-local address (incl. cloud metadata)"},
	{netip.MustParsePrefix("172.16.0.0/12"), "a private (RFC 1918) address"},
	{netip.MustParsePrefix("192.0.0.0/24"), "an IETF protocol-assignment address"},
	{netip.MustParsePrefix("192.168.0.0/16"), "a private (RFC 1918) address"},
	{netip.MustParsePrefix("198.18.0.0/15"), "a benchmarking (RFC 2544) address"},
	{netip.MustParsePrefix("224.0.0.0/4"), "a multicast address"},
	{netip.MustParsePrefix("240.0.0.0/4"), "a reserved or broadcast address"},
	{netip.MustParsePrefix("::/96"), "an unspecified, loopback or IPv4-compatible IPv6 address"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "a local-use NAT64 address"},
	{netip.MustParsePrefix("100::/64"), "a discard-only IPv6 address"},
	{netip.MustParsePrefix("2001::/32"), "a Teredo IPv6 address"},
	{netip.MustParsePrefix("fc00::/7"), "a unique-local IPv6 address"},
	{netip.MustParsePrefix("fe80::/10"), "a link-local IPv6 address"},
	{netip.MustParsePrefix("fec0::/10"), "a site-local IPv6 address"},
	{netip.MustParsePrefix("ff00::/8"), "a multicast IPv6 address"},
}

var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
	// globalUnicast6 is the only IPv6 space the relay connects to (besides
	// NAT64 forms of public IPv4 addresses): everything outside 2000::/3 is
	// reserved, local or special (RFC 4291, IANA's special-purpose registry),
	// e.g. the obsolete IPv4-translated ::ffff:0:a.b.c.d.
	globalUnicast6 = netip.MustParsePrefix("2000::/3")
)

// NonPublicReason reports why ip is not a public address ("a loopback
// address", …), or "" when it is one. IPv4-mapped, NAT64 and 6to4
// IPv6 forms are judged by the IPv4 address they carry; a NAT64 address
// (64:ff9b::/96) of a public IPv4 address is allowed, so that hosts on
// IPv6-only networks reach public registries. Other IPv6 addresses must be
// global unicast (2000::/3) outside the blocked ranges.
func NonPublicReason(ip netip.Addr) string {
	if !ip.IsValid() {
		return "an invalid address"
	}
	ip = ip.WithZone("")
	if ip.Is4In6() {
		ip = ip.Unmap()
	}
	if ip.Is6() {
		b := ip.As16()
		switch {
		case nat64.Contains(ip):
			if r := NonPublicReason(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})); r != "" {
				return r + " (NAT64 form)"
			}
		case sixToFour.Contains(ip):
			if r := NonPublicReason(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]})); r != "" {
				return r + " (6to4 form)"
			}
		}
	}
	for _, b := range blockedPrefixes {
		if b.p.Contains(ip) {
			return b.reason
		}
	}
	if ip.Is6() && !globalUnicast6.Contains(ip) && !nat64.Contains(ip) {
		return "not a global unicast IPv6 address"
	}
	return ""
}
