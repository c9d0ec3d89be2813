package fetch

import (
	"strings"
	"testing"
)

// ChooseRelay: the serving server's relay first, then the config file
// beside a static page, then ?relay=; only https (http on this machine),
// no userinfo, query or fragment.
func TestChooseRelay(t *testing.T) {
	origin := mustURL(t, "https://pages.example")
	for _, tc := range []struct {
		name   string
		served bool
		config string // ConfigFile's content, "" = none
		query  string
		want   string // "" = no relay
		err    string // substring of the error
	}{
		{name: "served by a regscope server", served: true, query: "?relay=https://other.example", want: "https://pages.example"},
		{name: "static, nothing", query: "?image=alpine", want: ""},
		{name: "static, ?relay=", query: "?image=alpine&relay=https://relay.example/", want: "https://relay.example"},
		{name: "static, ?relay= with a path", query: "?relay=https://example.org/regscope/", want: "https://example.org/regscope"},
		{name: "static, config", config: `{"relay":"https://relay.example:8443"}`, want: "https://relay.example:8443"},
		{name: "config wins over ?relay=", config: `{"relay":"https://mine.example"}`, query: "?relay=https://theirs.example", want: "https://mine.example"},
		{name: "loopback over http", query: "?relay=http://127.0.0.1:8080", want: "http://127.0.0.1:8080"},
		{name: "localhost over http", query: "?relay=http://localhost:8080", want: "http://localhost:8080"},
		{name: "http off this machine", query: "?relay=http://relay.example", err: `relay "http://relay.example": want the https:// URL of a regscope server (http:// only on this machine)`},
		{name: "a name that looks like loopback", query: "?relay=http://127.0.0.1.example", err: "want the https:// URL"},
		{name: "userinfo", query: "?relay=https://u:p@relay.example", err: "want the https:// URL"},
		{name: "query", query: "?relay=https://relay.example/%3Fa%3Db", err: "want the https:// URL"},
		{name: "javascript", query: "?relay=javascript:alert(1)", err: "want the https:// URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var cfg Config
			if tc.config != "" {
				var err error
				if cfg, err = ParseConfig([]byte(tc.config)); err != nil {
					t.Fatal(err)
				}
			}
			got, err := ChooseRelay(origin, tc.served, cfg, tc.query)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("got %v, %v; want an error containing %q", got, err, tc.err)
				}
				return
			}
			s := ""
			if got != nil {
				s = got.String()
			}
			if err != nil || s != tc.want {
				t.Errorf("got %q, %v; want %q", s, err, tc.want)
			}
		})
	}
	if _, err := ParseConfig([]byte(`{"relay":`)); err == nil || !strings.HasPrefix(err.Error(), "regscope.json: ") {
		t.Errorf("a broken config file: %v; want an error naming regscope.json", err)
	}
}
