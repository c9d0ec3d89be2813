package registry

import (
	"net/http"
	"strings"
)

// Challenge is one authentication challenge from a WWW-Authenticate header,
// such as Bearer realm="https://auth.docker.io/token",service="registry.docker.io".
type Challenge struct {
	Scheme string            // lower-cased: "bearer", "basic"
	Params map[string]string // parameter names lower-cased, values unquoted
}

// ParseChallenges parses the challenges in one WWW-Authenticate header value
// (RFC 9110 section 11.6.1): several challenges may share one value,
// separated by commas; parameter values may be tokens or quoted strings with
// backslash escapes and commas inside. A token68 credential (as in
// "Negotiate abc==") is kept under the parameter name "". Malformed trailing
// input is ignored rather than failing the whole header.
func ParseChallenges(header string) []Challenge {
	p := challengeParser{s: header}
	var out []Challenge
	for {
		p.skip(" \t,")
		scheme := p.token()
		if scheme == "" {
			return out
		}
		c := Challenge{Scheme: strings.ToLower(scheme), Params: map[string]string{}}
		p.skip(" \t")
		if t, ok := p.token68(); ok {
			c.Params[""] = t
		} else {
			for p.param(&c) {
			}
		}
		out = append(out, c)
	}
}

// challengesOf returns the challenges in every WWW-Authenticate header of h.
func challengesOf(h http.Header) []Challenge {
	var out []Challenge
	for _, v := range h.Values("WWW-Authenticate") {
		out = append(out, ParseChallenges(v)...)
	}
	return out
}

// challengeParser is a cursor over a WWW-Authenticate value.
type challengeParser struct {
	s string
	i int
}

func (p *challengeParser) skip(set string) {
	for p.i < len(p.s) && strings.IndexByte(set, p.s[p.i]) >= 0 {
		p.i++
	}
}

// isTokenChar reports whether b is a tchar of RFC 9110.
func isTokenChar(b byte) bool {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", b) >= 0
}

func (p *challengeParser) token() string {
	start := p.i
	for p.i < len(p.s) && isTokenChar(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i]
}

// token68 consumes a token68 (letters, digits, -._~+/ then '='s) when it is
// followed by the end, a comma, or a space and is not the name of a param.
func (p *challengeParser) token68() (string, bool) {
	j := p.i
	for j < len(p.s) && (isTokenChar(p.s[j]) || p.s[j] == '/') {
		j++
	}
	if j == p.i {
		return "", false
	}
	k := j
	for k < len(p.s) && p.s[k] == '=' {
		k++
	}
	if k == j {
		return "", false // no '=' padding: a param name or a following scheme
	}
	// "name=value" is a param, "abc==" or "abc=" at the end or before a comma is a token68.
	rest := strings.TrimLeft(p.s[k:], " \t")
	if k-j == 1 && rest != "" && rest[0] != ',' {
		return "", false
	}
	t := p.s[p.i:k]
	p.i = k
	return t, true
}

// param consumes one "name=value" pair and the separator after it. It
// reports false, consuming nothing, when the next thing is not a param (the
// end, or the scheme of the next challenge).
func (p *challengeParser) param(c *Challenge) bool {
	p.skip(" \t,")
	start := p.i
	name := p.token()
	if name == "" {
		p.i = start
		return false
	}
	p.skip(" \t")
	if p.i >= len(p.s) || p.s[p.i] != '=' {
		p.i = start // a new challenge's scheme
		return false
	}
	p.i++
	p.skip(" \t")
	var val string
	if p.i < len(p.s) && p.s[p.i] == '"' {
		val = p.quoted()
	} else {
		val = p.bare()
	}
	c.Params[strings.ToLower(name)] = val
	p.skip(" \t")
	return true
}

// bare consumes an unquoted value. RFC 9110 allows only a token, but
// servers send unquoted URLs too, so it runs to the next comma or space.
func (p *challengeParser) bare() string {
	start := p.i
	for p.i < len(p.s) && p.s[p.i] != ',' && p.s[p.i] != ' ' && p.s[p.i] != '\t' {
		p.i++
	}
	return p.s[start:p.i]
}

// quoted consumes a quoted-string starting at the opening quote and returns
// its unescaped contents. An unterminated string runs to the end.
func (p *challengeParser) quoted() string {
	p.i++ // opening quote
	var b strings.Builder
	for p.i < len(p.s) {
		ch := p.s[p.i]
		p.i++
		switch {
		case ch == '\\' && p.i < len(p.s):
			b.WriteByte(p.s[p.i])
			p.i++
		case ch == '"':
			return b.String()
		default:
			b.WriteByte(ch)
		}
	}
	return b.String()
}
