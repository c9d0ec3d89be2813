package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/regscope/regscope/internal/difftest"
	"github.com/regscope/regscope/internal/regtest"
)

// diffArgs are the arguments comparing case c.
func diffArgs(c difftest.Case, extra ...string) []string {
	args := append([]string{"diff"}, extra...)
	if c.PlatformA != "" {
		args = append(args, "--platform", c.PlatformA, "--platform-b", c.PlatformB)
	}
	return append(args, c.A, c.B)
}

// jsonLines renders `diff --json` output as difftest.Case.Files lines,
// checking each object's shape on the way.
func jsonLines(t *testing.T, out string) []string {
	t.Helper()
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l == "" {
			continue
		}
		var j diffJSON
		if err := json.Unmarshal([]byte(l), &j); err != nil {
			t.Fatalf("not JSON: %q", l)
		}
		if (j.A == nil) != (j.Change == "added") || (j.B == nil) != (j.Change == "removed") ||
			(j.A != nil && j.A.Path != j.Path) || (j.B != nil && j.B.Path != j.Path) {
			t.Errorf("line %s: a/b do not match the change", l)
		}
		s := j.Change + " " + j.Path
		if j.Change == "modified" {
			s += " " + strings.Join(j.Fields, ",")
		}
		got = append(got, s)
	}
	return got
}

func TestCLIDiff(t *testing.T) {
	for _, c := range difftest.Push(t, regtest.GGCR(t)) {
		t.Run(c.Name, func(t *testing.T) {
			code, out, errs := run(t, nil, diffArgs(c, "--json")...)
			want := 1
			if len(c.Files) == 0 && len(c.Config) == 0 {
				want = 0
			}
			if code != want {
				t.Fatalf("exit %d, want %d: %s", code, want, errs)
			}
			if got := jsonLines(t, out); strings.Join(got, "\n") != strings.Join(c.Files, "\n") {
				t.Errorf("diff --json:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.Files, "\n"))
			}
		})
	}
}

func TestCLIDiffText(t *testing.T) {
	cases := difftest.Push(t, regtest.GGCR(t))
	byName := map[string]difftest.Case{}
	for _, c := range cases {
		byName[c.Name] = c
	}
	code, out, errs := run(t, nil, diffArgs(byName["platforms"])...)
	want := "Differ: /etc/arch (content)\nOnly in B: /etc/arm\nConfig platform: \"linux/amd64\" → \"linux/arm64\"\n"
	if code != 1 || out != want {
		t.Errorf("exit %d, stdout:\n%s\nwant:\n%s\nstderr:\n%s", code, out, want, errs)
	}
	if !strings.Contains(errs, "A: ") || !strings.Contains(errs, "B: ") {
		t.Errorf("no progress of both sides on stderr:\n%s", errs)
	}

	// A PATH that is a changed text file: its unified diff follows.
	code, out, _ = run(t, nil, append(diffArgs(byName["platforms"]), "/etc/arch")...)
	want = "Differ: /etc/arch (content)\n\n--- a/etc/arch\n+++ b/etc/arch\n@@ -1 +1 @@\n-amd64\n+arm64\n"
	if code != 1 || out != want {
		t.Errorf("diff A B /etc/arch: exit %d\n%s\nwant:\n%s", code, out, want)
	}

	// JSON of one modified path, whole.
	code, out, _ = run(t, nil, append(diffArgs(byName["owner"], "--json"), "/home/app")...)
	want = `{"path":"/home/app","change":"modified","fields":["gid","uid"],` +
		`"a":{"path":"/home/app","type":"file","mode":"0644","size":1,"uid":0,"gid":0,"link":"","layer":1},` +
		`"b":{"path":"/home/app","type":"file","mode":"0644","size":1,"uid":1000,"gid":1000,"link":"","layer":1}}` + "\n"
	if code != 1 || out != want {
		t.Errorf("diff --json owner: exit %d\n%s\nwant:\n%s", code, out, want)
	}

	// The same images: nothing printed, exit 0.
	c := byName["layer-split"]
	if code, out, errs := run(t, nil, diffArgs(c)...); code != 0 || out != "" {
		t.Errorf("layer-split: exit %d, %q, %s", code, out, errs)
	}
}

func TestCLIDiffErrors(t *testing.T) {
	host := regtest.GGCR(t)
	cases := difftest.Push(t, host)
	for _, tc := range []struct {
		args []string
		last string
	}{
		{[]string{"diff", cases[0].A}, "regscope: diff: usage: regscope diff [--json] [--platform-b P] [pull flags] A B [PATH]"},
		{[]string{"diff", cases[0].A, host + "/diff/missing:b"},
			"regscope: pull " + host + "/diff/missing:b: GET http://" + host + "/v2/diff/missing/manifests/b: 404 Not Found: NAME_UNKNOWN: Unknown name"},
		{[]string{"diff", "--platform-b", "linux/s390x", cases[len(cases)-1].A, cases[len(cases)-1].B}, "regscope: pull " + host + "/diff/platforms:multi: no linux/s390x image in the index; it offers linux/amd64, linux/arm64"},
	} {
		code, _, errs := run(t, nil, tc.args...)
		lines := strings.Split(strings.TrimSpace(errs), "\n")
		last := lines[len(lines)-1]
		if code != 2 || last != tc.last {
			t.Errorf("%v: exit %d, last line %q, want %q", tc.args, code, last, tc.last)
		}
	}
}
