package msg

import "github.com/regscope/regscope/pkg/report"

// Kinds for the Compare view. They extend the protocol in msg.go without
// changing any existing message.
const (
	// KindCompare pulls two images at once, sharing their common layers:
	// CompareRequest → PullResult of A, which becomes the current image as
	// after a pull (its progress events are A's; B's arrive as whole-pull
	// events whose Message starts "B: "). The engine keeps B and the
	// comparison for KindDiff and KindDiffContent.
	KindCompare Kind = "compare"
	// KindDiff asks for the comparison of the last KindCompare: no body →
	// DiffResult.
	KindDiff Kind = "diff"
	// KindDiffContent asks for the content diff of one path of it:
	// DiffContentRequest → report.ContentDiff.
	KindDiffContent Kind = "diff-content"
)

// CompareRequest names image A (as a pull does) and image B.
type CompareRequest struct {
	PullRequest
	Compare         string `json:"compare"`                   // B's reference
	ComparePlatform string `json:"comparePlatform,omitempty"` // B's platform; "" = A's Platform
}

// DiffResult is the comparison of A with B (pkg/diff.Result).
type DiffResult struct {
	A          report.Side       `json:"a"`
	B          report.Side       `json:"b"`
	BPlatforms []string          `json:"bPlatforms"` // what B's index offers; nil for a single manifest
	Summary    report.Summary    `json:"summary"`
	Files      []DiffFile        `json:"files"` // changed paths, sorted by path
	Config     report.ConfigDiff `json:"config"`
	Layers     report.LayerDiff  `json:"layers"`
}

// DiffFile is one changed path; A is nil for added paths, B for removed.
type DiffFile struct {
	Path   string   `json:"path"`
	Change string   `json:"change"` // "added", "removed", "modified"
	Fields []string `json:"fields"` // for modified: what differs, alphabetically
	A      *Entry   `json:"a,omitempty"`
	B      *Entry   `json:"b,omitempty"`
}

// DiffContentRequest asks for the content diff of Path, at most MaxLines
// lines of unified diff (<= 0: all).
type DiffContentRequest struct {
	Path     string `json:"path"`
	MaxLines int    `json:"maxLines"`
}
