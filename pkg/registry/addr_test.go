package registry

import (
	"net/netip"
	"testing"
)

func TestNonPublicReason(t *testing.T) {
	for _, tc := range []struct {
		ip      string
		blocked bool
	}{
		{"127.0.0.1", true},
		{"127.255.255.254", true},
		{"10.1.2.3", true},
		{"172.16.0.1", true},
		{"172.31.255.255", true},
		{"172.32.0.1", false},
		{"192.168.1.1", true},
		{"169.254.169.254", true},
		{"100.64.0.1", true},
		{"100.127.255.255", true},
		{"100.128.0.1", false},
		{"0.0.0.0", true},
		{"0.1.2.3", true},
		{"224.0.0.1", true},
		{"255.255.255.255", true},
		{"198.18.0.1", true},
		{"8.8.8.8", false},
		{"93.184.216.34", false},
		{"::", true},
		{"::1", true},
		{"::ffff:127.0.0.1", true},
		{"::ffff:10.0.0.1", true},
		{"::ffff:8.8.8.8", false},
		{"::127.0.0.1", true}, // IPv4-compatible
		{"64:ff9b::7f00:1", true},
		{"64:ff9b::808:808", false},
		{"2002:7f00:1::1", true},
		{"2002:808:808::1", false},
		{"fc00::1", true},
		{"fd12:3456::1", true},
		{"fe80::1", true},
		{"ff02::1", true},
		{"2001::1", true},
		{"2606:4700::1111", false},
		{"::ffff:0:7f00:1", true},    // IPv4-translated (RFC 2765), outside 2000::/3
		{"64:ff9b::a9fe:a9fe", true}, // NAT64 of the metadata address
		{"64:ff9b:1::808:808", true}, // local-use NAT64
		{"100::1", true},
		{"fec0::1", true},
		{"4000::1", true},
		{"fe80::1%eth0", true},
		{"2a00:1450:4001::200e", false},
	} {
		got := NonPublicReason(netip.MustParseAddr(tc.ip))
		if (got != "") != tc.blocked {
			t.Errorf("NonPublicReason(%s) = %q, want blocked=%v", tc.ip, got, tc.blocked)
		}
	}
}
