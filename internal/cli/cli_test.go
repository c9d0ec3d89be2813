//go:build !js

package cli

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/tartest"
	"github.com/regscope/regscope/pkg/layers"
)

// run runs a CLI command in-process, as main would, with no credentials
// from the environment.
func run(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runCtx(t, context.Background(), env, args...)
}

// runCtx is run with a context (for example one from WithTransport).
func runCtx(t *testing.T, ctx context.Context, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	t.Setenv("XDG_CACHE_HOME", t.TempDir()) // a blob cache of its own, unless env names one
	t.Setenv("REGSCOPE_USERNAME", "")
	t.Setenv("REGSCOPE_PASSWORD", "")
	for k, v := range env {
		t.Setenv(k, v)
	}
	var out, errb bytes.Buffer
	code = Run(ctx, args[0], args[1:], &out, &errb)
	return code, out.String(), errb.String()
}

// cliImage pushes a two-layer image exercising every entry type the
// listing shows.
func cliImage(t *testing.T, host string) string {
	ref := host + "/cli/test:1"
	regtest.Push(t, ref, imagetest.Image(t, imagetest.OCI,
		imagetest.Layer(t, imagetest.Gzip,
			tartest.Entry{Name: "bin/", Type: tar.TypeDir},
			tartest.Entry{Name: "bin/busybox", Body: "#!busybox\n", Mode: 0o4755},
			tartest.Entry{Name: "bin/sh", Type: tar.TypeSymlink, Link: "busybox", Mode: 0o777},
			tartest.Entry{Name: "etc/", Type: tar.TypeDir},
			tartest.Entry{Name: "etc/os-release", Body: "ID=cli\n"},
			tartest.Entry{Name: "etc/old", Body: "old\n"},
			tartest.Entry{Name: "etc/release", Type: tar.TypeSymlink, Link: "/etc/os-release", Mode: 0o777},
			tartest.Entry{Name: "etc/link", Type: tar.TypeSymlink, Link: "release", Mode: 0o777},
		),
		imagetest.Layer(t, imagetest.Zstd,
			tartest.Entry{Name: "etc/.wh.old"},
			tartest.Entry{Name: "etc/hard", Type: tar.TypeLink, Link: "etc/os-release"},
			tartest.Entry{Name: "tmp/", Type: tar.TypeDir, Mode: 0o1777},
		),
	))
	return ref
}

func TestCLIPull(t *testing.T) {
	ref := cliImage(t, regtest.GGCR(t))
	code, out, errs := run(t, nil, "pull", "--json", ref)
	if code != 0 {
		t.Fatalf("pull --json: exit %d: %s", code, errs)
	}
	var s summary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("pull --json output is not one JSON object: %v\n%s", err, out)
	}
	if !s.Verified || len(s.Layers) != 2 || s.Platform != "linux/amd64" || !strings.HasPrefix(s.Manifest.Digest, "sha256:") {
		t.Errorf("summary %+v", s)
	}
	if l := s.Layers[1]; l.MediaType != "application/vnd.oci.image.layer.v1.tar+zstd" || l.Deleted != 1 || l.Added != 2 {
		t.Errorf("layer 1 %+v, want zstd, 1 deleted, 2 added", l)
	}
	if !strings.HasSuffix(s.Pinned, "@"+s.Manifest.Digest) {
		t.Errorf("pinned %s does not name the manifest digest", s.Pinned)
	}
	const sentence = "all 6 digests verified (the manifest, the config, 2 layer blobs, 2 DiffIDs)"
	if s.Verification != sentence || len(s.Checks) != 6 {
		t.Errorf("verification %q with %d checks, want %q and 6", s.Verification, len(s.Checks), sentence)
	}
	for i, want := range []struct{ what, from, expected string }{
		{"manifest", "Docker-Content-Digest", s.Manifest.Digest},
		{"config", "manifest", s.Config.Digest},
		{"layer 0 blob", "manifest", s.Layers[0].Digest},
		{"layer 0 DiffID", "config", s.Layers[0].DiffID},
		{"layer 1 blob", "manifest", s.Layers[1].Digest},
		{"layer 1 DiffID", "config", s.Layers[1].DiffID},
	} {
		if i >= len(s.Checks) {
			break
		}
		if c := s.Checks[i]; c.What != want.what || c.From != want.from || c.Expected.String() != want.expected || c.Result != "verified" {
			t.Errorf("checks[%d] = %+v, want %s verified against %s from the %s", i, c, want.what, want.expected, want.from)
		}
	}
	if !strings.Contains(out, `"result": "verified"`) || !strings.Contains(out, `"expected": "`+s.Config.Digest+`"`) {
		t.Errorf("pull --json does not spell the checks as documented:\n%s", out)
	}

	code, out, errs = run(t, nil, "pull", ref)
	if code != 0 || !strings.Contains(out, s.Manifest.Digest) || !strings.HasSuffix(out, "\n"+sentence+"\n") {
		t.Errorf("pull: exit %d, stdout (want it to end with %q):\n%s\nstderr:\n%s", code, sentence, out, errs)
	}
	if !strings.Contains(errs, "layer 1") {
		t.Errorf("pull: no progress lines on stderr:\n%s", errs)
	}
}

