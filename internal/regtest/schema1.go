package regtest

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// PushSchema1 writes layers (bottom first) and an unsigned Docker schema 1
// manifest naming them to ref ("127.0.0.1:PORT/repo:tag"), as Push does:
// fsLayers and history top first, one v1Compatibility entry per layer, each
// made by "layer N". It returns the manifest's body.
func PushSchema1(t testing.TB, ref string, layers ...v1.Layer) []byte {
	t.Helper()
	r := parse(t, ref)
	type entry = map[string]string
	var fsLayers, history []entry
	for i := len(layers) - 1; i >= 0; i-- {
		if err := remote.WriteLayer(r.Context(), layers[i], defaults(t, nil)...); err != nil {
			t.Fatalf("regtest: pushing layer %d to %s: %v", i, ref, err)
		}
		d, err := layers[i].Digest()
		if err != nil {
			t.Fatal(err)
		}
		id := func(n int) string { return strings.Repeat(fmt.Sprint(n%10), 64) }
		parent := ""
		if i > 0 {
			parent = id(i - 1)
		}
		c, _ := json.Marshal(map[string]any{"id": id(i), "parent": parent, "architecture": "amd64", "os": "linux",
			"created": "2020-01-01T00:00:00Z", "container_config": map[string]any{"Cmd": []string{"/bin/sh", "-c", fmt.Sprintf("layer %d", i)}}})
		fsLayers = append(fsLayers, entry{"blobSum": d.String()})
		history = append(history, entry{"v1Compatibility": string(c)})
	}
	body, err := json.MarshalIndent(map[string]any{
		"schemaVersion": 1, "name": r.Context().RepositoryStr(), "tag": r.Identifier(), "architecture": "amd64",
		"fsLayers": fsLayers, "history": history,
	}, "", "   ")
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Put(r, rawManifest{body, types.DockerManifestSchema1}, defaults(t, nil)...); err != nil {
		t.Fatalf("regtest: pushing schema1 manifest to %s: %v", ref, err)
	}
	return body
}

// rawManifest is a manifest's exact bytes, for remote.Put.
type rawManifest struct {
	body []byte
	mt   types.MediaType
}

func (m rawManifest) RawManifest() ([]byte, error)        { return m.body, nil }
func (m rawManifest) MediaType() (types.MediaType, error) { return m.mt, nil }
