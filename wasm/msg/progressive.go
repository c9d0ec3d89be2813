package msg

// Kinds for the progressive pull and the page's verified cache. They extend
// the protocol in msg.go without changing any existing message.
const (
	// KindMerged is sent by the engine with a pull's id, once per layer in
	// layer order, when that layer's blob digest and DiffID have both been
	// checked and the layer has been merged: body is a Merged. From then
	// on List, Stat and Read answer about the layers merged so far, while
	// the pull goes on; the pull's KindResult (or KindError) still ends it.
	// After a KindError nothing of the pull stays visible.
	KindMerged Kind = "merged"

	// KindCache asks about or clears the page's verified cache:
	// CacheRequest → CacheResult.
	KindCache Kind = "cache"
)

// Merged reports that layers 0 … Layers-1 of a pull are verified and merged.
// Rows whose layers are not all merged yet are those of the layers
// Layers … Total-1 ("layers 3–5 still loading"). Merged messages of one pull
// arrive in order and Layers only grows; Layers == Total means every layer is
// in, though the pull's result (with the efficiency report) may still follow.
type Merged struct {
	Layers int   `json:"layers"` // layers merged so far
	Total  int   `json:"total"`  // layers in the image
	Files  int   `json:"files"`  // entries in the merged filesystem so far
	Layer  Layer `json:"layer"`  // the layer just merged (index Layers-1), verified
	// Storage says where file contents are kept: StorageDisk, StorageMemory,
	// or StorageNone (metadata only: reads answer ErrNotKept).
	Storage string `json:"storage"`
}

// Where the engine keeps file contents (Merged.Storage).
const (
	StorageDisk   = "disk"   // the Origin Private File System
	StorageMemory = "memory" // JavaScript memory, outside the wasm heap
	StorageNone   = "none"   // not kept: reads answer an ErrNotKept error
)

// ErrNotKept is the ErrorInfo.Kind of a ReadRequest for content the engine
// did not keep because the browser gave it no storage; its Message is
// NotKeptMessage.
const ErrNotKept = "not-kept"

// NotKeptMessage is what the page shows in place of content it could not keep.
const NotKeptMessage = "not kept: storage unavailable"

// CacheRequest asks for the verified cache's usage, and clears it first when
// Clear is set.
type CacheRequest struct {
	Clear bool `json:"clear,omitempty"`
}

// CacheResult is the verified cache's usage after the request.
type CacheResult struct {
	Entries int   `json:"entries"` // manifests, configs, layer indexes and blobs kept
	Bytes   int64 `json:"bytes"`   // their total size
	Budget  int64 `json:"budget"`  // the most the cache keeps before evicting the least recently used
	// Dropped counts entries found tampered with (their digest or MAC did
	// not check out) and removed since the engine started.
	Dropped int `json:"dropped"`
	// Note says which entry was dropped last, e.g. "cache entry sha256:…
	// failed verification and was dropped"; empty when none was.
	Note string `json:"note,omitempty"`
}
