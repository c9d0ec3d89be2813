package fetch

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
)

// ConfigFile is the file beside a static copy of the page that names its
// relay: {"relay": "https://relay.example"}. `regscope site --relay URL`
// writes it.
const ConfigFile = "regscope.json"

// Config is the content of ConfigFile.
type Config struct {
	Relay string `json:"relay"` // base URL of a regscope server started with --allow-origin for this page's origin
}

// ParseConfig reads ConfigFile's content.
func ParseConfig(b []byte) (Config, error) {
	var c Config
	if err := json.Unmarshal(b, &c); err != nil {
		return Config{}, fmt.Errorf("%s: %v", ConfigFile, err)
	}
	return c, nil
}

// ChooseRelay decides which relay a page uses: the server that served it
// when that server has one (served); else the relay ConfigFile names (the
// site's operator decided); else the page address's ?relay=URL. The
// result is nil when there is none. A relay URL must be http(s) with a
// host and no query; plain http only for loopback hosts, so registry
// credentials never cross a network in clear.
func ChooseRelay(origin *url.URL, served bool, config Config, pageQuery string) (*url.URL, error) {
	if served {
		return origin, nil
	}
	raw := config.Relay
	if raw == "" {
		q, _ := url.ParseQuery(strings.TrimPrefix(pageQuery, "?"))
		raw = q.Get("relay")
	}
	if raw == "" {
		return nil, nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" ||
		(u.Scheme != "https" && !(u.Scheme == "http" && isLoopbackHost(u.Hostname()))) {
		return nil, fmt.Errorf("relay %q: want the https:// URL of a regscope server (http:// only on this machine)", raw)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return u, nil
}

// isLoopbackHost reports "localhost" and loopback IP literals.
func isLoopbackHost(h string) bool {
	ip, err := netip.ParseAddr(h)
	return h == "localhost" || (err == nil && ip.Unmap().IsLoopback())
}
