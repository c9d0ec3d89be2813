package inspect

import (
	"container/heap"
	"slices"
)

// topN keeps the n greatest items under less-than order cmp in O(log n) per
// push: a min-heap whose root is the smallest item kept.
type topN[T any] struct {
	n     int
	cmp   func(a, b T) int
	items []T
}

func newTopN[T any](n int, cmp func(a, b T) int) *topN[T] {
	return &topN[T]{n: max(n, 0), cmp: cmp}
}

func (t *topN[T]) Len() int           { return len(t.items) }
func (t *topN[T]) Less(i, j int) bool { return t.cmp(t.items[i], t.items[j]) < 0 }
func (t *topN[T]) Swap(i, j int)      { t.items[i], t.items[j] = t.items[j], t.items[i] }
func (t *topN[T]) Push(x any)         { t.items = append(t.items, x.(T)) }
func (t *topN[T]) Pop() any {
	x := t.items[len(t.items)-1]
	t.items = t.items[:len(t.items)-1]
	return x
}

// push offers v: kept if fewer than n items are held or v beats the smallest.
func (t *topN[T]) push(v T) {
	switch {
	case t.n == 0:
	case len(t.items) < t.n:
		heap.Push(t, v)
	case t.cmp(v, t.items[0]) > 0:
		t.items[0] = v
		heap.Fix(t, 0)
	}
}

// sorted returns the items kept, greatest first.
func (t *topN[T]) sorted() []T {
	out := slices.Clone(t.items)
	slices.SortFunc(out, func(a, b T) int { return t.cmp(b, a) })
	return out
}
