package archive

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// openLayout serves an OCI image layout: every blob under blobs/ALG/HEX as
// it is (the pull verifies each against its name), each index.json entry
// as a tag — its org.opencontainers.image.ref.name (or containerd's
// io.containerd.image.name) when it has one.
func (a *Archive) openLayout() error {
	b, err := a.readMember("index.json")
	if err != nil {
		return err
	}
	var idx v1.Index
	if err := json.Unmarshal(b, &idx); err != nil {
		return fmt.Errorf("index.json: %v", err)
	}
	for name, m := range a.members {
		rest, ok := strings.CutPrefix(name, "blobs/")
		alg, hex, ok2 := strings.Cut(rest, "/")
		if d := digest.NewDigestFromEncoded(digest.Algorithm(alg), hex); ok && ok2 && d.Validate() == nil {
			a.blobs[d] = blob{off: m.off, size: m.size}
		}
	}
	for _, desc := range idx.Manifests {
		bl, ok := a.blobs[desc.Digest]
		if !ok {
			return fmt.Errorf("index.json names %s, which is not under blobs/", desc.Digest)
		}
		bl.mediaType = desc.MediaType
		a.blobs[desc.Digest] = bl
		var names []string
		for _, k := range []string{"io.containerd.image.name", v1.AnnotationRefName} {
			if v := desc.Annotations[k]; v != "" {
				names = append(names, v)
			}
		}
		tag := ""
		if len(names) > 0 {
			tag = names[len(names)-1] // the ref name, else containerd's
			if i := lastColon(tag); i >= 0 {
				tag = tag[i+1:]
			}
		}
		a.addTag(tag, desc.Digest, names...)
	}
	return nil
}

// lastColon is the index of a tag's ':' in a reference ("repo:tag"), or -1.
func lastColon(ref string) int {
	for i := len(ref) - 1; i >= 0 && ref[i] != '/'; i-- {
		if ref[i] == ':' {
			return i
		}
	}
	return -1
}
