//go:build js

package view

import (
	"fmt"
	"sort"
	"strings"

	"honnef.co/go/js/dom/v2"

	"github.com/regscope/regscope/internal/format"
	"github.com/regscope/regscope/wasm/msg"
	"github.com/regscope/regscope/wasm/urlstate"
)

// supplyView is the "supply" tab: the image's referrers as a tree, each
// signature's status, a box to verify with a pasted PEM key (or root
// certificate), and the attestations and SBOMs decoded. It asks the engine
// once per image, when first shown, and again for each verification.
//
// Test hooks: #supply[data-state=loading|done|error]; #supply-verdict[data-status]
// (the image's own verdict, as regscope verify decides it); one
// tr.sig[data-status, data-kind, data-subject, data-referrer] per
// signature; li.referrer[data-digest, data-source, data-artifact-type,
// data-error when its manifest did not verify];
// section.attestation[data-predicate, data-subject-match].
type supplyView struct {
	p        *Page
	panel    dom.HTMLElement
	key      dom.HTMLElement // textarea: cosign public key
	root     dom.HTMLElement // textarea: root certificate(s)
	out      dom.HTMLElement // what the engine answered
	img      *msg.PullResult
	asked    bool  // a request for this image was sent
	inFlight int64 // the request whose answer counts
}

func newSupplyView(p *Page) *supplyView { return &supplyView{p: p} }

func (v *supplyView) Name() string  { return urlstate.ViewSupply }
func (v *supplyView) Label() string { return "Supply chain" }

func (v *supplyView) Mount(panel dom.HTMLElement) {
	v.panel = panel
	v.key = elem("textarea", "id", "supply-key", "rows", "4", "spellcheck", "false", "class", "mono",
		"placeholder", "-----BEGIN PUBLIC KEY-----  (cosign.pub: ECDSA P-256/P-384 or Ed25519)", "aria-label", "public key (PEM)")
	v.root = elem("textarea", "id", "supply-root", "rows", "2", "spellcheck", "false", "class", "mono",
		"placeholder", "-----BEGIN CERTIFICATE-----  (optional: Fulcio root, Notation trust anchor)", "aria-label", "root certificate (PEM)")
	form := add(elem("form", "id", "supply-form", "autocomplete", "off"),
		textEl("label", "Verify with key", "for", "supply-key"), v.key, v.root,
		textEl("button", "Verify", "type", "submit", "id", "supply-verify"))
	v.out = elem("div", "id", "supply", "data-state", "idle")
	add(panel, form, v.out)
	listen(v.p.loop, form, "submit", func(dom.Event) { v.request() })
	v.p.linksIn(panel)
}

func (v *supplyView) Load(img *msg.PullResult) {
	v.img, v.asked, v.inFlight = img, false, 0
	v.out.SetAttribute("data-state", "idle")
	v.out.SetTextContent("")
}

func (v *supplyView) Show(urlstate.State) {
	if v.img != nil && !v.asked {
		v.request()
	}
}

// request asks the engine for the supply chain, checked with what is in
// the key boxes.
func (v *supplyView) request() {
	if v.img == nil {
		return
	}
	v.asked = true
	v.out.SetAttribute("data-state", "loading")
	fill(v.out, textEl("p", "looking for signatures, attestations and SBOMs…", "class", "muted"))
	req := msg.SupplyRequest{Key: strings.TrimSpace(value(v.key)), Root: strings.TrimSpace(value(v.root))}
	var id int64
	id = v.p.ask(msg.KindSupply, req, func(r reply) {
		if id != v.inFlight {
			return // an older request, or an image since replaced
		}
		var res msg.SupplyResult
		if err := r.decode(&res); err != nil {
			v.out.SetAttribute("data-state", "error")
			fill(v.out, textEl("p", "supply chain: "+err.Error(), "class", "error-line"))
			return
		}
		v.draw(&res)
		v.out.SetAttribute("data-state", "done")
	})
	v.inFlight = id
}

// draw shows a result.
func (v *supplyView) draw(r *msg.SupplyResult) {
	v.out.SetTextContent("")
	if r.KeyError != "" {
		add(v.out, textEl("p", "the pasted key was not used: "+r.KeyError, "class", "error-line", "id", "supply-key-error"))
	}
	subject := "manifest " + r.Manifest
	if r.Index != "" {
		subject += " · index " + r.Index
	}
	add(v.out, textEl("p", "subject: "+subject, "class", "mono muted"), verdictLine(r.Verdict))
	add(v.out, textEl("h2", fmt.Sprintf("Signatures (%d)", len(r.Signatures))), signaturesTable(r.Signatures))
	add(v.out, textEl("h2", fmt.Sprintf("Referrers (%d)", countReferrers(r.Referrers))), referrerTree(r.Referrers))
	add(v.out, textEl("h2", fmt.Sprintf("Attestations and SBOMs (%d)", len(r.Attestations))))
	for _, a := range r.Attestations {
		v.out.AppendChild(attestationBox(v.p, a))
	}
}

