package relay

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Prefix is the URL path under which the relay answers.
const Prefix = "/relay/"

// Size bounds on what a relay request may name.
const (
	maxHostLen  = 253  // a DNS name's maximum length
	maxPathLen  = 2048 // registry names are ≤ 255 characters; digests ≤ 135
	maxQueryLen = 4096 // token requests carry a few scopes
)

// Target is a parsed, strictly validated relay destination.
type Target struct {
	Host     string // lower-cased DNS name, dotted-quad IPv4 or bare IPv6 (no brackets)
	Port     int    // 0 when the request named none (the scheme's default applies)
	Path     string // "/v2/…", unescaped and identical to its escaped form
	RawQuery string // forwarded verbatim
}

// HostPort is the host:port the target dials for scheme ("https" → 443, "http" → 80 by default).
func (t Target) HostPort(scheme string) string {
	port := t.Port
	if port == 0 {
		port = 443
		if scheme == "http" {
			port = 80
		}
	}
	return joinHostPort(t.Host, port)
}

// URL is the upstream URL for scheme.
func (t Target) URL(scheme string) string {
	host := t.Host
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if t.Port != 0 {
		host += ":" + strconv.Itoa(t.Port)
	}
	u := scheme + "://" + host + t.Path
	if t.RawQuery != "" {
		u += "?" + t.RawQuery
	}
	return u
}

// IsRegistryAPI reports whether the path is /v2/ or below it.
func (t Target) IsRegistryAPI() bool { return isRegistryAPI(t.Path) }

func isRegistryAPI(p string) bool { return p == "/v2/" || strings.HasPrefix(p, "/v2/") }

// TargetError is a refusal of a relay URL; it names the part at fault.
type TargetError struct {
	Part   string // "host", "port", "path", "query"
	Value  string // the refused text (not repeated by Error for a query)
	Reason string
}

// Error names the part and the reason; it quotes the value except for a
// query, which may carry account names or signatures.
func (e *TargetError) Error() string {
	if e.Part == "query" {
		return fmt.Sprintf("relay: query refused: %s", e.Reason)
	}
	return fmt.Sprintf("relay: %s %q refused: %s", e.Part, truncate(e.Value, 120), e.Reason)
}

// ParseTarget parses the part of an escaped request path after Prefix
// ("host[:port]/path") and the raw query. It refuses userinfo, non-canonical
// numeric IPv4 forms (decimal, octal, hex, short), IPv6 zones, ports outside
// 1–65535 or with leading zeros, percent-encoding, dot segments, empty
// segments and characters outside a registry path's alphabet in the path, and
// control characters (raw or percent-encoded) in the query. It does not judge
// whether the host is allowed: that happens when the destination is dialled.
func ParseTarget(escapedRest, rawQuery string) (Target, error) {
	var t Target
	hostport, path, ok := strings.Cut(escapedRest, "/")
	if !ok {
		path = ""
	}
	path = "/" + path
	var err error
	if t.Host, t.Port, err = parseHostPort(hostport); err != nil {
		return Target{}, err
	}
	if err := checkPath(path); err != nil {
		return Target{}, err
	}
	t.Path = path
	if err := checkQuery(rawQuery); err != nil {
		return Target{}, err
	}
	t.RawQuery = rawQuery
	return t, nil
}

// ParseHostPort parses a "host[:port]" named by an operator or a request with
// the same strict rules as ParseTarget, returning the lower-cased host and the
// port (0 when absent).
func ParseHostPort(s string) (host string, port int, err error) { return parseHostPort(s) }

func parseHostPort(s string) (string, int, error) {
	bad := func(reason string) (string, int, error) {
		return "", 0, &TargetError{Part: "host", Value: s, Reason: reason}
	}
	if s == "" {
		return bad("empty host")
	}
	if strings.Contains(s, "@") {
		return bad("userinfo is not allowed")
	}
	host, portStr := s, ""
	if strings.HasPrefix(s, "[") {
		end := strings.Index(s, "]")
		if end < 0 {
			return bad("unterminated IPv6 literal")
		}
		host, portStr = s[1:end], s[end+1:]
		if portStr != "" {
			if portStr[0] != ':' {
				return bad("junk after IPv6 literal")
			}
			portStr = portStr[1:]
			if portStr == "" {
				return bad("empty port")
			}
		}
		ip, err := netip.ParseAddr(host)
		if err != nil || !ip.Is6() || ip.Zone() != "" {
			return bad("not a plain IPv6 address")
		}
		host = ip.String()
	} else {
		if i := strings.LastIndexByte(s, ':'); i >= 0 {
			host, portStr = s[:i], s[i+1:]
			if portStr == "" {
				return bad("empty port")
			}
		}
		var err error
		if host, err = canonicalName(host); err != nil {
			return bad(err.Error())
		}
	}
	port := 0
	if portStr != "" {
		if len(portStr) > 5 || portStr[0] == '0' || strings.Trim(portStr, "0123456789") != "" {
			return "", 0, &TargetError{Part: "port", Value: portStr, Reason: "not a decimal port 1-65535"}
		}
		p, _ := strconv.Atoi(portStr)
		if p < 1 || p > 65535 {
			return "", 0, &TargetError{Part: "port", Value: portStr, Reason: "not a decimal port 1-65535"}
		}
		port = p
	}
	return host, port, nil
}

