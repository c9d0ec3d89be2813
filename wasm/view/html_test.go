package view

import (
	"strings"
	"testing"

	"github.com/regscope/regscope/wasm/msg"
)

func TestRowHTML(t *testing.T) {
	got := rowHTML(3, msg.Entry{Path: "/etc/<x>", Type: "symlink", Mode: 0o777, Link: "a&b", Layer: 2, UID: 1000, GID: 50, Uname: "app"}, false)
	if strings.Contains(got, "style=") {
		t.Errorf("row has an inline style (the page's CSP refuses it):\n%s", got)
	}
	for _, want := range []string{`data-path="/etc/&lt;x&gt;"`, `>app:50<`, `title="1000:50"`, `lrwxrwxrwx`, `&lt;x&gt;`, `a&amp;b`, `>L2<`, `data-i="3"`} {
		if !strings.Contains(got, want) {
			t.Errorf("row lacks %q:\n%s", want, got)
		}
	}
	del := rowHTML(0, msg.Entry{Path: "/a", Type: "file", Change: "deleted", Layer: 0, By: 3}, false)
	if !strings.Contains(del, "c-deleted") || !strings.Contains(del, "L0 ✗ L3") || !strings.Contains(del, `data-change="deleted"`) {
		t.Errorf("deleted row: %s", del)
	}
}

func TestRowHTMLLayerChanges(t *testing.T) {
	wh := rowHTML(0, msg.Entry{Path: "/tmp/old.txt", Type: "whiteout", Change: "deleted", Layer: 2, By: -1}, true)
	if !strings.Contains(wh, `>deleted</span>`) || strings.Contains(wh, "w---") || strings.Contains(wh, ">0:0<") {
		t.Errorf("a layer's whiteout row: %s", wh)
	}
}

func TestOwner(t *testing.T) {
	tests := []struct {
		e          msg.Entry
		shown, ids string
	}{
		{msg.Entry{UID: 1000, GID: 1000, Uname: "app", Gname: "app"}, "app:app", "1000:1000"},
		{msg.Entry{}, "0:0", "0:0"},
		{msg.Entry{UID: 5, GID: 6, Gname: "staff"}, "5:staff", "5:6"},
	}
	for _, tt := range tests {
		if s, ids := owner(tt.e); s != tt.shown || ids != tt.ids {
			t.Errorf("owner(%+v) = %q, %q; want %q, %q", tt.e, s, ids, tt.shown, tt.ids)
		}
	}
}

func TestTextHTML(t *testing.T) {
	got := textHTML("a<b\n\nc")
	want := `<pre class="text"><span class="ln">a&lt;b` + "\n" + `</span><span class="ln">` + "\n" + `</span><span class="ln">c</span></pre>`
	if got != want {
		t.Errorf("textHTML = %q, want %q", got, want)
	}
}

func TestJSONHTML(t *testing.T) {
	d := "sha256:" + strings.Repeat("ab", 32)
	got := jsonHTML(`{"config":{"digest":"` + d + `"},"x":"<script>"}`)
	if !strings.Contains(got, `data-digest="`+d+`"`) {
		t.Errorf("no digest link: %s", got)
	}
	if strings.Contains(got, "<script>") {
		t.Errorf("unescaped: %s", got)
	}
	if !strings.Contains(jsonHTML("not json <"), "not json &lt;") {
		t.Error("invalid JSON not shown escaped")
	}
}
