package report

// Efficiency is the efficiency report of one image (inspect.Result; the
// package doc of pkg/inspect defines each number).
type Efficiency struct {
	Content      int64        `json:"content"`      // bytes of regular files in the merged filesystem
	TotalAdded   int64        `json:"totalAdded"`   // sum of Layers[i].Added
	Wasted       int64        `json:"wasted"`       // bytes of file versions later layers replaced or deleted
	WastedFiles  int          `json:"wastedFiles"`  // how many such versions (a path replaced twice counts twice)
	WastedPaths  int          `json:"wastedPaths"`  // distinct paths among them
	SelfShadowed int64        `json:"selfShadowed"` // TotalAdded - Content - Wasted (see the package doc)
	Efficiency   float64      `json:"efficiency"`   // Content / TotalAdded; 1 when TotalAdded is 0
	Layers       []LayerBytes `json:"layers"`       // one per layer, in order
	TopWasted    []Wasted     `json:"topWasted"`    // paths by wasted bytes, largest first (ties: path order)
	Largest      []LargeFile  `json:"largest"`      // files of the merged filesystem by size, largest first (ties: path order)
}

// LayerBytes is one layer's share of the image's bytes: what it added, what
// of lower layers it wasted, what of its own later layers took away.
type LayerBytes struct {
	Index  int   `json:"index"`
	Added  int64 `json:"added"`  // bytes of regular files in its change set
	Wasted int64 `json:"wasted"` // bytes of lower layers' files it replaced or deleted
	Lost   int64 `json:"lost"`   // bytes of its own files that later layers replaced or deleted
}

// Wasted is one path whose content later layers replaced or deleted.
type Wasted struct {
	Path     string `json:"path"`
	Bytes    int64  `json:"bytes"`    // sum over the versions removed
	Count    int    `json:"count"`    // versions removed
	Writers  []int  `json:"writers"`  // layers that wrote the removed versions, ascending, no repeats
	Removers []int  `json:"removers"` // layers that replaced or deleted them, ascending, no repeats
	Present  bool   `json:"present"`  // the path exists in the merged filesystem
}

// LargeFile is one regular file of the merged filesystem, among the largest.
type LargeFile struct {
	Path  string `json:"path"`
	Size  int64  `json:"size"`
	Layer int    `json:"layer"` // the layer that provided it
}