func TestCLILs(t *testing.T) {
	ref := cliImage(t, regtest.GGCR(t))
	code, out, errs := run(t, nil, "ls", "-R", "--json", ref)
	if code != 0 {
		t.Fatalf("ls: exit %d: %s", code, errs)
	}
	want := []string{
		`{"path":"/bin","type":"dir","mode":"0755","size":0,"uid":0,"gid":0,"link":"","layer":0}`,
		`{"path":"/bin/busybox","type":"file","mode":"4755","size":10,"uid":0,"gid":0,"link":"","layer":0}`,
		`{"path":"/bin/sh","type":"symlink","mode":"0777","size":0,"uid":0,"gid":0,"link":"busybox","layer":0}`,
		`{"path":"/etc","type":"dir","mode":"0755","size":0,"uid":0,"gid":0,"link":"","layer":0}`,
		`{"path":"/etc/hard","type":"hardlink","mode":"0644","size":7,"uid":0,"gid":0,"link":"/etc/os-release","layer":1}`,
		`{"path":"/etc/link","type":"symlink","mode":"0777","size":0,"uid":0,"gid":0,"link":"release","layer":0}`,
		`{"path":"/etc/os-release","type":"file","mode":"0644","size":7,"uid":0,"gid":0,"link":"","layer":0}`,
		`{"path":"/etc/release","type":"symlink","mode":"0777","size":0,"uid":0,"gid":0,"link":"/etc/os-release","layer":0}`,
		`{"path":"/tmp","type":"dir","mode":"1777","size":0,"uid":0,"gid":0,"link":"","layer":1}`,
	}
	if got := strings.Split(strings.TrimSpace(out), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("ls -R --json:\n%s\nwant:\n%s", out, strings.Join(want, "\n"))
	}

	// Not recursive, a subdirectory, flags after the reference.
	code, out, _ = run(t, nil, "ls", ref, "/etc", "--json")
	if code != 0 || strings.Count(out, "\n") != 4 || strings.Contains(out, `"/etc/old"`) {
		t.Errorf("ls /etc: exit %d\n%s", code, out)
	}

	// A layer's own change set shows its whiteout.
	code, out, _ = run(t, nil, "ls", "--layer", "1", "-R", "--json", ref)
	if code != 0 || !strings.Contains(out, `{"path":"/etc/old","type":"whiteout"`) || !strings.Contains(out, `"layer":1`) {
		t.Errorf("ls --layer 1: exit %d\n%s", code, out)
	}

	// Text form: ls -l like.
	code, out, _ = run(t, nil, "ls", ref, "/bin")
	if code != 0 || !strings.Contains(out, "-rwsr-xr-x") || !strings.Contains(out, "/bin/sh -> busybox") {
		t.Errorf("ls /bin text:\n%s", out)
	}
}

func TestCLICat(t *testing.T) {
	ref := cliImage(t, regtest.GGCR(t))
	for _, p := range []string{"/etc/os-release", "etc/release", "/etc/link", "/etc/hard"} {
		code, out, errs := run(t, nil, "cat", ref, p)
		if code != 0 || out != "ID=cli\n" {
			t.Errorf("cat %s: exit %d, %q, %s", p, code, out, errs)
		}
	}
	for _, tc := range []struct{ path, want string }{
		{"/etc", "is a directory"},
		{"/etc/old", "/etc/old"},
		{"/nope", "/nope"},
	} {
		code, out, errs := run(t, nil, "cat", ref, tc.path)
		lines := strings.Split(strings.TrimSpace(errs), "\n")
		last := lines[len(lines)-1]
		if code != 1 || out != "" || !strings.HasPrefix(last, "regscope: ") || !strings.Contains(last, tc.want) {
			t.Errorf("cat %s: exit %d, stdout %q, stderr %q; want exit 1 and a last line naming %q", tc.path, code, out, errs, tc.want)
		}
	}
}

