// Package view is the page's main-thread half: it draws the DOM (with
// honnef.co/go/js/dom/v2, from nodes: never HTML strings) and asks the
// engine, in a Web Worker, for everything it shows. Files without a build
// tag hold the pure pieces (what a row, a note or a JSON document says,
// tested natively); the *_js.go files talk to the browser. page_js.go
// says how the page is put together and how to add a view.
package view

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/regscope/regscope/internal/format"
	"github.com/regscope/regscope/wasm/msg"
)

// row is what one row of a file list (a directory, a layer's changes or
// search results) shows, as text.
type row struct {
	Class      string // "row t-TYPE[ c-CHANGE]"
	Mode, Own  string // "" for whiteout and opaque markers: their mode and owner mean nothing
	IDs        string // numeric "uid:gid", the owner's tooltip
	Size       string // files and hardlinks only
	Name       string // base name (full path with fullPath), "/" after a directory
	Link       string // " → target" for a symlink, " ⇒ target" for a hardlink
	Note, Tip  string // the layer column: "L2", "L0 ✗ L3", "added"… and its tooltip
	Marker     bool   // a whiteout or opaque marker
	Selectable bool   // the row has content to open
}

// rowOf describes entry e; fullPath shows the whole path as its name.
func rowOf(e msg.Entry, fullPath bool) row {
	r := row{Class: "row t-" + e.Type, Name: path.Base(e.Path), Selectable: e.Change == ""}
	if fullPath || e.Path == "/" {
		r.Name = e.Path
	}
	if e.Change != "" {
		r.Class += " c-" + e.Change
	}
	if e.Type == "dir" || e.Type == "opaque" {
		r.Name += "/"
	}
	r.Marker = e.Type == "whiteout" || e.Type == "opaque"
	if !r.Marker {
		r.Mode = format.Mode(e.Type, e.Mode)
		r.Own, r.IDs = owner(e)
	}
	if e.Type == "file" || e.Type == "hardlink" {
		r.Size = format.Size(e.Size)
	}
	if e.Link != "" {
		arrow := " → "
		if e.Type == "hardlink" {
			arrow = " ⇒ "
		}
		r.Link = arrow + e.Link
	}
	r.Note, r.Tip = layerNote(e)
	return r
}

// layerNote is the layer column of a row and its tooltip.
func layerNote(e msg.Entry) (note, tip string) {
	switch e.Change {
	case "deleted", "overwritten":
		if e.By >= 0 {
			return fmt.Sprintf("L%d ✗ L%d", e.Layer, e.By), fmt.Sprintf("from layer %d, %s by layer %d", e.Layer, e.Change, e.By)
		}
		return e.Change, fmt.Sprintf("layer %d: %s", e.Layer, e.Change) // a layer's own whiteout
	case "added", "modified", "opaque":
		return e.Change, fmt.Sprintf("layer %d: %s", e.Layer, e.Change)
	}
	return fmt.Sprintf("L%d", e.Layer), fmt.Sprintf("provided by layer %d", e.Layer)
}

// owner is how an entry's owner reads: user and group names where the tar
// header carried them, numbers otherwise ("app:app", "0:0", "app:1000"),
// and the numeric "uid:gid" for a tooltip.
func owner(e msg.Entry) (shown, ids string) {
	ids = fmt.Sprintf("%d:%d", e.UID, e.GID)
	u, g := e.Uname, e.Gname
	if u == "" {
		u = fmt.Sprint(e.UID)
	}
	if g == "" {
		g = fmt.Sprint(e.GID)
	}
	return u + ":" + g, ids
}

// plural is "1 entry", "2 entries".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// lines splits text into lines, each with its newline (the last may lack
// one), so that joining them gives the text back.
func lines(s string) []string {
	var out []string
	for len(s) > 0 {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			return append(out, s)
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}

// jsonPart is a run of a pretty-printed JSON document: plain text, or a
// digest (the text between quotes) the view makes a link.
type jsonPart struct {
	Text   string
	Digest bool
}

var digestRE = regexp.MustCompile(`"(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})"`)

// jsonParts pretty-prints a JSON document (as it is, if it does not parse)
// and splits out every digest string, so the view can link each to the
// layer, config or manifest it names.
func jsonParts(body string) []jsonPart {
	var buf bytes.Buffer
	if err := json.Indent(&buf, []byte(body), "", "  "); err != nil {
		return []jsonPart{{Text: body}}
	}
	s := buf.String()
	var parts []jsonPart
	at := 0
	for _, m := range digestRE.FindAllStringSubmatchIndex(s, -1) {
		parts = append(parts, jsonPart{Text: s[at:m[2]]}, jsonPart{Text: s[m[2]:m[3]], Digest: true})
		at = m[3]
	}
	return append(parts, jsonPart{Text: s[at:]})
}

// shortCmd trims Dockerfile boilerplate from a history command.
func shortCmd(s string) string {
	s = strings.TrimPrefix(s, "/bin/sh -c ")
	s = strings.TrimPrefix(s, "#(nop) ")
	s = strings.TrimSpace(s)
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}

// historyLine says what a later layer did to a path ("" for nothing to say).
func historyLine(c msg.Change) string {
	switch c.Kind {
	case "modified":
		if c.Entry != nil {
			return fmt.Sprintf("layer %d overwrote the version from layer %d (%s, %s)", c.Layer, c.Entry.Layer, c.Entry.Type, format.Size(c.Entry.Size))
		}
	case "deleted":
		return fmt.Sprintf("layer %d deleted an earlier version", c.Layer)
	case "added":
		return fmt.Sprintf("layer %d created it again", c.Layer)
	}
	return ""
}

// stillLoading says which layers of total are not merged yet, merged being
// how many are: "layers 3–5 still loading", "layer 5 still loading".
func stillLoading(merged, total int) string {
	if merged >= total-1 {
		return fmt.Sprintf("layer %d still loading", total-1)
	}
	return fmt.Sprintf("layers %d–%d still loading", merged, total-1)
}
