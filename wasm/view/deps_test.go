//go:build !js

package view

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestViewLinksNoPipeline checks that the view's binary stays small: the
// view decodes the engine's answers (wasm/msg, pkg/report) but links
// neither the network stack nor the pipeline that produces them.
func TestViewLinksNoPipeline(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", ".")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	for _, banned := range []string{
		"net/http", "crypto/x509", "crypto/tls",
		"github.com/regscope/regscope/pkg/registry",
		"github.com/regscope/regscope/pkg/pull",
		"github.com/regscope/regscope/pkg/layers",
		"github.com/regscope/regscope/pkg/manifest",
		"github.com/regscope/regscope/pkg/inspect",
		"github.com/regscope/regscope/pkg/diff",
	} {
		if slices.Contains(deps, banned) {
			t.Errorf("the view depends on %s", banned)
		}
	}
}