// signaturesTable has one row per signature; an image without any says
// "unsigned".
func signaturesTable(sigs []msg.Signature) dom.Element {
	if len(sigs) == 0 {
		return textEl("p", "unsigned: no signature found", "class", "sig-status", "data-status", "unsigned", "id", "supply-unsigned")
	}
	t := add(elem("table", "id", "signatures"), add(elem("tr"),
		textEl("th", "status"), textEl("th", "kind"), textEl("th", "signs"), textEl("th", "signer"), textEl("th", "details")))
	for _, s := range sigs {
		t.AppendChild(signatureRow(s))
	}
	return t
}

// signatureRow is one signature: its status, what it signs, who signed it
// (certificates) and what was and was not checked.
func signatureRow(s msg.Signature) dom.Element {
	signer := elem("td")
	if c := s.Signer; c != nil {
		add(signer, textEl("div", c.Identity), textEl("div", "issuer "+c.Issuer, "class", "muted"),
			textEl("div", "valid "+c.NotBefore+" – "+c.NotAfter, "class", "muted"))
	}
	details := add(elem("td"), textEl("div", s.Reason, "class", "sig-reason"))
	for _, u := range s.Unchecked {
		details.AppendChild(textEl("div", "not checked: "+u, "class", "muted sig-unchecked"))
	}
	signs := add(elem("td", "class", "mono"), textEl("div", format.ShortDigest(s.Subject), "title", s.Subject))
	if s.SignedDigest != "" && s.SignedDigest != s.Subject {
		signs.AppendChild(textEl("div", "payload names "+format.ShortDigest(s.SignedDigest), "class", "del", "title", s.SignedDigest))
	}
	return add(elem("tr", "class", "sig", "data-status", s.Status, "data-kind", s.Kind, "data-subject", s.Subject, "data-referrer", s.Referrer),
		add(elem("td"), span("sig-status "+statusClass(s.Status), s.Status)), textEl("td", s.Kind), signs, signer, details)
}

// statusClass is the CSS class of a signature status.
func statusClass(status string) string {
	return "st-" + strings.ReplaceAll(status, " ", "-")
}

func countReferrers(rs []msg.Referrer) int {
	n := len(rs)
	for _, r := range rs {
		n += countReferrers(r.Referrers)
	}
	return n
}

// referrerTree is a nested list of referrers.
func referrerTree(rs []msg.Referrer) dom.Element {
	ul := elem("ul", "class", "referrers")
	if len(rs) == 0 {
		return add(ul, textEl("li", "nothing refers to this image", "class", "muted"))
	}
	for _, r := range rs {
		kind := r.Type
		li := add(elem("li", "class", "referrer", "data-digest", r.Digest, "data-source", r.Source, "data-artifact-type", r.ArtifactType),
			span("ref-type", kind), textNode(" "), span("mono", format.ShortDigest(r.Digest)), textNode(" "),
			span("muted", fmt.Sprintf("%s · %s · found by %s", format.Size(r.Size), r.MediaType, r.Source)))
		if r.Tag != "" {
			add(li, textNode(" "), span("mono muted", "("+r.Tag+")"))
		}
		if r.Created != "" {
			add(li, textNode(" "), span("muted", "created "+r.Created))
		}
		if r.Error != "" {
			li.SetAttribute("data-error", "true")
			li.AppendChild(textEl("div", "not verified, not shown: "+r.Error, "class", "error-line"))
		} else {
			raw := add(elem("details"), textEl("summary", "manifest JSON"))
			add(raw, annotationsTable(r.Annotations), jsonBlock(r.Body))
			li.AppendChild(raw)
		}
		if len(r.Referrers) > 0 {
			li.AppendChild(referrerTree(r.Referrers))
		}
		ul.AppendChild(li)
	}
	return ul
}

// annotationsTable lists annotations, or nothing.
func annotationsTable(a map[string]string) dom.Node {
	if len(a) == 0 {
		return nil
	}
	k := newKV()
	names := make([]string, 0, len(a))
	for name := range a {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		k.row(name, a[name])
	}
	return k.t
}

// verdictLine says whether the image itself is signed with the keys given:
// #supply-verdict[data-status] (a signature status, or "unsigned").
func verdictLine(v *msg.Signature) dom.Element {
	if v == nil {
		return add(elem("p", "id", "supply-verdict", "data-status", "unsigned"),
			span("sig-status "+statusClass("unsigned"), "this image: unsigned"), textNode(" (no signature refers to its manifest or index)"))
	}
	return add(elem("p", "id", "supply-verdict", "data-status", v.Status),
		span("sig-status "+statusClass(v.Status), "this image: "+v.Status), textNode(" — "+v.Reason))
}
