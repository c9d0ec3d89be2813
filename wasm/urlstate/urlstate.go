// Package urlstate reads and writes the page's shareable state, which lives
// in the URL's query:
//
//	/?image=REF[&platform=OS/ARCH[/VARIANT]][&compare=REF][&compare-platform=OS/ARCH[/VARIANT]][&path=/abs/path][&layer=N][&view=NAME]
//	/?local=FILE[&platform=…][&path=…][&layer=N][&view=NAME]
//	…[&relay=URL] on a static copy of the page, kept by every link it makes
//
// With compare= the default view is the comparison ("compare"); the files
// of image A are then view=files.
//
// local names a file opened in the tab (dropped or chosen): the link says
// so, but cannot carry the file.
//
// Format writes the parameters in that fixed order and leaves '/', ':' and
// '@' unescaped (RFC 3986 allows them in a query), so links stay readable.
package urlstate

import (
	"net/url"
	"path"
	"strconv"
	"strings"
)

// The views a URL may name in view=; the empty View means ViewFiles. The
// page draws one tab per view it registers (see wasm/view); a URL naming a
// view this copy of the page does not draw shows the files.
const (
	ViewFiles    = "files"
	ViewLayers   = "layers"
	ViewConfig   = "config"
	ViewManifest = "manifest"
	ViewSupply   = "supply"
	ViewPackages = "packages"
	ViewCompare  = "compare"
)

// KnownView reports whether v is one of the view names above.
func KnownView(v string) bool {
	switch v {
	case ViewFiles, ViewLayers, ViewConfig, ViewManifest, ViewSupply, ViewPackages, ViewCompare:
		return true
	}
	return false
}

// State is what a link reproduces.
type State struct {
	Image    string // image reference as typed or pinned; "" = start screen (or a local file)
	Local    string // name of a local file opened in this tab, instead of Image; "" = none
	Platform string // "" = the default (linux/amd64) or the only one
	Compare  string // a second image reference to compare Image with; "" = none
	// ComparePlatform is Compare's platform; "" = Platform.
	ComparePlatform string
	Path            string // absolute path of the selected file or directory; "" = "/"
	Layer           int    // selected layer; -1 = none
	View            string // one of Views; "" = "files"
	// Relay is the relay a static copy of the page was opened with
	// (?relay=URL, see wasm/fetch.ChooseRelay); it stays in every link the
	// page makes, so that reloading or sharing keeps it. "" = none.
	Relay string
}

// Parse reads a state from a URL query (with or without the leading '?').
// Unknown parameters are ignored; malformed ones fall back to their defaults.
func Parse(query string) State {
	q, _ := url.ParseQuery(strings.TrimPrefix(query, "?"))
	s := State{Image: strings.TrimSpace(q.Get("image")), Platform: q.Get("platform"),
		Compare: strings.TrimSpace(q.Get("compare")), ComparePlatform: q.Get("compare-platform"), Local: q.Get("local"), Relay: q.Get("relay"), Layer: -1}
	if s.Local != "" {
		s.Image, s.Compare, s.ComparePlatform = "", "", ""
	}
	if p := q.Get("path"); p != "" {
		s.Path = path.Clean("/" + p)
	}
	if n, err := strconv.Atoi(q.Get("layer")); err == nil && n >= 0 {
		s.Layer = n
	}
	if v := q.Get("view"); KnownView(v) && v != ViewFiles {
		s.View = v
	}
	if s.Compare != "" && q.Get("view") == "" {
		s.View = ViewCompare
	} else if s.Compare == "" && s.View == ViewCompare {
		s.View = ""
	}
	return s
}

// Format writes the state as a query string starting with '?', or "" for the
// empty state. Defaults are omitted.
func (s State) Format() string {
	var b strings.Builder
	add := func(k, v string) {
		if b.Len() == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(escape(v))
	}
	if s.Local != "" {
		add("local", s.Local)
	} else if s.Image != "" {
		add("image", s.Image)
	}
	if s.Platform != "" {
		add("platform", s.Platform)
	}
	if s.Compare != "" {
		add("compare", s.Compare)
	}
	if s.Compare != "" && s.ComparePlatform != "" {
		add("compare-platform", s.ComparePlatform)
	}
	if s.Path != "" && s.Path != "/" {
		add("path", s.Path)
	}
	if s.Layer >= 0 {
		add("layer", strconv.Itoa(s.Layer))
	}
	switch {
	case s.Compare != "" && s.View == ViewCompare:
	case s.Compare != "" && s.View == "":
		add("view", ViewFiles)
	case s.View != "" && s.View != ViewFiles:
		add("view", s.View)
	}
	if s.Relay != "" {
		add("relay", s.Relay)
	}
	return b.String()
}

// escape query-escapes v but keeps '/', ':' and '@' readable.
func escape(v string) string {
	e := url.QueryEscape(v)
	return strings.NewReplacer("%2F", "/", "%3A", ":", "%40", "@").Replace(e)
}
