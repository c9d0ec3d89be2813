package cli

import (
	"strings"
	"testing"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/tartest"
)

// A failure people meet often starts with the sentence the page shows for
// it (internal/advice), before the technical line.
func TestCLIAdviceLine(t *testing.T) {
	host := regtest.GGCR(t)
	regtest.Push(t, host+"/there:v1", imagetest.Image(t, imagetest.OCI, imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "a", Body: "a"})))
	for _, tc := range []struct {
		ref, want string
	}{
		{host + "/nope/missing:v1", "regscope: No such image: " + host + " has no repository nope/missing; check the name."},
		{host + "/there:v2", "regscope: No such image: " + host + "/there has no tag or digest v2; check the tag."},
	} {
		code, _, errs := run(t, nil, "pull", tc.ref)
		lines := strings.Split(strings.TrimSpace(errs), "\n")
		if code != 1 || len(lines) < 2 || lines[len(lines)-2] != tc.want || !strings.HasPrefix(lines[len(lines)-1], "regscope: pull "+tc.ref+": ") {
			t.Errorf("pull %s: exit %d, stderr:\n%s\nwant the line %q before the error", tc.ref, code, errs, tc.want)
		}
	}
}
