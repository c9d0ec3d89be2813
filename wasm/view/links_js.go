//go:build js

package view

import (
	"encoding/json"
	"strconv"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	"honnef.co/go/js/dom/v2"

	"github.com/regscope/regscope/wasm/msg"
	"github.com/regscope/regscope/wasm/urlstate"
)

// linksIn makes the in-page links of a panel work, by their attributes:
// data-copy (copy the value), data-digest (open what the digest names),
// data-open-path (open the file), data-goto-layer and a click on a layer's
// table row (select the layer).
func (p *Page) linksIn(panel dom.Element) {
	listen(p.loop, panel, "click", func(ev dom.Event) {
		t := ev.Target()
		if t == nil {
			return
		}
		switch {
		case t.GetAttribute("data-copy") != "":
			copyText(t.GetAttribute("data-copy"))
			t.SetTextContent("✓")
		case t.GetAttribute("data-digest") != "":
			p.followDigest(t.GetAttribute("data-digest"))
		case t.GetAttribute("data-open-path") != "":
			f := t.GetAttribute("data-open-path")
			p.navigate(func(s *urlstate.State) { s.View, s.Path = urlstate.ViewFiles, f })
		case t.GetAttribute("data-goto-layer") != "":
			p.gotoLayer(t.GetAttribute("data-goto-layer"))
		case t.Closest("tr.layer") != nil:
			p.gotoLayer(t.Closest("tr.layer").GetAttribute("data-layer"))
		}
	})
}

// gotoLayer selects layer n (a decimal string) in the layers view.
func (p *Page) gotoLayer(n string) {
	i, err := strconv.Atoi(n)
	if err == nil {
		p.navigate(func(s *urlstate.State) { s.View, s.Layer = urlstate.ViewLayers, i })
	}
}

// followDigest opens what a digest names: a layer, the config, the manifest,
// or (from an index) another platform's image.
func (p *Page) followDigest(d string) {
	img := p.image()
	if img == nil {
		return
	}
	for _, l := range img.Layers {
		if l.Digest == d || l.DiffID == d {
			p.navigate(func(s *urlstate.State) { s.View, s.Layer = urlstate.ViewLayers, l.Index })
			return
		}
	}
	switch d {
	case img.Config.Digest:
		p.navigate(func(s *urlstate.State) { s.View = urlstate.ViewConfig })
		return
	case img.Manifest.Digest, img.Digest:
		p.navigate(func(s *urlstate.State) { s.View = urlstate.ViewManifest })
		p.el("manifest-section").Underlying().Call("scrollIntoView")
		return
	}
	if plat := indexPlatform(img, d); plat != "" {
		p.navigate(func(s *urlstate.State) { s.Platform, s.View, s.Layer = plat, urlstate.ViewManifest, -1 })
	}
}

// indexPlatform returns the platform of the index entry with digest d.
func indexPlatform(img *msg.PullResult, d string) string {
	if img.Index == nil {
		return ""
	}
	var idx v1.Index
	if json.Unmarshal([]byte(img.Index.Body), &idx) != nil {
		return ""
	}
	for _, m := range idx.Manifests {
		if string(m.Digest) == d && m.Platform != nil {
			p := m.Platform.OS + "/" + m.Platform.Architecture
			if m.Platform.Variant != "" {
				p += "/" + m.Platform.Variant
			}
			return p
		}
	}
	return ""
}

// jsonBlock pretty-prints a JSON document with every digest a link.
func jsonBlock(body string) dom.Element {
	pre := elem("pre", "class", "json", "tabindex", "0")
	for _, part := range jsonParts(body) {
		if part.Digest {
			pre.AppendChild(link(part.Text, "class", "digest", "data-digest", part.Text))
		} else {
			pre.AppendChild(textNode(part.Text))
		}
	}
	return pre
}
