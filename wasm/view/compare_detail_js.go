//go:build js

package view

import (
	"fmt"
	"slices"
	"strings"

	"honnef.co/go/js/dom/v2"

	"github.com/regscope/regscope/internal/format"
	"github.com/regscope/regscope/pkg/report"
	"github.com/regscope/regscope/wasm/msg"
)

// firstDiffLines is how many lines of unified diff are asked for first;
// each "show more" asks for four times as many.
const firstDiffLines = 400

// compareDetail shows the selected path: its two entries side by side and,
// for files whose content differs, the content diff. It owns the request
// in flight and the line budget.
type compareDetail struct {
	p     *Page
	root  dom.HTMLElement // #compare-detail
	path  string          // the path drawn ("" = none)
	lines int             // unified diff lines asked for
	id    int64           // the content request in flight
}

func newCompareDetail(p *Page) *compareDetail {
	return &compareDetail{p: p, root: elem("div", "id", "compare-detail")}
}

func (d *compareDetail) clear() {
	d.path = ""
	d.cancel()
	d.root.SetTextContent("")
}

func (d *compareDetail) cancel() {
	if d.id != 0 {
		d.p.c.cancel(d.id)
		d.id = 0
	}
}

// show draws path p of comparison r.
func (d *compareDetail) show(r *msg.DiffResult, p string) {
	if p == d.path {
		return
	}
	d.clear()
	i, found := slices.BinarySearchFunc(r.Files, p, func(f msg.DiffFile, p string) int { return strings.Compare(f.Path, p) })
	if p == "" || !found {
		if p != "" {
			d.root.AppendChild(textEl("p", p+" is the same in both images.", "class", "muted"))
		}
		return
	}
	f := r.Files[i]
	d.path, d.lines = p, firstDiffLines
	d.root.SetAttribute("data-path", p)
	add(d.root, textEl("h3", p, "class", "mono"), entriesTable(f))
	isFile := func(e *msg.Entry) bool { return e == nil || e.Type == "file" || e.Type == "hardlink" }
	if isFile(f.A) && isFile(f.B) && (f.Change != "modified" || slices.Contains(f.Fields, "content")) {
		d.root.AppendChild(elem("div", "id", "compare-content"))
		d.ask()
	}
}

// ask requests the content diff with the current line budget.
func (d *compareDetail) ask() {
	d.cancel()
	p := d.path
	d.id = d.p.ask(msg.KindDiffContent, msg.DiffContentRequest{Path: p, MaxLines: d.lines}, func(r reply) {
		d.id = 0
		box := d.root.QuerySelector("#compare-content")
		if p != d.path || box == nil {
			return
		}
		var c report.ContentDiff
		if err := r.decode(&c); err != nil {
			fill(box, textEl("p", "content diff: "+err.Error(), "class", "muted"))
			return
		}
		d.drawContent(box, &c)
	})
}

// drawContent draws a unified diff (with "show more" when capped) or, for
// binaries, digests and the first differing bytes.
func (d *compareDetail) drawContent(box dom.Element, c *report.ContentDiff) {
	box.SetTextContent("")
	side := func(name string, size int64, dg string) dom.Node {
		if size < 0 {
			return textEl("div", name+": no file")
		}
		return textEl("div", fmt.Sprintf("%s: %s · %s", name, format.Size(size), dg), "class", "mono")
	}
	add(box, side("A", c.SizeA, c.DigestA), side("B", c.SizeB, c.DigestB))
	if !c.Text {
		if c.Offset < 0 {
			box.AppendChild(textEl("p", "same bytes"))
			return
		}
		add(box, textEl("p", fmt.Sprintf("binary · first difference at byte %d", c.Offset), "id", "compare-offset"),
			textEl("pre", c.HexA, "class", "hex", "id", "compare-hex-a"), textEl("pre", c.HexB, "class", "hex", "id", "compare-hex-b"))
		return
	}
	pre := elem("pre", "id", "compare-unified", "class", "unified")
	for _, l := range strings.SplitAfter(c.Unified, "\n") {
		if l == "" {
			continue
		}
		class := "ctx"
		switch {
		case strings.HasPrefix(l, "@@"):
			class = "hunk"
		case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"):
			class = "file"
		case strings.HasPrefix(l, "+"):
			class = "add"
		case strings.HasPrefix(l, "-"):
			class = "del"
		}
		pre.AppendChild(span(class, l))
	}
	box.AppendChild(pre)
	if c.Truncated {
		more := button(fmt.Sprintf("show more (%d of %d lines)", d.lines, c.Total), "id", "compare-more")
		listen(d.p.loop, more, "click", func(dom.Event) { d.lines *= 4; d.ask() })
		box.AppendChild(more)
	}
}

// entriesTable puts a path's two entries side by side, differing fields
// marked.
func entriesTable(f msg.DiffFile) dom.Node {
	t := elem("table", "class", "kv compare-entries")
	add(t, add(elem("tr"), textEl("th", ""), textEl("th", "A", "scope", "col"), textEl("th", "B", "scope", "col")))
	cell := func(e *msg.Entry, get func(e *msg.Entry) string) dom.Node {
		if e == nil {
			return textEl("td", "—", "class", "muted")
		}
		return textEl("td", get(e), "class", "mono")
	}
	for _, r := range []struct {
		name, field string
		get         func(e *msg.Entry) string
	}{
		{"type", "type", func(e *msg.Entry) string { return e.Type }},
		{"mode", "mode", func(e *msg.Entry) string { return format.Mode(e.Type, e.Mode) }},
		{"owner", "uid", func(e *msg.Entry) string { return fmt.Sprintf("%d:%d", e.UID, e.GID) }},
		{"size", "size", func(e *msg.Entry) string { return fmt.Sprint(e.Size) }},
		{"link", "link", func(e *msg.Entry) string { return e.Link }},
		{"layer", "", func(e *msg.Entry) string { return fmt.Sprint(e.Layer) }},
	} {
		tr := add(elem("tr"), textEl("th", r.name, "scope", "row"), cell(f.A, r.get), cell(f.B, r.get))
		if r.field != "" && (slices.Contains(f.Fields, r.field) || (r.field == "uid" && slices.Contains(f.Fields, "gid"))) {
			tr.Class().Add("changed")
		}
		t.AppendChild(tr)
	}
	return t
}
