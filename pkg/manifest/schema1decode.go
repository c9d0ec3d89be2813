package manifest

import (
	"encoding/json"
	"strings"
	"time"

	digest "github.com/opencontainers/go-digest"
)

// Decoding a schema 1 manifest from the wire: the JSON forms, the
// v1Compatibility documents, and collapsing Docker's duplicate layer IDs.

// schema1Entry is one layer of a schema 1 manifest with its decoded v1 JSON.
type schema1Entry struct {
	blobSum digest.Digest
	v1      v1Compat
	created *time.Time
}

// v1Compat is the part of a v1Compatibility document that Docker uses.
type v1Compat struct {
	ID              string          `json:"id"`
	Parent          string          `json:"parent"`
	Created         string          `json:"created"`
	Author          string          `json:"author"`
	Comment         string          `json:"comment"`
	Architecture    string          `json:"architecture"`
	Variant         string          `json:"variant"`
	OS              string          `json:"os"`
	OSVersion       string          `json:"os.version"`
	OSFeatures      []string        `json:"os.features"`
	Config          *v1CompatConfig `json:"config"`
	ContainerConfig struct {
		Cmd strSlice `json:"Cmd"`
	} `json:"container_config"`
	ThrowAway bool `json:"throwaway"`
}

// v1CompatConfig is the container config of a v1 image JSON.
type v1CompatConfig struct {
	User         string              `json:"User"`
	ExposedPorts map[string]struct{} `json:"ExposedPorts"`
	Env          []string            `json:"Env"`
	Entrypoint   strSlice            `json:"Entrypoint"`
	Cmd          strSlice            `json:"Cmd"`
	Volumes      map[string]struct{} `json:"Volumes"`
	WorkingDir   string              `json:"WorkingDir"`
	Labels       map[string]string   `json:"Labels"`
	StopSignal   string              `json:"StopSignal"`
	ArgsEscaped  bool                `json:"ArgsEscaped"`
}

// strSlice decodes a JSON string or array of strings, as Docker's strslice
// does for Cmd and Entrypoint in old configs.
type strSlice []string

// UnmarshalJSON accepts null, "a string" or ["an", "array"].
func (s *strSlice) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var one string
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*s = strSlice{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*s = many
	return nil
}

// schema1Wire is the JSON form of a schema 1 manifest (without signatures).
type schema1Wire struct {
	SchemaVersion int         `json:"schemaVersion"`
	Name          string      `json:"name"`
	Tag           string      `json:"tag"`
	Architecture  string      `json:"architecture"`
	FSLayers      []FSLayer   `json:"fsLayers"`
	History       []V1History `json:"history"`
}

func parseSchema1(body []byte, mt string, p *probe) (*Manifest, error) {
	payload, signed := body, false
	if present(p.Signatures) {
		var err error
		if payload, err = jwsPayload(body, p.Signatures); err != nil {
			return nil, err
		}
		signed = true
	}
	// The fields come from the payload, the bytes the digest covers, as in
	// Docker: a body whose signatures hide a different manifest gets the
	// manifest that was signed.
	var probePayload probe
	if err := json.Unmarshal(payload, &probePayload); err != nil {
		return nil, invalidf("%s payload: %v", mt, err)
	}
	if err := checkCount("fsLayers", probePayload.FSLayers); err != nil {
		return nil, err
	}
	var w schema1Wire
	if err := json.Unmarshal(payload, &w); err != nil {
		return nil, invalidf("%s: %v", mt, err)
	}
	if err := checkSchemaVersion(w.SchemaVersion, 1); err != nil {
		return nil, err
	}
	if len(w.FSLayers) == 0 {
		return nil, invalidf("%s: fsLayers is empty", mt)
	}
	if len(w.FSLayers) != len(w.History) {
		return nil, invalidf("%s: %d fsLayers but %d history entries", mt, len(w.FSLayers), len(w.History))
	}
	entries := make([]schema1Entry, len(w.FSLayers))
	for i := range w.FSLayers {
		if err := validDigest(string(w.FSLayers[i].BlobSum)); err != nil {
			return nil, invalidf("fsLayers[%d].blobSum %q: %v", i, string(w.FSLayers[i].BlobSum), err)
		}
		e, err := decodeV1Compat(i, w.History[i].V1Compatibility)
		if err != nil {
			return nil, err
		}
		e.blobSum = w.FSLayers[i].BlobSum
		entries[i] = e
	}
	entries, err := collapseLayers(entries)
	if err != nil {
		return nil, err
	}
	s := &Schema1{
		Name: w.Name, Tag: w.Tag, Architecture: w.Architecture,
		FSLayers: w.FSLayers, History: w.History,
		payload: payload, signed: signed, entries: entries,
	}
	return &Manifest{MediaType: mt, Schema1: s}, nil
}

// decodeV1Compat decodes history[i].v1Compatibility and checks its id.
func decodeV1Compat(i int, doc string) (schema1Entry, error) {
	var e schema1Entry
	if err := json.Unmarshal([]byte(doc), &e.v1); err != nil {
		return e, invalidf("history[%d].v1Compatibility: %v", i, err)
	}
	if !isV1ID(e.v1.ID) {
		return e, invalidf("history[%d].v1Compatibility id %q is not 64 lowercase hex digits", i, e.v1.ID)
	}
	if e.v1.Created != "" {
		t, err := time.Parse(time.RFC3339Nano, e.v1.Created)
		if err != nil {
			return e, invalidf("history[%d].v1Compatibility created %q: %v", i, e.v1.Created, err)
		}
		e.created = &t
	}
	return e, nil
}

// collapseLayers applies Docker's fixManifestLayers to top-first entries:
// a run of consecutive entries with the same v1 ID is one layer (the lowest
// of the run is kept), an ID recurring elsewhere is an error, each entry's
// parent must be the ID below it, and the base layer has no parent (Windows
// base layers excepted, whose parent lives outside the manifest).
func collapseLayers(entries []schema1Entry) ([]schema1Entry, error) {
	last := len(entries) - 1
	if p := entries[last].v1.Parent; p != "" && !strings.EqualFold(entries[last].v1.OS, "windows") {
		return nil, invalidf("history[%d] is the base layer but has parent %q", last, p)
	}
	seen := make(map[string]int, len(entries))
	for i, e := range entries {
		if j, ok := seen[e.v1.ID]; ok && entries[i-1].v1.ID != e.v1.ID {
			return nil, invalidf("history[%d] and history[%d] both have id %s", j, i, e.v1.ID)
		}
		seen[e.v1.ID] = i
	}
	out := make([]schema1Entry, 0, len(entries))
	for i, e := range entries {
		if i < last {
			below := entries[i+1].v1.ID
			if e.v1.ID == below {
				continue // a repeat of the layer below: keep that one
			}
			if e.v1.Parent != below {
				return nil, invalidf("history[%d] has parent %q, want %q (the id of history[%d])", i, e.v1.Parent, below, i+1)
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// isV1ID reports whether id is a v1 image ID: 64 lowercase hex digits.
func isV1ID(id string) bool {
	if len(id) != 64 {
		return false
	}
	for _, c := range id {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
