package diff

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// apply applies a unified diff made by Unified to a, as patch would,
// checking each context and removed line against a.
func apply(t *testing.T, a, patch string) string {
	t.Helper()
	la := lines(a)
	var out []string
	next := 0 // next line of a not yet copied
	ls := lines(patch)
	for i := 2; i < len(ls); i++ {
		l := ls[i]
		if strings.HasPrefix(l, "@@ ") {
			var start int
			r := strings.Fields(l)[1][1:]
			start, _ = strconv.Atoi(strings.Split(r, ",")[0])
			if !strings.Contains(r, ",0") {
				start-- // 1-based, unless the range is empty
			}
			out = append(out, la[next:start]...)
			next = start
			continue
		}
		body := l[1:]
		if i+1 < len(ls) && ls[i+1] == "\\ No newline at end of file\n" {
			body = strings.TrimSuffix(body, "\n")
			i++
		}
		switch l[0] {
		case ' ', '-':
			if next >= len(la) || la[next] != body {
				t.Fatalf("line %d of a is %q, the patch says %q", next, la[min(next, len(la)-1)], body)
			}
			if l[0] == ' ' {
				out = append(out, body)
			}
			next++
		case '+':
			out = append(out, body)
		}
	}
	return strings.Join(append(out, la[next:]...), "")
}

// lcs is the length of the longest common subsequence, by dynamic
// programming: a shortest edit script has len(a)+len(b)-2*lcs edits.
func lcs(a, b []string) int {
	prev := make([]int, len(b)+1)
	for i := range a {
		cur := make([]int, len(b)+1)
		for j := range b {
			if a[i] == b[j] {
				cur[j+1] = prev[j] + 1
			} else {
				cur[j+1] = max(prev[j+1], cur[j])
			}
		}
		prev = cur
	}
	return prev[len(b)]
}

// Random texts: the diff applies back to B, and its script is minimal.
func TestUnifiedRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	text := func() string {
		n := rng.IntN(30)
		var s strings.Builder
		for range n {
			fmt.Fprintf(&s, "line %d\n", rng.IntN(6))
		}
		if rng.IntN(4) == 0 {
			s.WriteString("no newline")
		}
		return s.String()
	}
	for i := range 500 {
		a, b := text(), text()
		patch, total := Unified("/f", a, b, 0)
		if a == b {
			if patch != "" || total != 0 {
				t.Fatalf("equal texts: %q", patch)
			}
			continue
		}
		if got := apply(t, a, patch); got != b {
			t.Fatalf("case %d: applying\n%s\nto %q gives %q, want %q", i, patch, a, got, b)
		}
		la, lb := lines(a), lines(b)
		edits := 0
		for _, e := range editScript(la, lb) {
			if e.kind != ' ' {
				edits++
			}
		}
		if want := len(la) + len(lb) - 2*lcs(la, lb); edits != want {
			t.Fatalf("case %d: %d edits, the shortest script has %d", i, edits, want)
		}
	}
}

// Past maxEdits the diff is the whole middle replaced: still correct.
func TestUnifiedFarApart(t *testing.T) {
	var a, b strings.Builder
	for i := range 2 * maxEdits {
		fmt.Fprintf(&a, "a%d\n", i)
		fmt.Fprintf(&b, "b%d\n", i)
	}
	patch, total := Unified("/f", "same\n"+a.String()+"end\n", "same\n"+b.String()+"end\n", 0)
	if got := apply(t, "same\n"+a.String()+"end\n", patch); got != "same\n"+b.String()+"end\n" {
		t.Fatal("far-apart diff does not apply")
	}
	if total != 2+1+4*maxEdits+2 {
		t.Errorf("total %d lines", total)
	}
}
