// Package relay forwards a browser's registry requests to registries that send
// no CORS headers, and refuses to be used for anything else.
//
// A request GET /relay/{host[:port]}/{path}?{query} is forwarded to
// https://{host[:port]}/{path}?{query} (plain http only for hosts named as
// insecure). The relay is an attack surface and is built as one:
//
//   - only registry API paths (/v2/ and below) and the token realms that a
//     registry announced in a WWW-Authenticate header passing through this
//     relay may be requested (a realm on a host the operator allowed by flag
//     only when such a host announced it); the realm cache keeps
//     scheme://host:port/path, never userinfo or a query;
//   - hosts are parsed strictly (no userinfo, no non-canonical numeric IPv4
//     forms, no percent-encoding or dot segments in the path, no control
//     characters anywhere);
//   - every destination is checked at dial time against the IP actually being
//     connected to, so DNS answers that change between a check and the dial
//     cannot reach loopback, private, link-local, CGNAT, unique-local,
//     multicast or metadata addresses (IPv4-mapped, NAT64 and 6to4 forms
//     judged by the IPv4 address they carry; other IPv6 only inside
//     2000::/3) unless the operator allowed that exact host:port;
//   - one destination policy judges every hop — the URL a client names, each
//     redirect, each announced realm: a host the operator allowed (possibly
//     private) is reachable only when the request began at such a host, so a
//     public registry cannot steer the relay into the operator's network
//     (a layer's foreign URL, marked ForeignOfHeader by the page, is judged
//     as a hop from the registry that named it);
//   - redirects are followed by the relay, at most five hops, and
//     Authorization is dropped when a hop leaves the host;
//   - GET, HEAD and OPTIONS only; cookies are neither forwarded nor returned;
//     only allow-listed headers pass either way; Authorization is passed
//     through and never logged or kept; neither the log nor an error answer
//     repeats a query (token requests carry account names there, storage
//     redirects carry signatures);
//   - time, idle streaming and per-client concurrency are bounded, and a client
//     that goes away cancels its upstream request.
//
// Who may use it: the regscope server (serve.go) and the project's tests.
// It is internal because its policy (which hosts, realms, headers and
// origins) is the server's, set by the server's flags; a program that needs
// a registry proxy should build its own with its own policy.
package relay
