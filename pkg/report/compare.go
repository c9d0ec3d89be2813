package report

// Side describes one of the two images compared (diff.Side).
type Side struct {
	Ref        string  `json:"ref"`        // as asked
	Pinned     string  `json:"pinned"`     // pinned to the digest pulled (index, else manifest)
	Manifest   string  `json:"manifest"`   // the image manifest's digest
	Platform   string  `json:"platform"`   // os/arch[/variant]
	Layers     int     `json:"layers"`     // how many
	Size       int64   `json:"size"`       // compressed bytes of its layers
	Content    int64   `json:"content"`    // bytes of regular files in its merged filesystem
	Wasted     int64   `json:"wasted"`     // bytes its later layers overwrote or deleted
	Efficiency float64 `json:"efficiency"` // as pkg/inspect computes it
}

// Summary counts the changed paths and bytes of a comparison (diff.Summary).
type Summary struct {
	Added    int `json:"added"`
	Removed  int `json:"removed"`
	Modified int `json:"modified"`
	// BytesAdded is the content only B has: its added regular files and the
	// new versions of files whose content changed. BytesRemoved is the same
	// for A: removed files and the old versions of changed ones.
	BytesAdded   int64 `json:"bytesAdded"`
	BytesRemoved int64 `json:"bytesRemoved"`
}

// ConfigChange is one config setting that differs. For settings made of
// keys (env variables, labels, exposed ports, volumes) there is one change
// per key. A or B is nil where the setting or key is absent on that side.
type ConfigChange struct {
	Field string  `json:"field"`         // "entrypoint", "cmd", "env", "workdir", "user", "labels", "exposedPorts", "volumes", "platform", "created"
	Key   string  `json:"key,omitempty"` // the variable, label, port or volume
	A     *string `json:"a,omitempty"`
	B     *string `json:"b,omitempty"`
}

// History is one config history entry as the page and CLI show it.
type History struct {
	CreatedBy  string `json:"createdBy"`
	Comment    string `json:"comment,omitempty"`
	EmptyLayer bool   `json:"emptyLayer,omitempty"`
}

// ConfigDiff is the difference between two configs (diff.Config): the
// settings that differ, and both histories whole, for showing side by side.
type ConfigDiff struct {
	Changes  []ConfigChange `json:"changes"`
	HistoryA []History      `json:"historyA"`
	HistoryB []History      `json:"historyB"`
}

// LayerMatch is one layer of A, B or both, matched by compressed digest
// (diff.Layer).
type LayerMatch struct {
	Digest    string `json:"digest"`
	MediaType string `json:"mediaType"`
	Size      int64  `json:"size"` // compressed
	A         int    `json:"a"`    // index in A; -1: not in A
	B         int    `json:"b"`    // index in B; -1: not in B
	CreatedBy string `json:"createdBy,omitempty"`
}

// LayerDiff says which layers the two images share and which only one has
// (diff.Layers).
type LayerDiff struct {
	Shared []LayerMatch `json:"shared"` // in A's order
	OnlyA  []LayerMatch `json:"onlyA"`
	OnlyB  []LayerMatch `json:"onlyB"`
	// BytesA and BytesB are the compressed bytes of the layers only A,
	// only B has: what each side adds over the other.
	BytesA int64 `json:"bytesA"`
	BytesB int64 `json:"bytesB"`
}

// ContentDiff is what differs between two versions of one file.
type ContentDiff struct {
	Path    string `json:"path"`
	SizeA   int64  `json:"sizeA"`   // -1: no file on that side
	SizeB   int64  `json:"sizeB"`   //
	DigestA string `json:"digestA"` // "sha256:…" of the content; "" with no file
	DigestB string `json:"digestB"` //
	// Text is set when both sides are text no larger than the comparer's limit (diff.MaxTextDiff):
	// Unified then holds the unified diff (its first Lines lines of Total).
	Text      bool   `json:"text"`
	Unified   string `json:"unified,omitempty"`
	Total     int    `json:"total"`     // lines of the whole unified diff
	Truncated bool   `json:"truncated"` // Unified stops before Total lines
	// Offset is the first byte that differs (-1 when the contents are
	// equal); HexA and HexB dump both sides from the 16-byte line holding
	// it, for binaries.
	Offset int64  `json:"offset"`
	HexA   string `json:"hexA,omitempty"`
	HexB   string `json:"hexB,omitempty"`
}
