package diff

import (
	"fmt"
	"strings"
)

// maxEdits bounds the edit distance the line diff searches (its memory is
// quadratic in it). Files further apart get a correct but not minimal
// diff: every differing line removed, then every new line added.
const maxEdits = 1500

// contextLines is how many unchanged lines surround each change in a hunk.
const contextLines = 3

// edit is one line of an edit script: kind ' ' (kept), '-' (only in a) or
// '+' (only in b), with the line's index in a (for ' ' and '-') and in b
// (for ' ' and '+').
type edit struct {
	kind byte
	a, b int
}

// lines splits s into lines, each with its "\n" (the last may lack it).
func lines(s string) []string {
	if s == "" {
		return nil
	}
	out := strings.SplitAfter(s, "\n")
	if out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

// editScript returns a shortest edit script from a to b (or, past
// maxEdits, a correct longer one). Common leading and trailing lines are
// matched first, so the search only runs over the part that differs.
func editScript(a, b []string) []edit {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	var out []edit
	for i := 0; i < pre; i++ {
		out = append(out, edit{' ', i, i})
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	mid, ok := myers(ma, mb)
	if !ok {
		mid = mid[:0]
		for i := range ma {
			mid = append(mid, edit{'-', i, 0})
		}
		for j := range mb {
			mid = append(mid, edit{'+', len(ma), j})
		}
	}
	for _, e := range mid {
		out = append(out, edit{e.kind, e.a + pre, e.b + pre})
	}
	for i := 0; i < suf; i++ {
		out = append(out, edit{' ', len(a) - suf + i, len(b) - suf + i})
	}
	return out
}

// myers is Myers' O((N+M)D) greedy algorithm, keeping each round's
// frontier to walk the path back. It gives up (false) past maxEdits.
func myers(a, b []string) ([]edit, bool) {
	n, m := len(a), len(b)
	off := maxEdits + 2
	v := make([]int, 2*off+1)
	var trace [][]int // trace[d]: v[k] for k in [-d-1, d+1] before round d
	for d := 0; d <= n+m; d++ {
		if d > maxEdits {
			return nil, false
		}
		trace = append(trace, append([]int(nil), v[off-d-1:off+d+2]...))
		for k := -d; k <= d; k += 2 {
			x := v[off+k-1] + 1
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = v[off+k+1]
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x, y = x+1, y+1
			}
			v[off+k] = x
			if x >= n && y >= m {
				return backtrack(trace, n, m), true
			}
		}
	}
	return nil, true // not reached: round n+m always ends the search
}

// backtrack walks the rounds of myers back from (n, m) to (0, 0).
func backtrack(trace [][]int, n, m int) []edit {
	var rev []edit
	x, y := n, m
	for d := len(trace) - 1; d >= 0; d-- {
		v := func(k int) int { return trace[d][k+d+1] }
		k := x - y
		prev := k - 1
		if k == -d || (k != d && v(k-1) < v(k+1)) {
			prev = k + 1
		}
		px := v(prev)
		py := px - prev
		for x > px && y > py {
			x, y = x-1, y-1
			rev = append(rev, edit{' ', x, y})
		}
		if d > 0 {
			if x == px {
				rev = append(rev, edit{'+', x, py})
			} else {
				rev = append(rev, edit{'-', px, y})
			}
		}
		x, y = px, py
	}
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	return rev
}

// Unified returns the unified diff of a and b ("--- a/NAME", "+++ b/NAME",
// then hunks with three lines of context), at most maxLines lines of it
// (maxLines <= 0: all), and the number of lines of the whole diff. Equal
// inputs give "" and 0.
func Unified(name, a, b string, maxLines int) (string, int) {
	la, lb := lines(a), lines(b)
	script := editScript(la, lb)
	var out []string
	out = append(out, "--- a"+name+"\n", "+++ b"+name+"\n")
	changed := false
	for start := 0; start < len(script); {
		// Find the next change, then extend the hunk while the gap between
		// changes is at most two contexts.
		first := start
		for first < len(script) && script[first].kind == ' ' {
			first++
		}
		if first == len(script) {
			break
		}
		changed = true
		last := first
		for i := first; i < len(script); i++ {
			if script[i].kind != ' ' {
				last = i
			} else if i-last > 2*contextLines {
				break
			}
		}
		lo, hi := max(first-contextLines, start), min(last+contextLines+1, len(script))
		out = append(out, hunk(script[lo:hi], la, lb)...)
		start = hi
	}
	if !changed {
		return "", 0
	}
	total := len(out)
	if maxLines > 0 && len(out) > maxLines {
		out = out[:maxLines]
	}
	return strings.Join(out, ""), total
}

// hunk renders one hunk: its header and its lines.
func hunk(h []edit, la, lb []string) []string {
	na, nb := 0, 0
	for _, e := range h {
		if e.kind != '+' {
			na++
		}
		if e.kind != '-' {
			nb++
		}
	}
	out := []string{fmt.Sprintf("@@ -%s +%s @@\n", rangeOf(h[0].a, na), rangeOf(h[0].b, nb))}
	for _, e := range h {
		line := ""
		switch e.kind {
		case '+':
			line = lb[e.b]
		default:
			line = la[e.a]
		}
		s := string(e.kind) + line
		if !strings.HasSuffix(line, "\n") {
			s += "\n\\ No newline at end of file\n"
		}
		out = append(out, s)
	}
	return out
}

// rangeOf is a hunk header's "start,count" (1-based; "start" alone for one
// line; an empty range names the line before it, as diff -u does).
func rangeOf(start, n int) string {
	switch n {
	case 0:
		return fmt.Sprintf("%d,0", start)
	case 1:
		return fmt.Sprintf("%d", start+1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}
