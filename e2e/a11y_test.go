//go:build !js

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/regscope/regscope/internal/regtest"
)

// axeSource is axe-core, which scripts/test.sh installs with npm into
// e2e/axe (test-only: the page never serves it).
func axeSource(t *testing.T) string {
	t.Helper()
	p := filepath.Join(env.root, "e2e", "axe", "node_modules", "axe-core", "axe.min.js")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("axe-core is not installed: %v (run `npm ci --prefix e2e/axe`, as scripts/test.sh does)", err)
	}
	return string(b)
}

// axeFinding is one rule axe-core found broken, with where.
type axeFinding struct {
	ID, Impact, Help string
	Nodes            []string
}

// axe runs axe-core on the tab's page and returns its serious and critical findings.
func (tb *tab) axe(src string) []axeFinding {
	tb.t.Helper()
	tb.settle()
	eval[bool](tb, src+";\ntrue")
	return eval[[]axeFinding](tb, `axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations
	  .filter(v => v.impact === "serious" || v.impact === "critical")
	  .map(v => ({ID: v.id, Impact: v.impact, Help: v.help,
	    Nodes: v.nodes.slice(0, 6).map(n => n.target.join(" ") + " — " + (n.failureSummary || "").replace(/\s+/g, " "))})))`)
}

// TestAccessibility runs axe-core on every view of the page (the start
// screen, files with a file open, layers with a layer selected, config,
// manifest, an error, the credentials form) in light and dark and at phone
// width: no serious or critical violation.
func TestAccessibility(t *testing.T) {
	t.Parallel()
	src := axeSource(t)
	// A registry that asks for credentials (TestRelayBasicAuth covers Basic).
	reg := regtest.StartDistribution(t, regtest.Token)
	ref := reg.Host + "/e2e/private:v1"
	regtest.Push(t, ref, smallImage(t, "secret.txt", "private\n"))
	realm := strings.TrimPrefix(reg.Issuer.URL, "http://")
	srv := startServerT(t, "--insecure-registry", reg.Host, "--insecure-registry", realm[:strings.IndexByte(realm, '/')])
	views := append(append([]pageView{}, pageViews...), pageView{"credentials", func(tb *tab, s *server) {
		tb.navigate(pageURL(s, "image", ref))
		tb.waitAttr(pullWait, "#error", "data-kind", "unauthorized")
		tb.waitFn(10*time.Second, "the credentials form", `() => document.querySelector("#cred-form").hidden ? "" : "ok"`)
	}})
	for _, tc := range []struct {
		vp     viewport
		scheme string
	}{{viewports[2], "light"}, {viewports[2], "dark"}, {viewports[0], "light"}} {
		t.Run(tc.vp.name+"-"+tc.scheme, func(t *testing.T) {
			tb := newTab(t)
			tb.resize(tc.vp)
			tb.setScheme(tc.scheme)
			if got := eval[bool](tb, `matchMedia("(prefers-color-scheme: dark)").matches`); got != (tc.scheme == "dark") {
				t.Fatalf("prefers-color-scheme: dark matches = %v under the %s emulation", got, tc.scheme)
			}
			for _, v := range views {
				s := env.srv
				if v.name == "credentials" {
					s = srv
				}
				v.open(tb, s)
				for _, f := range tb.axe(src) {
					t.Errorf("%s view: axe %s (%s): %s\n\t%s", v.name, f.ID, f.Impact, f.Help, strings.Join(f.Nodes, "\n\t"))
				}
			}
		})
	}
}
