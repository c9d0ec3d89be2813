package attest

import (
	"encoding/json"
	"fmt"
	"strings"
)

// SBOM formats (SBOM.Format).
const (
	FormatSPDX      = "SPDX"
	FormatCycloneDX = "CycloneDX"
)

// SBOM is the package list of an SPDX or CycloneDX document.
type SBOM struct {
	Format   string // FormatSPDX or FormatCycloneDX
	Version  string // "SPDX-2.3", "1.5"
	Name     string // the document's name (SPDX) or main component (CycloneDX)
	Packages []SBOMPackage
}

// SBOMPackage is one package an SBOM lists.
type SBOMPackage struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	License string `json:"license"`
	PURL    string `json:"purl"`
}

// ParseSPDX decodes an SPDX 2.x JSON document.
func ParseSPDX(b []byte) (*SBOM, error) {
	var w struct {
		SPDXVersion string `json:"spdxVersion"`
		Name        string `json:"name"`
		Packages    []struct {
			Name             string `json:"name"`
			VersionInfo      string `json:"versionInfo"`
			LicenseConcluded string `json:"licenseConcluded"`
			LicenseDeclared  string `json:"licenseDeclared"`
			ExternalRefs     []struct {
				Type    string `json:"referenceType"`
				Locator string `json:"referenceLocator"`
			} `json:"externalRefs"`
		} `json:"packages"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return nil, fmt.Errorf("SPDX document is not JSON: %v", err)
	}
	if !strings.HasPrefix(w.SPDXVersion, "SPDX-") {
		return nil, fmt.Errorf("SPDX document: spdxVersion %q, want SPDX-2.x", w.SPDXVersion)
	}
	s := &SBOM{Format: FormatSPDX, Version: w.SPDXVersion, Name: w.Name, Packages: []SBOMPackage{}}
	for _, p := range w.Packages {
		sp := SBOMPackage{Name: p.Name, Version: p.VersionInfo, License: spdxLicense(p.LicenseDeclared, p.LicenseConcluded)}
		for _, r := range p.ExternalRefs {
			if r.Type == "purl" {
				sp.PURL = r.Locator
				break
			}
		}
		s.Packages = append(s.Packages, sp)
	}
	return s, nil
}

// spdxLicense picks the declared licence, else the concluded one; SPDX's
// NOASSERTION and NONE read as unknown.
func spdxLicense(declared, concluded string) string {
	for _, l := range []string{declared, concluded} {
		if l != "" && l != "NOASSERTION" && l != "NONE" {
			return l
		}
	}
	return ""
}

// ParseCycloneDX decodes a CycloneDX JSON document (1.2 and later).
func ParseCycloneDX(b []byte) (*SBOM, error) {
	type component struct {
		Name     string `json:"name"`
		Version  string `json:"version"`
		PURL     string `json:"purl"`
		Licenses []struct {
			License struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"license"`
			Expression string `json:"expression"`
		} `json:"licenses"`
	}
	var w struct {
		BOMFormat   string `json:"bomFormat"`
		SpecVersion string `json:"specVersion"`
		Metadata    struct {
			Component component `json:"component"`
		} `json:"metadata"`
		Components []component `json:"components"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return nil, fmt.Errorf("CycloneDX document is not JSON: %v", err)
	}
	if w.BOMFormat != "CycloneDX" {
		return nil, fmt.Errorf("CycloneDX document: bomFormat %q, want CycloneDX", w.BOMFormat)
	}
	s := &SBOM{Format: FormatCycloneDX, Version: w.SpecVersion, Name: w.Metadata.Component.Name, Packages: []SBOMPackage{}}
	for _, c := range w.Components {
		var lic []string
		for _, l := range c.Licenses {
			switch {
			case l.Expression != "":
				lic = append(lic, l.Expression)
			case l.License.ID != "":
				lic = append(lic, l.License.ID)
			case l.License.Name != "":
				lic = append(lic, l.License.Name)
			}
		}
		s.Packages = append(s.Packages, SBOMPackage{Name: c.Name, Version: c.Version, PURL: c.PURL, License: strings.Join(lic, " OR ")})
	}
	return s, nil
}
