//go:build js

package view

import (
	"fmt"
	"strconv"
	"strings"

	"honnef.co/go/js/dom/v2"

	"github.com/regscope/regscope/internal/format"
	"github.com/regscope/regscope/wasm/msg"
)

// attestationBox shows one attestation or SBOM: what it is, whether its
// subject is this image, the DSSE signature's check, provenance or the SBOM's
// packages (a searchable table), and the raw JSON.
func attestationBox(p *Page, a msg.Attestation) dom.Element {
	what := a.PredicateType
	if what == "" {
		what = a.MediaType
	}
	box := elem("section", "class", "attestation", "data-predicate", what, "data-subject-match", strconv.FormatBool(a.SubjectMatch),
		"data-referrer", a.Referrer, "data-layer", a.Layer)
	add(box, textEl("h3", what), textEl("p", fmt.Sprintf("%s · in %s (%s)", a.MediaType, format.ShortDigest(a.Referrer), a.Source), "class", "muted mono"))
	if a.Error != "" {
		return add(box, textEl("p", "could not decode: "+a.Error, "class", "error-line"))
	}
	k := newKV()
	if a.Statement {
		match := "no subject is this image (" + format.ShortDigest(a.Subject) + ")"
		if a.SubjectMatch {
			match = "a subject is this image (" + format.ShortDigest(a.Subject) + ")"
		}
		k.rowOf("subject", span("subject-match", match))
	}
	if s := a.Signature; s != nil {
		k.rowOf("signature", span("sig-status "+statusClass(s.Status), s.Status), textNode(" "+s.Reason))
	}
	k.row("builder", a.Builder)
	k.row("build type", a.BuildType)
	k.list("sources", a.Sources)
	k.row("parameters", a.Parameters)
	if b := a.SBOM; b != nil {
		k.row("format", strings.TrimSpace(b.Format+" "+b.Version))
		k.row("describes", b.Name)
		k.row("packages", strconv.Itoa(len(b.Packages)))
	}
	box.AppendChild(k.t)
	if b := a.SBOM; b != nil {
		box.AppendChild(sbomTable(p, b))
	}
	return add(box, add(elem("details", "class", "raw-json"), textEl("summary", "raw JSON"), jsonBlock(a.Raw)))
}

// sbomTable is an SBOM's packages with a filter box: rows whose name,
// version, licence or purl contain the text stay.
func sbomTable(p *Page, b *msg.SBOM) dom.Element {
	filter := elem("input", "type", "search", "class", "sbom-filter", "placeholder", "filter packages", "aria-label", "filter SBOM packages")
	t := add(elem("table", "class", "sbom"), add(elem("tr"),
		textEl("th", "name"), textEl("th", "version"), textEl("th", "licence"), textEl("th", "purl")))
	rows := make([]dom.HTMLElement, len(b.Packages))
	for i, pk := range b.Packages {
		rows[i] = elem("tr", "class", "sbom-pkg", "data-name", pk.Name)
		add(rows[i], textEl("td", pk.Name), textEl("td", pk.Version, "class", "mono"), textEl("td", pk.License), textEl("td", pk.PURL, "class", "mono"))
		t.AppendChild(rows[i])
	}
	listen(p.loop, filter, "input", func(dom.Event) {
		q := strings.ToLower(strings.TrimSpace(value(filter)))
		for i, pk := range b.Packages {
			hay := strings.ToLower(pk.Name + " " + pk.Version + " " + pk.License + " " + pk.PURL)
			setHidden(rows[i], q != "" && !strings.Contains(hay, q))
		}
	})
	return add(elem("div", "class", "sbom-box"), filter, t)
}
