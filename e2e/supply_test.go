//go:build !js

package e2e

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"testing"
	"time"

	ggcr "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/supplytest"
	"github.com/regscope/regscope/internal/tartest"
	"github.com/regscope/regscope/pkg/layers"
	"github.com/regscope/regscope/pkg/packages"
	"github.com/regscope/regscope/pkg/pull"
)

// signedDebian pushes to a registry with the referrers API a two-layer
// image holding a real dpkg status excerpt (the second layer upgrades
// zlib1g), signed twice: by key in an OCI 1.1 referrer, and by another key
// under cosign's .sig tag; plus an SPDX SBOM referring to it. It returns the
// reference, the image digest, both signature manifests and the key.
func signedDebian(t *testing.T, host string) (ref, img, goodSig, badSig string, key supplytest.Key) {
	t.Helper()
	read := func(name string) string {
		b, err := os.ReadFile("../pkg/packages/testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	status := read("debian/status")
	upgraded := status + "\n" + "Package: hello\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.10-3\nSource: hello (2.10-3)\nDescription: example\n"
	repo := host + "/e2e/debian"
	ref = repo + ":12"
	image := imagetest.Image(t, imagetest.OCI,
		imagetest.Layer(t, imagetest.Gzip,
			tartest.Entry{Name: "var/lib/dpkg/status", Body: status},
			tartest.Entry{Name: "var/lib/dpkg/info/bash.list", Body: read("debian/info/bash.list")},
			tartest.Entry{Name: "bin/bash", Body: "#!bash\n", Mode: 0o755},
		),
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "var/lib/dpkg/status", Body: upgraded}),
	)
	img = regtest.Push(t, ref, image).String()
	desc := supplytest.Descriptor(t, image)
	key = supplytest.NewKey(t, "p256")
	good := supplytest.SignatureReferrer(t, desc, key.Signed(t, supplytest.Payload(repo, img)))
	goodSig = regtest.Push(t, repo+"@"+supplytest.Descriptor(t, good).Digest.String(), good).String()
	bad := supplytest.SignatureImage(t, supplytest.NewKey(t, "p256").Signed(t, supplytest.Payload(repo, img)))
	badSig = regtest.Push(t, fmt.Sprintf("%s:sha256-%s.sig", repo, desc.Digest.Hex), bad).String()
	sbom := supplytest.Artifact(t, supplytest.SPDXType, supplytest.Blob{MediaType: supplytest.SPDXType, Data: []byte(supplytest.SPDX)})
	sbom = mutate.Annotations(sbom, map[string]string{"org.example.note": xssImg + xssScript}).(ggcr.Image)
	sbom = supplytest.WithSubject(sbom, desc)
	regtest.Push(t, repo+"@"+supplytest.Descriptor(t, sbom).Digest.String(), sbom)
	return ref, img, goodSig, badSig, key
}

// TestSupplyView opens the Supply chain view of a signed image: both
// signatures are listed as not verified until a key is pasted; with the
// key, the referrer's is verified and the other key's is a bad signature;
// the SBOM's packages are listed and filter.
func TestSupplyView(t *testing.T) {
	t.Parallel()
	host := regtest.GGCRReferrers(t, nil)
	ref, img, goodSig, badSig, key := signedDebian(t, host)
	srv := startServerT(t, "--insecure-registry", host)

	tb := newTab(t)
	tb.navigate(pageURL(srv, "image", ref, "view", "supply"))
	tb.waitStatus(pullWait, "verified")
	tb.waitAttr(pullWait, "#supply", "data-state", "done")

	type sig struct{ Status, Referrer, Subject, Reason string }
	sigs := func() []sig {
		return eval[[]sig](tb, `[...document.querySelectorAll("#signatures tr.sig")].map(r => ({Status: r.dataset.status, Referrer: r.dataset.referrer, Subject: r.dataset.subject, Reason: r.querySelector(".sig-reason").textContent}))`)
	}
	unverified := "no public key given to verify it with"
	if got, want := sigs(), []sig{{"not verified", goodSig, img, unverified}, {"not verified", badSig, img, unverified}}; !reflect.DeepEqual(got, want) {
		t.Errorf("signatures without a key\n got %+v\nwant %+v", got, want)
	}
	type refRow struct{ Digest, Source string }
	refs := eval[[]refRow](tb, `[...document.querySelectorAll("li.referrer")].map(l => ({Digest: l.dataset.digest, Source: l.dataset.source}))`)
	if len(refs) != 3 || refs[2] != (refRow{badSig, "cosign tag"}) || refs[0].Source != "referrers API" || refs[1].Source != "referrers API" {
		t.Errorf("referrers %+v", refs)
	}

	// Paste the key and verify.
	eval[bool](tb, fmt.Sprintf(`(document.querySelector("#supply-key").value = %q, true)`, key.PEM))
	tb.click("#supply-verify")
	tb.waitFn(pullWait, "a verified signature", `() => document.querySelector("#supply").dataset.state === "done" && document.querySelector('tr.sig[data-status="verified"]') ? "ok" : ""`)
	want := []sig{
		{"verified", goodSig, img, "signed by ECDSA P-256 key pasted key for " + img},
		{"bad signature", badSig, img, "the signature over payload " + layerOf(t, tb, badSig) + " does not verify with ECDSA P-256 key pasted key"},
	}
	if got := sigs(); !reflect.DeepEqual(got, want) {
		t.Errorf("signatures with the key\n got %+v\nwant %+v", got, want)
	}
	if got, wantV := tb.text("#supply-verdict"), "this image: verified — signed by ECDSA P-256 key pasted key for "+img; got != wantV {
		t.Errorf("#supply-verdict reads %q, want %q", got, wantV)
	}

	// An annotation written to inject markup is text.
	tb.click(`li.referrer[data-artifact-type="application/spdx+json"] > details > summary`)
	if got := eval[[]string](tb, `[...document.querySelectorAll("#panel-supply img, #panel-supply script")].map(e => e.outerHTML).concat(window.__pwned ? ["pwned"] : [])`); len(got) != 0 {
		t.Errorf("an annotation became markup: %q", got)
	}
	if got := eval[int](tb, `[...document.querySelectorAll("#panel-supply table.kv td")].filter(td => td.textContent === `+"`"+xssImg+xssScript+"`"+`).length`); got != 1 {
		t.Errorf("the hostile annotation is shown as text %d times, want once", got)
	}

	// The SBOM: its two packages, then the filter.
	box := `section.attestation[data-predicate="application/spdx+json"]`
	if n := eval[int](tb, `document.querySelectorAll('`+box+` tr.sbom-pkg').length`); n != 2 {
		t.Errorf("SBOM rows: %d, want 2", n)
	}
	eval[bool](tb, `(() => { const f = document.querySelector('`+box+` .sbom-filter'); f.value = "zlib"; f.dispatchEvent(new Event("input")); return true })()`)
	tb.waitFn(10*time.Second, "the filter to keep zlib1g alone", `() => {
  const shown = [...document.querySelectorAll('`+box+` tr.sbom-pkg')].filter(r => !r.hidden).map(r => r.dataset.name);
  return shown.length === 1 && shown[0] === "zlib1g" ? "ok" : "";
}`)
}

