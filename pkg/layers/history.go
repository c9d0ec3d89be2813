package layers

// ChangeKind says what a layer did to a path.
type ChangeKind uint8

// The kinds of Change.
const (
	Added    ChangeKind = iota // the path did not exist (or had been deleted) and was created
	Modified                   // the path existed and was replaced or its metadata updated
	Deleted                    // the path was deleted (whiteout, opaque directory, replaced parent)
)

// String returns "added", "modified" or "deleted".
func (k ChangeKind) String() string {
	switch k {
	case Added:
		return "added"
	case Modified:
		return "modified"
	case Deleted:
		return "deleted"
	}
	return "ChangeKind(?)"
}

// Change is what one layer did to one path.
type Change struct {
	Layer int        // the layer that made the change
	Kind  ChangeKind // what it did
	Entry *Entry     // the entry replaced or deleted (nil for Added)
	// Linked is set when Entry was one name of a regular file that other
	// names (hardlinks) still hold: its content did not leave the
	// filesystem.
	Linked bool
}

// ApplyStats counts what one Apply did to the merged filesystem. A whiteout
// of an existing path counts once as Deleted however big its subtree; an
// opaque directory counts each lower-layer child it hides; a new path
// (implicit parents included) counts as Added; replacing or re-declaring an
// existing path from a lower layer counts as Modified.
type ApplyStats struct {
	Added, Modified, Deleted int
}
