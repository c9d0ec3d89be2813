package registry

import (
	"net/http"
	"reflect"
	"testing"
)

func TestParseChallenges(t *testing.T) {
	type m = map[string]string
	for _, tc := range []struct {
		in   string
		want []Challenge
	}{
		{``, nil},
		{`Basic realm="Registry Realm"`, []Challenge{{"basic", m{"realm": "Registry Realm"}}}},
		{`Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"`,
			[]Challenge{{"bearer", m{"realm": "https://auth.docker.io/token", "service": "registry.docker.io", "scope": "repository:library/alpine:pull"}}}},
		{`bearer realm=https://auth.example/token, service=reg`, []Challenge{{"bearer", m{"realm": "https://auth.example/token", "service": "reg"}}}},
		// Commas inside quotes, escaped quotes and backslashes.
		{`Bearer realm="https://a/t",scope="repository:a:pull,push repository:b:pull",error="say \"hi\", \\o/"`,
			[]Challenge{{"bearer", m{"realm": "https://a/t", "scope": "repository:a:pull,push repository:b:pull", "error": `say "hi", \o/`}}}},
		// Several challenges in one value.
		{`Bearer realm="https://a/t",service="s", Basic realm="r"`,
			[]Challenge{{"bearer", m{"realm": "https://a/t", "service": "s"}}, {"basic", m{"realm": "r"}}}},
		{`Basic, Bearer realm="x"`, []Challenge{{"basic", m{}}, {"bearer", m{"realm": "x"}}}},
		{`Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple"`,
			[]Challenge{{"newauth", m{"realm": "apps", "type": "1", "title": `Login to "apps"`}}, {"basic", m{"realm": "simple"}}}},
		// Spaces around '=', upper-case names, token68.
		{`BEARER Realm = "x" ,  Service= y`, []Challenge{{"bearer", m{"realm": "x", "service": "y"}}}},
		{`Negotiate YIIB3gYGKwYBBQUCoIIB0jCCAc6g==, Basic realm="r"`,
			[]Challenge{{"negotiate", m{"": "YIIB3gYGKwYBBQUCoIIB0jCCAc6g=="}}, {"basic", m{"realm": "r"}}}},
		// Empty quoted value, unterminated quote.
		{`Bearer realm="",service="svc`, []Challenge{{"bearer", m{"realm": "", "service": "svc"}}}},
	} {
		got := ParseChallenges(tc.in)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseChallenges(%q)\n got %#v\nwant %#v", tc.in, got, tc.want)
		}
	}
}

func TestChallengesAcrossHeaders(t *testing.T) {
	h := http.Header{}
	h.Add("WWW-Authenticate", `Basic realm="r"`)
	h.Add("WWW-Authenticate", `Bearer realm="https://a/t",service="s"`)
	cs := challengesOf(h)
	if len(cs) != 2 || cs[0].Scheme != "basic" || cs[1].Scheme != "bearer" {
		t.Fatalf("challengesOf = %#v", cs)
	}
	if p := pickChallenge(cs); p == nil || p.Scheme != "bearer" || p.Params["service"] != "s" {
		t.Errorf("pickChallenge prefers %#v, want bearer", p)
	}
	if p := pickChallenge(ParseChallenges(`Negotiate x==`)); p != nil {
		t.Errorf("pickChallenge(Negotiate) = %#v, want nil", p)
	}
}

func FuzzParseChallenges(f *testing.F) {
	f.Add(`Bearer realm="https://a/t",service="s", Basic realm="r"`)
	f.Add(`a b="\`)
	f.Fuzz(func(t *testing.T, s string) {
		for _, c := range ParseChallenges(s) {
			if c.Scheme == "" || c.Params == nil {
				t.Fatalf("ParseChallenges(%q): empty challenge %#v", s, c)
			}
		}
	})
}
