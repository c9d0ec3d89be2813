package relay

import (
	"net/netip"
	"strings"
	"testing"
)

// A name pinned with --resolve is reached at its pinned address, and the
// destination policy still applies there: a pin to loopback is refused
// unless the host is also allowed, and names not pinned still resolve.
func TestPinsKeepThePolicy(t *testing.T) {
	up := newUpstream(t, nil)
	port := up.hp[strings.LastIndexByte(up.hp, ':')+1:]
	pins := Pins{}
	for _, s := range []string{"registry.example=127.0.0.1", "Other.Example.=::1"} {
		if err := pins.Set(s); err != nil {
			t.Fatal(err)
		}
	}
	if got := pins["other.example"]; len(got) != 1 || got[0] != netip.MustParseAddr("::1") {
		t.Errorf("pin for Other.Example. = %v, want [::1] under other.example", got)
	}
	for _, bad := range []string{"registry.example", "=127.0.0.1", "registry.example=not-an-ip", "registry.example=127.0.0.1:5000"} {
		if err := pins.Set(bad); err == nil || !strings.Contains(err.Error(), "want HOST=IP") {
			t.Errorf("Set(%q) = %v, want a HOST=IP error", bad, err)
		}
	}
	res := &mapResolver{answers: map[string][]string{"public.example": {"93.184.216.34"}}}

	refused := do(t, newRelay(t, Options{Resolver: pins.Resolver(res)}), "GET", "/relay/registry.example:"+port+"/v2/", nil)
	if want := "destination registry.example:" + port + " is a loopback address (127.0.0.1)"; refused.status != 403 || !strings.Contains(refused.err, want) {
		t.Errorf("pinned to loopback, not allowed: %d %q; want 403 naming %q", refused.status, refused.err, want)
	}
	if n := len(up.requests()); n != 0 {
		t.Errorf("the loopback registry saw %d requests; want none", n)
	}

	allowed := do(t, newRelay(t, Options{Resolver: pins.Resolver(res), Insecure: []string{"registry.example:" + port}}), "GET", "/relay/registry.example:"+port+"/v2/", nil)
	if allowed.status != 200 || len(up.requests()) != 1 {
		t.Errorf("pinned and allowed: %d %q, %d upstream requests; want 200 from the pinned address", allowed.status, allowed.err, len(up.requests()))
	}
	if ips, err := pins.Resolver(res).LookupNetIP(t.Context(), "ip", "public.example"); err != nil || len(ips) != 1 || ips[0] != netip.MustParseAddr("93.184.216.34") {
		t.Errorf("an unpinned name: %v, %v; want the resolver's answer", ips, err)
	}
}
