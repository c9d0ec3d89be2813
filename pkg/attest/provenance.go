package attest

import (
	"encoding/json"
	"fmt"
)

// Provenance is what a SLSA provenance predicate says about a build.
type Provenance struct {
	Builder    string          // builder.id
	BuildType  string          // buildType
	Sources    []Source        // v0.2: invocation.configSource and materials; v1: resolvedDependencies
	Parameters json.RawMessage // v0.2: invocation.parameters; v1: buildDefinition.externalParameters
}

// Source is one input of a build.
type Source struct {
	URI    string            `json:"uri"`
	Digest map[string]string `json:"digest"`
}

// ParseProvenance decodes a SLSA provenance predicate of predicateType
// v0.2 or v1.
func ParseProvenance(predicateType string, predicate []byte) (*Provenance, error) {
	switch predicateType {
	case PredicateSLSA02:
		var w struct {
			Builder    struct{ ID string } `json:"builder"`
			BuildType  string              `json:"buildType"`
			Invocation struct {
				ConfigSource Source          `json:"configSource"`
				Parameters   json.RawMessage `json:"parameters"`
			} `json:"invocation"`
			Materials []Source `json:"materials"`
		}
		if err := json.Unmarshal(predicate, &w); err != nil {
			return nil, fmt.Errorf("SLSA v0.2 provenance: %v", err)
		}
		p := &Provenance{Builder: w.Builder.ID, BuildType: w.BuildType, Parameters: w.Invocation.Parameters}
		if w.Invocation.ConfigSource.URI != "" {
			p.Sources = append(p.Sources, w.Invocation.ConfigSource)
		}
		p.Sources = append(p.Sources, w.Materials...)
		return p, nil
	case PredicateSLSA1:
		var w struct {
			BuildDefinition struct {
				BuildType            string          `json:"buildType"`
				ExternalParameters   json.RawMessage `json:"externalParameters"`
				ResolvedDependencies []Source        `json:"resolvedDependencies"`
			} `json:"buildDefinition"`
			RunDetails struct {
				Builder struct{ ID string } `json:"builder"`
			} `json:"runDetails"`
		}
		if err := json.Unmarshal(predicate, &w); err != nil {
			return nil, fmt.Errorf("SLSA v1 provenance: %v", err)
		}
		d := w.BuildDefinition
		return &Provenance{Builder: w.RunDetails.Builder.ID, BuildType: d.BuildType, Sources: d.ResolvedDependencies, Parameters: d.ExternalParameters}, nil
	}
	return nil, fmt.Errorf("predicate type %q is not SLSA provenance", predicateType)
}
