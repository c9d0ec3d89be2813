package diff

import "github.com/regscope/regscope/pkg/pull"

// CompareLayers matches the layers of a and b by digest. A digest twice in
// one image counts once, at its first position.
func CompareLayers(a, b []pull.Layer) Layers {
	inB := firstIndex(b)
	inA := firstIndex(a)
	out := Layers{Shared: []Layer{}, OnlyA: []Layer{}, OnlyB: []Layer{}}
	for i, l := range a {
		if inA[string(l.Digest)] != i {
			continue
		}
		x := layerOf(l)
		x.A, x.B = i, -1
		if j, ok := inB[string(l.Digest)]; ok {
			x.B = j
			out.Shared = append(out.Shared, x)
			continue
		}
		out.OnlyA = append(out.OnlyA, x)
		out.BytesA += l.Size
	}
	for j, l := range b {
		if _, ok := inA[string(l.Digest)]; ok || inB[string(l.Digest)] != j {
			continue
		}
		x := layerOf(l)
		x.A, x.B = -1, j
		out.OnlyB = append(out.OnlyB, x)
		out.BytesB += l.Size
	}
	return out
}

func firstIndex(ls []pull.Layer) map[string]int {
	m := map[string]int{}
	for i, l := range ls {
		if _, ok := m[string(l.Digest)]; !ok {
			m[string(l.Digest)] = i
		}
	}
	return m
}

func layerOf(l pull.Layer) Layer {
	x := Layer{Digest: string(l.Digest), MediaType: l.MediaType, Size: l.Size}
	if l.History != nil {
		x.CreatedBy = l.History.CreatedBy
	}
	return x
}
