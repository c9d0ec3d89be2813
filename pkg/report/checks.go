package report

import (
	"fmt"
	"strings"

	"github.com/opencontainers/go-digest"
)

// Check is one verification a pull made, or could not make: what was
// checked, the digest it had to match and where that digest came from. A
// pull that returns an image passed every check it made, so Result is
// Verified or NotChecked (with the Reason).
type Check struct {
	What     string        `json:"what"`               // "index", "manifest", "config", "layer 1 blob", "layer 1 DiffID", "signature"
	Kind     CheckKind     `json:"kind"`               // groups checks for Checks.String
	Expected digest.Digest `json:"expected,omitempty"` // the digest the content matched; "" when not checked
	From     string        `json:"from,omitempty"`     // where Expected came from: "reference", "Docker-Content-Digest", "index", "manifest", "config"
	Result   string        `json:"result"`             // Verified or NotChecked
	Reason   string        `json:"reason,omitempty"`   // why it was not checked
	// How says how a check made in an earlier pull carries over, e.g.
	// "verified when first pulled; index from the verified cache (MAC
	// checked)" for a layer listed from its kept index; "" for a check
	// made on this pull's bytes.
	How string `json:"how,omitempty"`
}

// CheckKind is what a Check is about.
type CheckKind string

// The kinds of Check, in the order Checks.String lists them (checkOrder).
const (
	CheckIndex     CheckKind = "index"
	CheckManifest  CheckKind = "manifest"
	CheckConfig    CheckKind = "config"
	CheckBlob      CheckKind = "blob"      // a layer's compressed blob against the manifest's digest
	CheckDiffID    CheckKind = "diffid"    // a layer's uncompressed stream against the config's rootfs.diff_ids
	CheckSignature CheckKind = "signature" // a schema1 manifest's JWS signature (not a digest)
)

// Check results.
const (
	Verified   = "verified"
	NotChecked = "not checked"
)

// Checks are the checks of one pull, in the order they were made.
type Checks []Check

// String is the sentence every front end shows for an image, e.g.
// "all 7 digests verified (the index, the manifest, the config, 2 layer
// blobs, 2 DiffIDs)", or for a schema1 image "3 of 5 digests verified (the
// manifest, 2 layer blobs); not checked: 2 DiffIDs (a schema1 manifest
// lists none)". Signatures are named among what was not checked but are not
// counted as digests.
func (cs Checks) String() string {
	var verified, unchecked []Check
	digests := 0
	for _, c := range cs {
		if c.Kind != CheckSignature {
			digests++
		}
		if c.Result == Verified {
			verified = append(verified, c)
		} else {
			unchecked = append(unchecked, c)
		}
	}
	if len(unchecked) == 0 {
		return fmt.Sprintf("all %d digests verified (%s)%s", len(verified), describe(verified, false), carried(cs))
	}
	return fmt.Sprintf("%d of %d digests verified (%s)%s; not checked: %s", len(verified), digests, describe(verified, false), carried(cs), describe(unchecked, true))
}

// carried names the layers whose checks carry over from an earlier pull
// ("; layer 1 verified when first pulled; index from the verified cache
// (MAC checked)"), "" when there are none.
func carried(cs Checks) string {
	var layers []string
	how := ""
	for _, c := range cs {
		if c.Kind == CheckBlob && c.How != "" {
			layers = append(layers, strings.TrimSuffix(c.What, " blob"))
			how = c.How
		}
	}
	if len(layers) == 0 {
		return ""
	}
	return "; " + strings.Join(layers, ", ") + " " + how
}

// describe names checks by kind in checkOrder() ("the config", "2 layer
// blobs"), with each group's reason when withReasons.
func describe(cs []Check, withReasons bool) string {
	var parts []string
	for _, k := range checkOrder() {
		var reasons []string // distinct, in order
		n := 0
		for _, c := range cs {
			if c.Kind != k {
				continue
			}
			n++
			if c.Reason != "" && !contains(reasons, c.Reason) {
				reasons = append(reasons, c.Reason)
			}
		}
		if n == 0 {
			continue
		}
		p := kindName(k, n)
		if withReasons && len(reasons) > 0 {
			p += " (" + strings.Join(reasons, "; ") + ")"
		}
		parts = append(parts, p)
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, ", ")
}

func kindName(k CheckKind, n int) string {
	switch k {
	case CheckBlob:
		return plural(n, "layer blob")
	case CheckDiffID:
		return plural(n, "DiffID")
	default:
		return "the " + string(k)
	}
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// checkOrder is the order in which Checks.String names the kinds.
func checkOrder() []CheckKind {
	return []CheckKind{CheckIndex, CheckManifest, CheckConfig, CheckBlob, CheckDiffID, CheckSignature}
}