func TestCLIErrors(t *testing.T) {
	host := regtest.GGCR(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"pull", host + "/missing:tag"}, "404"},
		{[]string{"pull", "Not A Ref"}, `"Not A Ref"`},
		{[]string{"ls"}, "usage"},
		{[]string{"pull", "--bogus", "x"}, "bogus"},
		{[]string{"frobnicate"}, "frobnicate"},
	} {
		code, _, errs := run(t, nil, tc.args...)
		last := strings.TrimSpace(errs)
		if i := strings.LastIndex(last, "\n"); i >= 0 {
			last = last[i+1:]
		}
		if code != 1 || !strings.HasPrefix(last, "regscope: ") || !strings.Contains(last, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 1 and a line naming %q", tc.args, code, errs, tc.want)
		}
	}
}

// Credentials from flags, the environment and Docker's config.json, against
// Distribution with htpasswd auth.
func TestCLICredentials(t *testing.T) {
	host := regtest.Distribution(t, regtest.Htpasswd)
	ref := host + "/private/img:1"
	regtest.Push(t, ref, imagetest.Image(t, imagetest.OCI,
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "secret", Body: "s3cret"})),
		remote.WithAuth(&authn.Basic{Username: regtest.User, Password: regtest.Password}))

	code, _, errs := run(t, nil, "cat", ref, "/secret")
	if code != 1 || !strings.Contains(errs, "401") {
		t.Errorf("no credentials: exit %d, %s; want a 401", code, errs)
	}
	if strings.Contains(errs, regtest.Password) {
		t.Errorf("password printed: %s", errs)
	}
	code, out, errs := run(t, nil, "cat", "-u", regtest.User, "-p", regtest.Password, ref, "/secret")
	if code != 0 || out != "s3cret" {
		t.Errorf("-u/-p: exit %d, %q, %s", code, out, errs)
	}
	code, out, errs = run(t, map[string]string{"REGSCOPE_USERNAME": regtest.User, "REGSCOPE_PASSWORD": regtest.Password}, "cat", ref, "/secret")
	if code != 0 || out != "s3cret" {
		t.Errorf("environment: exit %d, %q, %s", code, out, errs)
	}
	code, _, errs = run(t, nil, "cat", "-u", regtest.User, "-p", "wrong", ref, "/secret")
	if code != 1 || strings.Contains(errs, "wrong") {
		t.Errorf("wrong password: exit %d, %s", code, errs)
	}

	dir := t.TempDir()
	auth := base64.StdEncoding.EncodeToString([]byte(regtest.User + ":" + regtest.Password))
	cfg := `{"auths":{"` + host + `":{"auth":"` + auth + `"}}}`
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	t.Setenv("DOCKER_CONFIG", dir)
	if code := Run(context.Background(), "cat", []string{ref, "/secret"}, &stdout, &stderr); code != 0 || stdout.String() != "s3cret" {
		t.Errorf("docker config.json: exit %d, %q, %s", code, stdout.String(), stderr.String())
	}
}

func TestModeString(t *testing.T) {
	for _, tc := range []struct {
		mode fs.FileMode
		typ  layers.Type
		want string
	}{
		{0o755, layers.TypeFile, "-rwxr-xr-x"},
		{0o755 | fs.ModeDir, layers.TypeDir, "drwxr-xr-x"},
		{0o755 | fs.ModeSetuid, layers.TypeFile, "-rwsr-xr-x"},
		{0o644 | fs.ModeSetuid, layers.TypeFile, "-rwSr--r--"},
		{0o755 | fs.ModeSetgid, layers.TypeFile, "-rwxr-sr-x"},
		{0o777 | fs.ModeSticky | fs.ModeDir, layers.TypeDir, "drwxrwxrwt"},
		{0o666 | fs.ModeSticky, layers.TypeFile, "-rw-rw-rwT"},
		{0o777 | fs.ModeSymlink, layers.TypeSymlink, "lrwxrwxrwx"},
		{0o644, layers.TypeFIFO, "prw-r--r--"},
	} {
		e := &layers.Entry{Mode: tc.mode, Type: tc.typ}
		if got := modeString(e); got != tc.want {
			t.Errorf("modeString(%v, %v) = %s, want %s", tc.mode, tc.typ, got, tc.want)
		}
		if got, want := permBits(tc.mode)&0o777, uint32(tc.mode.Perm()); got != want {
			t.Errorf("permBits(%v) = %o", tc.mode, got)
		}
	}
}
