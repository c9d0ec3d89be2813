//go:build js

package view

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"honnef.co/go/js/dom/v2"

	"github.com/regscope/regscope/wasm/msg"
	"github.com/regscope/regscope/wasm/urlstate"
)

// packagesView is the "packages" tab: the dpkg, apk and rpm packages of the
// merged filesystem, filterable and sortable, with the layer that installed
// or last changed each (a link to the layer) and, on demand, the files the
// database lists (links to the files).
//
// Test hooks: #packages[data-state=loading|done|error, data-count]; one
// tr.pkg[data-name, data-version, data-arch, data-source, data-manager,
// data-layer] per shown package; th[data-sort=KEY]; #packages-filter.
type packagesView struct {
	p      *Page
	filter dom.HTMLElement
	out    dom.HTMLElement
	img    *msg.PullResult
	asked  bool
	id     int64
	pkgs   []msg.Package
	by     string // sort key: a column name
	desc   bool
	open   map[string]bool // packages whose files are shown, by name/arch/manager
}

func newPackagesView(p *Page) *packagesView { return &packagesView{p: p, by: "name"} }

func (v *packagesView) Name() string  { return urlstate.ViewPackages }
func (v *packagesView) Label() string { return "Packages" }

func (v *packagesView) Mount(panel dom.HTMLElement) {
	v.filter = elem("input", "type", "search", "id", "packages-filter", "placeholder", "filter packages (name, version, source)",
		"spellcheck", "false", "aria-label", "filter packages")
	v.out = elem("div", "id", "packages", "data-state", "idle")
	add(panel, v.filter, v.out)
	listen(v.p.loop, v.filter, "input", func(dom.Event) { v.draw() })
	listen(v.p.loop, v.out, "click", func(ev dom.Event) {
		t := ev.Target()
		switch {
		case t == nil:
		case t.GetAttribute("data-sort") != "":
			key := t.GetAttribute("data-sort")
			v.desc = key == v.by && !v.desc
			v.by = key
			v.draw()
		case t.GetAttribute("data-files") != "":
			k := t.GetAttribute("data-files")
			v.open[k] = !v.open[k]
			v.draw()
		}
	})
	v.p.linksIn(v.out)
}

func (v *packagesView) Load(img *msg.PullResult) {
	v.img, v.asked, v.id, v.pkgs, v.open = img, false, 0, nil, map[string]bool{}
	v.out.SetAttribute("data-state", "idle")
	v.out.SetTextContent("")
}

func (v *packagesView) Show(urlstate.State) {
	if v.img == nil || v.asked {
		return
	}
	v.asked = true
	v.out.SetAttribute("data-state", "loading")
	fill(v.out, textEl("p", "reading package databases…", "class", "muted"))
	var id int64
	id = v.p.ask(msg.KindPackages, nil, func(r reply) {
		if id != v.id {
			return
		}
		var res msg.PackagesResult
		if err := r.decode(&res); err != nil {
			v.out.SetAttribute("data-state", "error")
			fill(v.out, textEl("p", "packages: "+err.Error(), "class", "error-line"))
			return
		}
		v.pkgs = res.Packages
		v.draw()
		v.out.SetAttribute("data-state", "done")
	})
	v.id = id
}

// packageColumns are the table's sortable columns, each its own sort key.
func packageColumns() []string {
	return []string{"name", "version", "arch", "source", "manager", "layer"}
}

// field is a package's value for a column.
func field(p msg.Package, col string) string {
	switch col {
	case "version":
		return p.Version
	case "arch":
		return p.Arch
	case "source":
		return p.Source
	case "manager":
		return p.Manager
	case "layer":
		return fmt.Sprintf("%06d", p.Layer+1) // numeric order; -1 (unknown) first
	}
	return p.Name
}

func pkgKey(p msg.Package) string { return p.Manager + "/" + p.Name + "/" + p.Arch }

// draw shows the packages the filter keeps, in the chosen order.
func (v *packagesView) draw() {
	if v.pkgs == nil {
		return
	}
	q := strings.ToLower(strings.TrimSpace(value(v.filter)))
	var shown []msg.Package
	for _, p := range v.pkgs {
		if q == "" || strings.Contains(strings.ToLower(p.Name+" "+p.Version+" "+p.Source+" "+p.Arch), q) {
			shown = append(shown, p)
		}
	}
	sort.SliceStable(shown, func(i, j int) bool {
		a, b := field(shown[i], v.by), field(shown[j], v.by)
		if v.desc {
			return a > b
		}
		return a < b
	})
	v.out.SetAttribute("data-count", strconv.Itoa(len(shown)))
	if len(v.pkgs) == 0 {
		fill(v.out, textEl("p", "no package database found (dpkg: /var/lib/dpkg/status, status.d; apk: /lib/apk/db/installed; rpm: rpmdb.sqlite in /usr/lib/sysimage/rpm or /var/lib/rpm)", "class", "muted"))
		return
	}
	head := elem("tr")
	for _, c := range packageColumns() {
		label := c
		if c == v.by {
			label += map[bool]string{false: " ▲", true: " ▼"}[v.desc]
		}
		head.AppendChild(add(elem("th"), link(label, "data-sort", c)))
	}
	head.AppendChild(textEl("th", "files"))
	t := add(elem("table", "id", "packages-table"), head)
	for _, p := range shown {
		v.row(t, p)
	}
	fill(v.out, textEl("p", fmt.Sprintf("%d of %d packages", len(shown), len(v.pkgs)), "class", "muted"), t)
}

// row appends a package's row and, when opened, the row of its files.
func (v *packagesView) row(t dom.Element, p msg.Package) {
	layer := textEl("td", "?", "title", "unknown")
	if p.Layer >= 0 {
		layer = add(elem("td"), layerLink(p.Layer)).(dom.HTMLElement)
	}
	files := textEl("td", "—", "class", "muted")
	if len(p.Files) > 0 {
		files = add(elem("td"), link(fmt.Sprintf("%d files", len(p.Files)), "data-files", pkgKey(p))).(dom.HTMLElement)
	}
	t.AppendChild(add(elem("tr", "class", "pkg", "data-name", p.Name, "data-version", p.Version, "data-arch", p.Arch,
		"data-source", p.Source, "data-manager", p.Manager, "data-layer", strconv.Itoa(p.Layer), "title", p.DB),
		textEl("td", p.Name), textEl("td", p.Version, "class", "mono"), textEl("td", p.Arch), textEl("td", p.Source),
		textEl("td", p.Manager), layer, files))
	if !v.open[pkgKey(p)] {
		return
	}
	list := elem("ul", "class", "pkg-files mono")
	for _, f := range p.Files {
		list.AppendChild(add(elem("li"), link(f, "data-open-path", f)))
	}
	t.AppendChild(add(elem("tr", "class", "pkg-files-row"), add(elem("td", "colspan", "7"), list)))
}
