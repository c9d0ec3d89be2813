package relay

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/regscope/regscope/pkg/registry"
)

// hop is why the relay would request (or remember) a URL.
type hop int

const (
	// firstHop is the URL a client named: a /v2/ path, or a realm a registry announced.
	firstHop hop = iota
	// redirectHop is an upstream's Location.
	redirectHop
	// realmHop is a token realm an upstream announced, remembered so a
	// later firstHop may name it.
	realmHop
	// foreignHop is a layer's foreign URL (desc.URLs) that a client names on
	// behalf of the registry whose manifest listed it (ForeignOfHeader).
	foreignHop
)

// ForeignOfHeader, on a relay request, says the URL is a foreign layer URL
// named by the manifest of the registry at this host[:port]: the relay
// judges it as a hop from that registry, so a public registry's image
// cannot lead the relay into an operator-allowed host.
const ForeignOfHeader = "X-Regscope-Foreign-Of"

// errAllowedHost is the refusal of a hop into a host the operator allowed
// (--insecure-registry, --allow-host) from a request that did not begin at
// such a host: a public registry must not be able to steer the relay into
// the operator's private network by a redirect or a realm.
var errAllowedHost = errors.New("an operator-allowed host is reachable only from a request that began at one")

// destination is the relay's one destination policy, applied to every URL it
// would request or remember, whatever made it do so. from is the host:port
// of the request's first hop (unused for firstHop). The rules:
//
//   - no userinfo; https, or plain http to a host named by --insecure-registry;
//     the host parsed strictly (ParseHostPort);
//   - a host the operator allowed (which may be private) only on the first
//     hop, or when the first hop was itself such a host (errAllowedHost);
//   - the path rule: a first hop names /v2/… or a realm a registry announced,
//     a foreign layer URL /v2/…; a realm, a foreign URL and any hop into an
//     allowed host has a path in the relay's strict syntax (checkPath).
//     Redirects to public hosts (blob storage, CDNs) may have any path.
//
// Where the host's addresses may be is decided separately, at dial time, for
// every connection (dialer). It returns u's host:port (with the scheme's
// default port).
func (r *Relay) destination(h hop, from string, u *url.URL) (string, error) {
	if u.User != nil {
		return "", errors.New("userinfo is not allowed")
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return "", fmt.Errorf("scheme %s is not allowed", u.Scheme)
	}
	hp, err := hostPortOf(u)
	if err != nil {
		return "", err
	}
	if u.Scheme == "http" && !r.insecure[hp] {
		return "", errors.New("plain http is only allowed to hosts named by --insecure-registry")
	}
	path := pathOrRoot(u.EscapedPath())
	switch h {
	case firstHop:
		if !isRegistryAPI(path) && !r.realms.has(u.Scheme+"://"+hp+path) {
			return "", fmt.Errorf("path %s on %s is neither a registry API path (/v2/…) nor a token realm a registry announced", path, hp)
		}
		return hp, checkPath(path)
	case foreignHop:
		if !isRegistryAPI(path) {
			return "", fmt.Errorf("foreign layer URL path %s on %s is not a registry API path (/v2/…)", path, hp)
		}
	}
	if r.trusted(hp) && !r.trusted(from) {
		return "", fmt.Errorf("%s: %w", hp, errAllowedHost)
	}
	if h == realmHop || h == foreignHop || r.trusted(hp) {
		if err := checkPath(path); err != nil {
			return "", err
		}
	}
	return hp, nil
}

// trusted reports whether the operator named host:port by flag.
func (r *Relay) trusted(hostport string) bool { return r.insecure[hostport] || r.allow[hostport] }

// redirectTarget resolves a Location against the hop it came from and judges
// it by destination; from is the first hop's host:port.
func (r *Relay) redirectTarget(first string, prev *url.URL, loc string) (*url.URL, error) {
	bad := func(reason string) (*url.URL, error) {
		return nil, refuse(403, "redirect from %s to %q refused: %s", prev.Host, truncate(redactQuery(loc), 200), reason).by("redirect")
	}
	if strings.ContainsFunc(loc, func(c rune) bool { return c < 0x20 || c == 0x7f }) {
		return bad("control characters")
	}
	ref, err := url.Parse(loc)
	if err != nil {
		return bad(err.Error())
	}
	u := prev.ResolveReference(ref)
	u.Fragment, u.RawFragment = "", ""
	if _, err := r.destination(redirectHop, first, u); err != nil {
		return bad(err.Error())
	}
	return u, nil
}

// learnRealms remembers the Bearer/Basic realms announced in WWW-Authenticate
// headers of an answer from the host:port from, each judged by destination
// as a realmHop: a public registry cannot open paths on the operator's hosts.
func (r *Relay) learnRealms(from string, headers []string) {
	for _, h := range headers {
		for _, c := range registry.ParseChallenges(h) {
			realm := c.Params["realm"]
			if (c.Scheme != "bearer" && c.Scheme != "basic") || realm == "" || len(realm) > r.o.MaxRealmLen {
				continue
			}
			u, err := url.Parse(realm)
			if err != nil {
				continue
			}
			hp, err := r.destination(realmHop, from, u)
			if err != nil {
				continue
			}
			r.realms.add(u.Scheme + "://" + hp + pathOrRoot(u.EscapedPath()))
		}
	}
}

// hostPortOf is u's host:port, parsed strictly, with the scheme's default port.
func hostPortOf(u *url.URL) (string, error) {
	host, port, err := ParseHostPort(u.Host)
	if err != nil {
		return "", err
	}
	if port == 0 {
		port = 443
		if u.Scheme == "http" {
			port = 80
		}
	}
	return joinHostPort(host, port), nil
}

func pathOrRoot(p string) string {
	if p == "" {
		return "/"
	}
	return p
}
