//go:build !js

package e2e

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/tartest"
)

// nativeSentence runs `regscope pull ref` and returns its last line: the
// sentence saying what was verified.
func nativeSentence(t testing.TB, ref string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, env.bin, "pull", ref)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("regscope pull %s: %v\n%s", ref, err, stderr.String())
	}
	lines := strings.Split(strings.TrimRight(stdout.String(), "\n"), "\n")
	return lines[len(lines)-1]
}

// pageSentence is the sentence in "#status": "✓ SENTENCE · N layers · …".
func (tb *tab) pageSentence() string {
	tb.t.Helper()
	s := tb.text("#status")
	rest, ok := strings.CutPrefix(s, "✓ ")
	sentence, _, found := strings.Cut(rest, " · ")
	if !ok || !found {
		tb.t.Fatalf("#status reads %q, want \"✓ SENTENCE · N layers · …\"", s)
	}
	return sentence
}

// showcaseSentence is what the page and the CLI say of demo/showcase.
const showcaseSentence = "all 9 digests verified (the index, the manifest, the config, 3 layer blobs, 3 DiffIDs)"

// TestVerificationSentence pulls the same images in the page and with the
// CLI: both say the same sentence about what was verified, for an OCI image
// and for a schema1 image, where the DiffIDs cannot be checked.
func TestVerificationSentence(t *testing.T) {
	t.Parallel()
	reg := regtest.GGCR(t)
	layer := func(name, body string) tartest.Entry { return tartest.Entry{Name: name, Body: body} }
	regtest.Push(t, reg+"/e2e/oci:1", imagetest.Image(t, imagetest.OCI,
		imagetest.Layer(t, imagetest.Gzip, layer("etc/one", "1\n")),
		imagetest.Layer(t, imagetest.Gzip, layer("etc/two", "2\n"))))
	regtest.PushSchema1(t, reg+"/e2e/old:1",
		imagetest.Layer(t, imagetest.Gzip, layer("etc/one", "1\n")),
		imagetest.Layer(t, imagetest.Gzip, layer("etc/two", "2\n")),
		imagetest.Layer(t, imagetest.Gzip, layer("etc/three", "3\n")))
	s := startServerT(t, "--insecure-registry", reg)

	for _, tc := range []struct{ ref, want string }{
		{reg + "/e2e/oci:1", "all 6 digests verified (the manifest, the config, 2 layer blobs, 2 DiffIDs)"},
		{reg + "/e2e/old:1", "4 of 7 digests verified (the manifest, 3 layer blobs); not checked: 3 DiffIDs (a schema1 manifest lists none)"},
		{showcase(env.srv), showcaseSentence},
	} {
		srv := s
		if !strings.HasPrefix(tc.ref, reg) {
			srv = env.srv
		}
		tb := newTab(t)
		tb.navigate(pageURL(srv, "image", tc.ref))
		tb.waitStatus(pullWait, "verified")
		page, native := tb.pageSentence(), nativeSentence(t, tc.ref)
		if !sameOrCarried(page, tc.want) || native != tc.want {
			t.Errorf("%s:\n page: %q\n  CLI: %q\n want: %q", tc.ref, page, native, tc.want)
		}
	}
}
