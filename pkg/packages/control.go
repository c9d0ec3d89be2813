package packages

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
)

// stanza is one paragraph of a Debian control file: its fields (names as
// written, continuation lines joined with "\n") and its exact text.
type stanza struct {
	fields map[string]string
	text   string
}

// parseControl splits a Debian control-format document (dpkg's status,
// a status.d file) into stanzas. Field names are matched case-insensitively
// by get, as Debian policy says; lines starting with '#' are comments.
func parseControl(data []byte) ([]stanza, error) {
	var out []stanza
	var cur *stanza
	var last string
	var text strings.Builder
	flush := func() {
		if cur != nil {
			cur.text = text.String()
			out = append(out, *cur)
		}
		cur, last = nil, ""
		text.Reset()
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), MaxDatabaseSize)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case strings.TrimSpace(line) == "":
			flush()
			continue
		case line[0] == '#':
			continue
		case line[0] == ' ' || line[0] == '\t':
			if last == "" {
				return nil, fmt.Errorf("line %d: continuation line outside a field", n)
			}
			cur.fields[last] += "\n" + strings.TrimSpace(line)
		default:
			k, v, ok := strings.Cut(line, ":")
			if !ok || k == "" {
				return nil, fmt.Errorf("line %d: %q is not a \"Field: value\" line", n, line)
			}
			if cur == nil {
				cur = &stanza{fields: map[string]string{}}
			}
			last = strings.ToLower(k)
			cur.fields[last] = strings.TrimSpace(v)
		}
		text.WriteString(line)
		text.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	flush()
	return out, nil
}

// get returns field name (any case) of s.
func (s stanza) get(name string) string { return s.fields[strings.ToLower(name)] }
