package engine

import (
	"github.com/regscope/regscope/pkg/pull"
	"github.com/regscope/regscope/wasm/msg"
)

// Progressive makes o a progressive pull into e: after each layer's digest
// and DiffID check out and the layer is merged, e answers List, Stat and
// Read about the image merged so far, and merged is told what changed (the
// worker posts it as a KindMerged message). storage says where o.Store
// keeps contents (msg.StorageMemory, …). current is asked first each time:
// a pull that is no longer the current one changes nothing.
//
// Layers are applied under e's lock, so a question is answered about whole
// layers only; a failed pull must be followed by e.SetImage(nil).
func (e *Engine) Progressive(o *pull.Options, storage string, current func() bool, merged func(msg.Merged)) {
	o.Lock = &e.merging
	o.Merged = func(img *pull.Image, total int) {
		if !current() {
			return
		}
		e.SetImage(img)
		last := img.Layers[len(img.Layers)-1]
		merged(msg.Merged{Layers: len(img.Layers), Total: total, Files: img.FS.Len(), Layer: LayerOf(last), Storage: storage})
	}
}
