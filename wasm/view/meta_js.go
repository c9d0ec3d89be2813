//go:build js

package view

import (
	"encoding/json"
	"sort"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	"honnef.co/go/js/dom/v2"

	"github.com/regscope/regscope/internal/format"
	"github.com/regscope/regscope/wasm/msg"
	"github.com/regscope/regscope/wasm/urlstate"
)

// configView is the "config" tab: the image config's run settings, labels,
// platform and history, then the raw JSON. It draws once per image.
type configView struct {
	p     *Page
	panel dom.HTMLElement
}

func newConfigView(p *Page) *configView { return &configView{p: p} }

func (c *configView) Name() string  { return urlstate.ViewConfig }
func (c *configView) Label() string { return "Config" }
func (c *configView) Mount(panel dom.HTMLElement) {
	c.panel = panel
	c.p.linksIn(panel)
}
func (c *configView) Show(urlstate.State) {}

func (c *configView) Load(img *msg.PullResult) {
	c.panel.SetTextContent("")
	if img == nil {
		return
	}
	var cfg v1.Image
	if err := json.Unmarshal([]byte(img.Config.Body), &cfg); err != nil {
		fill(c.panel, textEl("p", "config: "+err.Error(), "class", "muted"))
		return
	}
	add(c.panel, textEl("h2", "Config"), configTable(img, &cfg),
		textEl("h2", "History"), historyTable(&cfg),
		textEl("h2", "Raw"), jsonBlock(img.Config.Body))
}

// kv is a two-column table of settings; rows with no value are left out.
type kv struct{ t dom.Element }

func newKV() kv { return kv{elem("table", "class", "kv")} }

// row adds a setting whose value is text.
func (k kv) row(name, value string) {
	if value != "" {
		k.rowOf(name, textNode(value))
	}
}

// rowOf adds a setting whose value is nodes.
func (k kv) rowOf(name string, value ...dom.Node) {
	k.t.AppendChild(add(elem("tr"), textEl("th", name, "scope", "row"), add(elem("td", "class", "mono"), value...)))
}

// list adds a setting with one value per line.
func (k kv) list(name string, xs []string) {
	if len(xs) == 0 {
		return
	}
	vs := make([]dom.Node, len(xs))
	for i, x := range xs {
		vs[i] = textEl("div", x)
	}
	k.rowOf(name, vs...)
}

// configTable is the config's settings.
func configTable(img *msg.PullResult, c *v1.Image) dom.Element {
	k := newKV()
	plat := c.OS + "/" + c.Architecture
	if c.Variant != "" {
		plat += "/" + c.Variant
	}
	k.row("platform", plat)
	if c.Created != nil && !c.Created.IsZero() {
		k.row("created", c.Created.UTC().Format("2006-01-02 15:04:05 UTC"))
	}
	k.row("author", c.Author)
	k.rowOf("digest", textNode(img.Config.Digest+" "), span("muted", format.Size(img.Config.Size)))
	cfg := c.Config
	k.row("entrypoint", jsonList(cfg.Entrypoint))
	k.row("cmd", jsonList(cfg.Cmd))
	k.row("workdir", cfg.WorkingDir)
	k.row("user", cfg.User)
	k.list("env", cfg.Env)
	k.list("ports", sortedKeys(cfg.ExposedPorts))
	k.list("volumes", sortedKeys(cfg.Volumes))
	k.row("stop signal", cfg.StopSignal)
	var labels []string
	for name, v := range cfg.Labels {
		labels = append(labels, name+"="+v)
	}
	sort.Strings(labels)
	k.list("labels", labels)
	if len(c.RootFS.DiffIDs) > 0 {
		var diffs []dom.Node
		for i, d := range c.RootFS.DiffIDs {
			diffs = append(diffs, add(elem("div"), layerLink(i), textNode(" "+string(d))))
		}
		k.rowOf("diff_ids", diffs...)
	}
	return k.t
}

// historyTable is the config's history, each step linked to its layer.
func historyTable(c *v1.Image) dom.Element {
	head := elem("tr")
	for _, h := range []string{"layer", "created", "created by", "comment"} {
		head.AppendChild(textEl("th", h, "scope", "col"))
	}
	body := elem("tbody")
	layer := 0
	for _, h := range c.History {
		var l dom.Node = span("muted", "empty")
		if !h.EmptyLayer {
			l = layerLink(layer)
			layer++
		}
		created := ""
		if h.Created != nil && !h.Created.IsZero() {
			created = h.Created.UTC().Format("2006-01-02 15:04")
		}
		body.AppendChild(add(elem("tr"), add(elem("td"), l), textEl("td", created, "class", "nowrap"),
			textEl("td", h.CreatedBy, "class", "mono cmd-full"), textEl("td", h.Comment)))
	}
	return add(elem("table", "class", "hist-table"), add(elem("thead"), head), body)
}

// jsonList writes a command line as JSON, "" for none.
func jsonList(xs []string) string {
	if xs == nil {
		return ""
	}
	j, _ := json.Marshal(xs)
	return string(j)
}

func sortedKeys(m map[string]struct{}) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// manifestView is the "manifest" tab: the index (with its platforms) and
// the manifest as pretty JSON whose digests are links.
type manifestView struct {
	p     *Page
	panel dom.HTMLElement
}

func newManifestView(p *Page) *manifestView { return &manifestView{p: p} }

func (m *manifestView) Name() string  { return urlstate.ViewManifest }
func (m *manifestView) Label() string { return "Manifest" }
func (m *manifestView) Mount(panel dom.HTMLElement) {
	m.panel = panel
	m.p.linksIn(panel)
}
func (m *manifestView) Show(urlstate.State) {}

func (m *manifestView) Load(img *msg.PullResult) {
	m.panel.SetTextContent("")
	if img == nil {
		return
	}
	m.panel.AppendChild(textEl("p", img.Pinned, "class", "mono"))
	if img.Index != nil {
		plats := add(elem("div", "class", "plats"), textNode("platforms:"))
		for _, pl := range img.Platforms {
			cls := "plat"
			if pl == img.Platform {
				cls += " cur"
			}
			add(plats, textNode(" "), span(cls, pl))
		}
		add(m.panel, add(elem("h2"), textNode("Index "), span("muted mono", img.Index.Digest+" · "+img.Index.MediaType)),
			plats, jsonBlock(img.Index.Body))
	}
	h := add(elem("h2", "id", "manifest-section"), textNode("Manifest "),
		span("muted mono", img.Manifest.Digest+" · "+img.Manifest.MediaType+" · "+format.Size(img.Manifest.Size)))
	add(m.panel, h, jsonBlock(img.Manifest.Body))
}
