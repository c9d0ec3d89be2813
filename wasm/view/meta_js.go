//go:build js

package view

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/regscope/regscope/internal/format"
	"github.com/regscope/regscope/wasm/msg"
)

// drawConfig draws the image config: the run settings, labels, platform and history.
func (a *app) drawConfig() {
	img := a.img
	var c v1.Image
	if err := json.Unmarshal([]byte(img.Config.Body), &c); err != nil {
		a.el("panel-config").SetInnerHTML(`<p class="muted">config: ` + esc(err.Error()) + `</p>`)
		return
	}
	var b strings.Builder
	row := func(k, v string) {
		if v == "" {
			return
		}
		fmt.Fprintf(&b, `<tr><th>%s</th><td class="mono">%s</td></tr>`, esc(k), v)
	}
	list := func(xs []string) string {
		if len(xs) == 0 {
			return ""
		}
		var s strings.Builder
		for _, x := range xs {
			fmt.Fprintf(&s, `<div>%s</div>`, esc(x))
		}
		return s.String()
	}
	keys := func(m map[string]struct{}) []string {
		var ks []string
		for k := range m {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		return ks
	}
	jsonList := func(xs []string) string {
		if xs == nil {
			return ""
		}
		j, _ := json.Marshal(xs)
		return esc(string(j))
	}
	b.WriteString(`<h3>Config</h3><table class="kv">`)
	plat := c.OS + "/" + c.Architecture
	if c.Variant != "" {
		plat += "/" + c.Variant
	}
	row("platform", esc(plat))
	if c.Created != nil && !c.Created.IsZero() {
		row("created", esc(c.Created.UTC().Format("2006-01-02 15:04:05 UTC")))
	}
	row("author", esc(c.Author))
	row("digest", fmt.Sprintf(`%s <span class="muted">%s</span>`, esc(img.Config.Digest), format.Size(img.Config.Size)))
	cfg := c.Config
	row("entrypoint", jsonList(cfg.Entrypoint))
	row("cmd", jsonList(cfg.Cmd))
	row("workdir", esc(cfg.WorkingDir))
	row("user", esc(cfg.User))
	row("env", list(cfg.Env))
	row("ports", list(keys(cfg.ExposedPorts)))
	row("volumes", list(keys(cfg.Volumes)))
	row("stop signal", esc(cfg.StopSignal))
	if len(cfg.Labels) > 0 {
		var ls []string
		for k, v := range cfg.Labels {
			ls = append(ls, k+"="+v)
		}
		sort.Strings(ls)
		row("labels", list(ls))
	}
	var diffs []string
	for i, d := range c.RootFS.DiffIDs {
		diffs = append(diffs, fmt.Sprintf(`<div><a href="#" data-goto-layer="%d">L%d</a> %s</div>`, i, i, esc(string(d))))
	}
	row("diff_ids", strings.Join(diffs, ""))
	b.WriteString(`</table>`)

	b.WriteString(`<h3>History</h3><table class="hist-table"><thead><tr><th>layer</th><th>created</th><th>created by</th><th>comment</th></tr></thead><tbody>`)
	layer := 0
	for _, h := range c.History {
		l := `<span class="muted">empty</span>`
		if !h.EmptyLayer {
			l = fmt.Sprintf(`<a href="#" data-goto-layer="%d">L%d</a>`, layer, layer)
			layer++
		}
		created := ""
		if h.Created != nil && !h.Created.IsZero() {
			created = h.Created.UTC().Format("2006-01-02 15:04")
		}
		fmt.Fprintf(&b, `<tr><td>%s</td><td class="nowrap">%s</td><td class="mono cmd-full">%s</td><td>%s</td></tr>`, l, esc(created), esc(h.CreatedBy), esc(h.Comment))
	}
	b.WriteString(`</tbody></table>`)
	b.WriteString(`<h3>Raw</h3>` + jsonHTML(img.Config.Body))
	a.el("panel-config").SetInnerHTML(b.String())
}

// drawManifest draws the index (with its platforms) and the manifest as
// pretty JSON whose digests are links.
func (a *app) drawManifest() {
	img := a.img
	var b strings.Builder
	fmt.Fprintf(&b, `<p class="mono">%s</p>`, esc(img.Pinned))
	if img.Index != nil {
		fmt.Fprintf(&b, `<h3>Index <span class="muted mono">%s · %s</span></h3>`, esc(img.Index.Digest), esc(img.Index.MediaType))
		b.WriteString(`<div class="plats">platforms:`)
		for _, p := range img.Platforms {
			cls := ""
			if p == img.Platform {
				cls = " cur"
			}
			fmt.Fprintf(&b, ` <span class="plat%s">%s</span>`, cls, esc(p))
		}
		b.WriteString(`</div>`)
		b.WriteString(jsonHTML(img.Index.Body))
	}
	fmt.Fprintf(&b, `<h3 id="manifest-section">Manifest <span class="muted mono">%s · %s · %s</span></h3>`, esc(img.Manifest.Digest), esc(img.Manifest.MediaType), format.Size(img.Manifest.Size))
	b.WriteString(jsonHTML(img.Manifest.Body))
	a.el("panel-manifest").SetInnerHTML(b.String())
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
