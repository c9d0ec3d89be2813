package pcache

import (
	"fmt"

	"github.com/opencontainers/go-digest"

	"github.com/regscope/regscope/pkg/pull"
)

// IndexSource is the LayerIndex.Source of indexes from the verified cache:
// what a pull's Checks say the index came from, and how it was checked.
const IndexSource = "the verified cache (MAC checked)"

// LayerIndexes returns the pull.LayerIndexes of the images of registry
// domain, kept in t as sealed entries: an index is kept for the registry
// that served its layer only, as blobs are. Without a MAC it keeps none.
func (t *Transport) LayerIndexes(domain string) pull.LayerIndexes {
	return layerIndexes{t: t, domain: domain}
}

type layerIndexes struct {
	t      *Transport
	domain string
}

// name is the entry a layer's index is kept under.
func (x layerIndexes) name(blob, diffID digest.Digest) string {
	return x.domain + "/layer-index/" + string(blob) + "/" + string(diffID)
}

// LayerIndex implements pull.LayerIndexes: the index, its MAC checked and
// decoded; one that fails either is dropped and reported.
func (x layerIndexes) LayerIndex(blob, diffID digest.Digest) (*pull.LayerIndex, bool) {
	name := x.name(blob, diffID)
	b, ok := x.t.Sealed(name, "layer index "+string(blob))
	if !ok {
		return nil, false
	}
	idx := &pull.LayerIndex{Source: IndexSource}
	if err := idx.UnmarshalBinary(b); err != nil {
		x.t.DropSealed(name, fmt.Sprintf("layer index %s did not decode (%v) and was dropped", blob, err))
		return nil, false
	}
	return idx, true
}

// PutLayerIndex implements pull.LayerIndexes.
func (x layerIndexes) PutLayerIndex(blob, diffID digest.Digest, idx *pull.LayerIndex) {
	if x.t.MAC == nil {
		return
	}
	if b, err := idx.MarshalBinary(); err == nil {
		x.t.PutSealed(x.name(blob, diffID), b)
	}
}

// DropLayerIndex implements pull.LayerIndexes.
func (x layerIndexes) DropLayerIndex(blob, diffID digest.Digest, note string) {
	x.t.DropSealed(x.name(blob, diffID), note)
}