// canonicalName lower-cases a DNS name or dotted-quad IPv4 address and refuses
// anything else, including the numeric forms that resolvers accept for
// loopback (2130706433, 0177.0.0.1, 0x7f.1, 127.1).
func canonicalName(h string) (string, error) {
	if h == "" {
		return "", fmt.Errorf("empty host")
	}
	if len(h) > maxHostLen {
		return "", fmt.Errorf("host longer than %d bytes", maxHostLen)
	}
	h = strings.ToLower(h)
	if ip, err := netip.ParseAddr(h); err == nil {
		if !ip.Is4() {
			return "", fmt.Errorf("IPv6 addresses must be bracketed")
		}
		return ip.String(), nil // canonical dotted quad; ParseAddr refuses leading zeros
	}
	labels := strings.Split(h, ".")
	for _, l := range labels {
		if l == "" {
			return "", fmt.Errorf("empty DNS label")
		}
		if len(l) > 63 {
			return "", fmt.Errorf("DNS label longer than 63 bytes")
		}
		if l[0] == '-' || l[len(l)-1] == '-' {
			return "", fmt.Errorf("DNS label starts or ends with '-'")
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
				return "", fmt.Errorf("character %q not allowed in a host name", c)
			}
		}
	}
	last := labels[len(labels)-1]
	if strings.Trim(last, "0123456789") == "" || strings.HasPrefix(last, "0x") {
		return "", fmt.Errorf("numeric host that is not a canonical dotted-quad IPv4 address")
	}
	return h, nil
}

// pathByte reports whether c may appear in a relayed path: the characters of
// registry repository names, tags, digests and token-endpoint paths.
func pathByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '/' || c == '.' || c == '_' || c == '-' || c == ':' || c == '+' || c == '~'
}

func checkPath(p string) error {
	bad := func(reason string) error { return &TargetError{Part: "path", Value: p, Reason: reason} }
	if len(p) > maxPathLen {
		return bad(fmt.Sprintf("longer than %d bytes", maxPathLen))
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '%':
			return bad("percent-encoding is not allowed")
		case c < 0x20 || c == 0x7f:
			return bad("control characters are not allowed")
		case !pathByte(c):
			return bad(fmt.Sprintf("character %q is not allowed", c))
		}
	}
	segs := strings.Split(p[1:], "/")
	for i, s := range segs {
		switch {
		case s == "." || s == "..":
			return bad("dot segments are not allowed")
		case s == "" && i != len(segs)-1:
			return bad("empty path segments are not allowed")
		}
	}
	return nil
}

func checkQuery(q string) error {
	bad := func(reason string) error { return &TargetError{Part: "query", Value: q, Reason: reason} }
	if len(q) > maxQueryLen {
		return bad(fmt.Sprintf("longer than %d bytes", maxQueryLen))
	}
	for i := 0; i < len(q); i++ {
		c := q[i]
		if c < 0x20 || c >= 0x7f || c == ' ' || c == '#' {
			return bad("control, space, '#' or non-ASCII characters are not allowed")
		}
		if c == '%' {
			if i+2 >= len(q) || !isHex(q[i+1]) || !isHex(q[i+2]) {
				return bad("malformed percent-encoding")
			}
			if v := unhex(q[i+1])<<4 | unhex(q[i+2]); v < 0x20 || v == 0x7f {
				return bad("percent-encoded control characters are not allowed")
			}
		}
	}
	return nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

func joinHostPort(host string, port int) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]:" + strconv.Itoa(port)
	}
	return host + ":" + strconv.Itoa(port)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
