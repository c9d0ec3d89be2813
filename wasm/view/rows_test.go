package view

import (
	"reflect"
	"strings"
	"testing"

	"github.com/regscope/regscope/wasm/msg"
)

func TestRowOf(t *testing.T) {
	got := rowOf(msg.Entry{Path: "/etc/<x>", Type: "symlink", Mode: 0o777, Link: "a&b", Layer: 2, UID: 1000, GID: 50, Uname: "app"}, false)
	want := row{Class: "row t-symlink", Mode: "lrwxrwxrwx", Own: "app:50", IDs: "1000:50", Name: "<x>", Link: " → a&b",
		Note: "L2", Tip: "provided by layer 2", Selectable: true}
	if got != want {
		t.Errorf("rowOf(symlink) = %+v, want %+v", got, want)
	}
	del := rowOf(msg.Entry{Path: "/a", Type: "file", Change: "deleted", Layer: 0, By: 3}, false)
	if del.Class != "row t-file c-deleted" || del.Note != "L0 ✗ L3" || del.Tip != "from layer 0, deleted by layer 3" || del.Selectable {
		t.Errorf("deleted row: %+v", del)
	}
	dir := rowOf(msg.Entry{Path: "/usr/lib", Type: "dir", Layer: 1}, true)
	if dir.Name != "/usr/lib/" || dir.Size != "" {
		t.Errorf("directory row with full path: %+v", dir)
	}
	hard := rowOf(msg.Entry{Path: "/b", Type: "hardlink", Link: "/a", Size: 2048}, false)
	if hard.Link != " ⇒ /a" || hard.Size == "" {
		t.Errorf("hardlink row: %+v", hard)
	}
}

func TestRowOfLayerChanges(t *testing.T) {
	wh := rowOf(msg.Entry{Path: "/tmp/old.txt", Type: "whiteout", Change: "deleted", Layer: 2, By: -1}, true)
	if wh.Note != "deleted" || wh.Tip != "layer 2: deleted" || wh.Mode != "" || wh.Own != "" || !wh.Marker {
		t.Errorf("a layer's whiteout row: %+v", wh)
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

func TestLines(t *testing.T) {
	for _, s := range []string{"", "a", "a\n", "a<b\n\nc", "\n\n"} {
		ls := lines(s)
		if strings.Join(ls, "") != s {
			t.Errorf("lines(%q) = %q: does not join back", s, ls)
		}
	}
	if got, want := lines("a<b\n\nc"), []string{"a<b\n", "\n", "c"}; !reflect.DeepEqual(got, want) {
		t.Errorf("lines = %q, want %q", got, want)
	}
}

func TestJSONParts(t *testing.T) {
	d := "sha256:" + strings.Repeat("ab", 32)
	e := "sha256:" + strings.Repeat("cd", 32)
	got := jsonParts(`{"a":"` + d + `","b":["` + e + `"],"x":"<script>"}`)
	var text strings.Builder
	var digests []string
	for _, p := range got {
		text.WriteString(p.Text)
		if p.Digest {
			digests = append(digests, p.Text)
		}
	}
	want := "{\n  \"a\": \"" + d + "\",\n  \"b\": [\n    \"" + e + "\"\n  ],\n  \"x\": \"<script>\"\n}"
	if text.String() != want {
		t.Errorf("jsonParts text = %q, want %q", text.String(), want)
	}
	if !reflect.DeepEqual(digests, []string{d, e}) {
		t.Errorf("digests = %q, want %q", digests, []string{d, e})
	}
	if got := jsonParts("not json <"); len(got) != 1 || got[0].Text != "not json <" || got[0].Digest {
		t.Errorf("invalid JSON: %+v", got)
	}
}

func TestStillLoading(t *testing.T) {
	for _, tc := range []struct {
		merged, total int
		want          string
	}{{3, 6, "layers 3–5 still loading"}, {5, 6, "layer 5 still loading"}, {0, 2, "layers 0–1 still loading"}} {
		if got := stillLoading(tc.merged, tc.total); got != tc.want {
			t.Errorf("stillLoading(%d, %d) = %q, want %q", tc.merged, tc.total, got, tc.want)
		}
	}
}