// layerOf is the payload layer digest of a signature row, as the page
// shows it in the signature manifest's JSON.
func layerOf(t *testing.T, tb *tab, sig string) string {
	t.Helper()
	return eval[string](tb, `JSON.parse([...document.querySelectorAll("li.referrer")].find(l => l.dataset.digest === "`+sig+`").querySelector("pre.json").textContent).layers[0].digest`)
}

// TestPackagesView opens the Packages view and compares it with
// pkg/packages run natively on the same image; then sorts by layer,
// filters, and follows a package's file to the file viewer.
func TestPackagesView(t *testing.T) {
	t.Parallel()
	host := regtest.GGCRReferrers(t, nil)
	ref, _, _, _, _ := signedDebian(t, host)
	srv := startServerT(t, "--insecure-registry", host)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	native, err := pull.Pull(ctx, ref, pull.Options{Store: layers.MemStore()})
	if err != nil {
		t.Fatal(err)
	}
	var cs []*layers.ChangeSet
	for _, l := range native.Layers {
		cs = append(cs, l.Changes)
	}
	ps, err := packages.Read(native.FS, cs)
	if err != nil {
		t.Fatal(err)
	}
	type row struct{ Name, Version, Arch, Source, Manager, Layer string }
	var want []row
	for _, p := range ps {
		want = append(want, row{p.Name, p.Version, p.Arch, p.Source, p.Manager, strconv.Itoa(p.Layer)})
	}

	tb := newTab(t)
	tb.navigate(pageURL(srv, "image", ref, "view", "packages"))
	tb.waitStatus(pullWait, "verified")
	tb.waitAttr(pullWait, "#packages", "data-state", "done")
	rows := func() []row {
		return eval[[]row](tb, `[...document.querySelectorAll("#packages-table tr.pkg")].map(r => ({Name: r.dataset.name, Version: r.dataset.version, Arch: r.dataset.arch, Source: r.dataset.source, Manager: r.dataset.manager, Layer: r.dataset.layer}))`)
	}
	if got := rows(); len(want) != 14 || !reflect.DeepEqual(got, want) {
		t.Errorf("packages\n got %+v\nwant %+v (native)", got, want)
	}

	// Sorted by layer, descending: hello (layer 1) first.
	tb.click(`th a[data-sort="layer"]`)
	tb.click(`th a[data-sort="layer"]`)
	if got := rows(); len(got) != 14 || got[0].Name != "hello" || got[0].Layer != "1" || got[0].Source != "hello" {
		t.Errorf("sorted by layer, descending: first row %+v", got[0])
	}

	eval[bool](tb, `(() => { const f = document.querySelector("#packages-filter"); f.value = "gcc-12"; f.dispatchEvent(new Event("input")); return true })()`)
	tb.waitAttr(10*time.Second, "#packages", "data-count", "2")
	eval[bool](tb, `(() => { const f = document.querySelector("#packages-filter"); f.value = "bash"; f.dispatchEvent(new Event("input")); return true })()`)
	tb.waitAttr(10*time.Second, "#packages", "data-count", "1")

	// bash's files, from its .list: /bin/bash opens in the viewer.
	tb.click(`tr.pkg[data-name="bash"] a[data-files]`)
	tb.waitSel(10*time.Second, `.pkg-files a[data-open-path="/bin/bash"]`)
	tb.click(`.pkg-files a[data-open-path="/bin/bash"]`)
	tb.waitAttr(pullWait, "#viewer", "data-path", "/bin/bash")
	if v := tb.query().Get("view"); v != "" {
		t.Errorf("after opening a file the URL's view is %q, want files (omitted)", v)
	}
}
