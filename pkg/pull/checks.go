package pull

import (
	"fmt"
	"strings"

	"github.com/opencontainers/go-digest"

	"github.com/regscope/regscope/pkg/registry"
	"github.com/regscope/regscope/pkg/report"
)

// The checks a pull makes are plain data defined in pkg/report, so that
// programs that only show them (the page's view) need not link the pull.
type (
	// Check is one verification a pull made, or could not make (report.Check).
	Check = report.Check
	// CheckKind is what a Check is about.
	CheckKind = report.CheckKind
	// Checks are the checks of one pull, in the order they were made.
	Checks = report.Checks
)

// The kinds of Check.
const (
	CheckIndex     = report.CheckIndex
	CheckManifest  = report.CheckManifest
	CheckConfig    = report.CheckConfig
	CheckBlob      = report.CheckBlob
	CheckDiffID    = report.CheckDiffID
	CheckSignature = report.CheckSignature
)

// Check results.
const (
	Verified   = report.Verified
	NotChecked = report.NotChecked
)

// Reasons a check was not made.
const (
	reasonNoHeader   = "named by tag, and the registry sent no Docker-Content-Digest"
	reasonSchema1    = "a schema1 manifest lists none"
	reasonSignatures = "schema1 signatures are not verified"
)

// manifestCheck is the check of a manifest or index fetched with f;
// reference names where a digest in the reference came from ("reference"
// for the one asked for, "index" for a platform's manifest).
func manifestCheck(kind CheckKind, f *registry.Fetched, reference string) Check {
	c := Check{What: string(kind), Kind: kind}
	if len(f.Checked) == 0 {
		c.Result, c.Reason = NotChecked, reasonNoHeader
		return c
	}
	var from []string
	for _, dc := range f.Checked {
		if dc.Against == registry.CheckedReference {
			from = append(from, reference)
		} else {
			from = append(from, dc.Against)
		}
	}
	c.Expected, c.From, c.Result = f.Checked[0].Want, strings.Join(from, " and "), Verified
	return c
}

// layerChecks are the checks of layer i, whose blob matched d: its DiffID
// matched the config's, or, for schema1, which lists no DiffIDs, was not checked.
func layerChecks(i int, d digest.Digest, img *Image) []Check {
	blob := Check{What: fmt.Sprintf("layer %d blob", i), Kind: CheckBlob, Expected: d, From: "manifest", Result: Verified}
	diffID := Check{What: fmt.Sprintf("layer %d DiffID", i), Kind: CheckDiffID}
	if img.Config.Digest == "" {
		diffID.Result, diffID.Reason = NotChecked, reasonSchema1
	} else {
		diffID.Expected, diffID.From, diffID.Result = img.Image.RootFS.DiffIDs[i], "config", Verified
	}
	return []Check{blob, diffID}
}
