package cli

import (
	"strings"

	"github.com/regscope/regscope/pkg/registry"
)

// Mirrors is the repeatable --mirror UPSTREAM=URL flag, shared by the pull
// commands and `regscope serve`: each value names a pull-through cache to
// ask first for the manifests and blobs of one upstream registry.
type Mirrors []registry.Mirror

func (m *Mirrors) String() string {
	var s []string
	for _, x := range *m {
		s = append(s, x.String())
	}
	return strings.Join(s, ",")
}

// Set parses one UPSTREAM=URL (see registry.ParseMirror).
func (m *Mirrors) Set(v string) error {
	x, err := registry.ParseMirror(v)
	if err != nil {
		return err
	}
	*m = append(*m, x)
	return nil
}

// MirrorUsage is the --mirror flag's help text.
const MirrorUsage = "ask the pull-through cache URL first for UPSTREAM's manifests and blobs, e.g. docker.io=https://cache.internal:5000 (repeatable; content is still verified, and fetched from UPSTREAM when the mirror fails)"
