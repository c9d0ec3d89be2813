package manifest

import (
	"bytes"
	"encoding/json"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// MaxConfigSize is the largest image config ParseConfig decodes, in bytes.
// Real configs are kilobytes; ones with long histories reach a few hundred.
const MaxConfigSize = 8 << 20

// ParseConfig decodes and validates an image config (OCI or Docker; they
// share a format). rootfs.type must be "layers" and every rootfs.diff_ids
// entry a valid digest; errors wrap ErrInvalidConfig and name the field.
func ParseConfig(body []byte) (*v1.Image, error) {
	if len(body) > MaxConfigSize {
		return nil, configInvalidf("config is %d bytes, more than the %d allowed", len(body), MaxConfigSize)
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, configInvalidf("config is not a JSON object")
	}
	var probe struct {
		RootFS *struct {
			DiffIDs json.RawMessage `json:"diff_ids"`
		} `json:"rootfs"`
		History json.RawMessage `json:"history"`
	}
	if err := json.Unmarshal(body, &probe); err != nil {
		return nil, configInvalidf("%v", err)
	}
	if probe.RootFS == nil {
		return nil, configInvalidf("rootfs is missing")
	}
	if n := countElements(probe.RootFS.DiffIDs); n > MaxEntries {
		return nil, configInvalidf("rootfs.diff_ids has %d entries, more than the %d allowed", n, MaxEntries)
	}
	if n := countElements(probe.History); n > MaxEntries {
		return nil, configInvalidf("history has %d entries, more than the %d allowed", n, MaxEntries)
	}
	img := new(v1.Image)
	if err := json.Unmarshal(body, img); err != nil {
		return nil, configInvalidf("%v", err)
	}
	if img.RootFS.Type != "layers" {
		return nil, configInvalidf("rootfs.type is %q, want \"layers\"", img.RootFS.Type)
	}
	for i, d := range img.RootFS.DiffIDs {
		if err := validDigest(string(d)); err != nil {
			return nil, configInvalidf("rootfs.diff_ids[%d] %q: %v", i, string(d), err)
		}
	}
	return img, nil
}

// LayerHistory returns, for each of n layers (bottom-first), the history
// entry that created it. Entries marked empty_layer made no layer and are
// skipped. Where the history runs out the result holds nil; where it names
// more layers than n, the first n are used. The pointers point into
// img.History.
func LayerHistory(img *v1.Image, n int) []*v1.History {
	if n <= 0 {
		return nil
	}
	out := make([]*v1.History, n)
	if img == nil {
		return out
	}
	layer := 0
	for i := range img.History {
		if layer == n {
			break
		}
		if img.History[i].EmptyLayer {
			continue
		}
		out[layer] = &img.History[i]
		layer++
	}
	return out
}
