package relay

import (
	"context"
	"errors"
	"fmt"
	"github.com/regscope/regscope/pkg/registry"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Resolver looks up a host's addresses. *net.Resolver implements it; tests
// inject their own to make a name resolve to loopback, or to change the answer
// between the relay's early check and the dial.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// BlockedError is a destination the relay refused to connect to.
type BlockedError struct {
	HostPort string     // as named by the URL, "registry.example:443"
	IP       netip.Addr // the address that was refused (invalid when the name itself was refused)
	Reason   string     // "a loopback address", …
}

func (e *BlockedError) Error() string {
	if e.IP.IsValid() {
		return fmt.Sprintf("destination %s is %s (%s); refused unless allowed with --allow-host or --insecure-registry %s",
			e.HostPort, e.Reason, e.IP, e.HostPort)
	}
	return fmt.Sprintf("destination %s is %s; refused unless allowed with --allow-host or --insecure-registry %s",
		e.HostPort, e.Reason, e.HostPort)
}

// allowedKey marks a dial whose host:port the operator allowed by flag.
type allowedKey struct{}

// dialer connects only to public addresses unless the host:port was allowed.
// It resolves the name itself, refuses blocked answers, dials the IP literal
// it checked, and checks again in the socket's Control hook on the address
// actually being connected to.
type dialer struct {
	resolver Resolver
	allowed  func(hostport string) bool
	blocked  func(netip.Addr) string // registry.NonPublicReason; tests make a loopback address stand for a public one
	net      net.Dialer
}

func newDialer(r Resolver, allowed func(string) bool, timeout time.Duration) *dialer {
	d := &dialer{resolver: r, allowed: allowed, blocked: registry.NonPublicReason}
	d.net = net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second, ControlContext: d.control}
	return d
}

// control runs after the socket is created and before it connects: the last
// word on the destination, whatever name resolution said.
func (d *dialer) control(ctx context.Context, network, address string, _ syscall.RawConn) error {
	if ok, _ := ctx.Value(allowedKey{}).(bool); ok {
		return nil
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &BlockedError{HostPort: address, Reason: "not an IP address and port"}
	}
	if r := d.blocked(ap.Addr()); r != "" {
		return &BlockedError{HostPort: address, IP: ap.Addr(), Reason: r}
	}
	return nil
}

// check resolves host:port and refuses it when the name is local or any
// answer is blocked. It is an early, friendly refusal; DialContext decides.
func (d *dialer) check(ctx context.Context, hostport string) error {
	if d.allowed(hostport) {
		return nil
	}
	_, err := d.resolve(ctx, hostport)
	return err
}

func (d *dialer) resolve(ctx context.Context, hostport string) ([]netip.AddrPort, error) {
	host, portStr, err := net.SplitHostPort(hostport)
	if err != nil {
		return nil, err
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		return nil, fmt.Errorf("port in %s: %w", hostport, err)
	}
	if !d.allowed(hostport) && (host == "localhost" || strings.HasSuffix(host, ".localhost")) {
		return nil, &BlockedError{HostPort: hostport, Reason: "a localhost name"}
	}
	var ips []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{ip}
	} else if ips, err = d.resolver.LookupNetIP(ctx, "ip", host); err != nil {
		return nil, err
	}
	if len(ips) == 0 {
		return nil, fmt.Errorf("%s: no addresses", host)
	}
	out := make([]netip.AddrPort, 0, len(ips))
	for _, ip := range ips {
		if r := d.blocked(ip); r != "" && !d.allowed(hostport) {
			return nil, &BlockedError{HostPort: hostport, IP: ip.Unmap(), Reason: r}
		}
		out = append(out, netip.AddrPortFrom(ip.Unmap(), uint16(port)))
	}
	return out, nil
}

// DialContext is the relay transport's dial function.
func (d *dialer) DialContext(ctx context.Context, network, hostport string) (net.Conn, error) {
	allowed := d.allowed(hostport)
	ctx = context.WithValue(ctx, allowedKey{}, allowed)
	addrs, err := d.resolve(ctx, hostport)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, ap := range addrs {
		c, err := d.net.DialContext(ctx, network, ap.String())
		if err == nil {
			return c, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, errors.Join(errs...)
}

// asBlocked is errors.As for *BlockedError.
func asBlocked(err error, target **BlockedError) bool { return errors.As(err, target) }
