package msg

// Kinds for the Supply chain and Packages views. They extend the protocol
// in msg.go without changing any existing message; both answer about the
// image last pulled.
const (
	// KindSupply asks for the image's referrers, signatures and
	// attestations, signatures checked with the keys given:
	// SupplyRequest → SupplyResult.
	KindSupply Kind = "supply"
	// KindPackages asks for the package inventory of the image's merged
	// filesystem: no body → PackagesResult.
	KindPackages Kind = "packages"
)

// SupplyRequest carries what a person pasted to verify with (PEM text).
type SupplyRequest struct {
	Key  string `json:"key,omitempty"`  // a cosign public key
	Root string `json:"root,omitempty"` // root certificate(s): Fulcio root, Notation trust anchor
}

// SupplyResult is an image's supply chain (pkg/supply.Report).
type SupplyResult struct {
	Manifest string `json:"manifest"`        // the platform's manifest digest
	Index    string `json:"index,omitempty"` // the index digest, when there is one
	KeyError string `json:"keyError,omitempty"`
	// Verdict is the signature that settles whether the image itself is
	// signed with the keys given (supply.Report.Best); nil: unsigned.
	Verdict      *Signature    `json:"verdict,omitempty"`
	Referrers    []Referrer    `json:"referrers"`
	Signatures   []Signature   `json:"signatures"`
	Attestations []Attestation `json:"attestations"`
}

// Referrer is one manifest referring to the image (or to a referrer).
type Referrer struct {
	Digest       string            `json:"digest"`
	Subject      string            `json:"subject"`
	MediaType    string            `json:"mediaType"`
	ArtifactType string            `json:"artifactType"`
	Type         string            `json:"type"` // what it is, for people (referrers.Referrer.Type)
	Size         int64             `json:"size"`
	Source       string            `json:"source"` // how it was found
	Tag          string            `json:"tag,omitempty"`
	Created      string            `json:"created,omitempty"`
	Annotations  map[string]string `json:"annotations,omitempty"`
	Body         string            `json:"body"`            // the manifest JSON, digest-verified
	Error        string            `json:"error,omitempty"` // why it could not be fetched or verified (then no Body)
	Referrers    []Referrer        `json:"referrers,omitempty"`
}

// Signature is one signature and what checking it found.
type Signature struct {
	Referrer     string   `json:"referrer"` // the signature manifest
	Subject      string   `json:"subject"`  // what it is attached to
	Layer        string   `json:"layer"`
	Source       string   `json:"source"`
	Kind         string   `json:"kind"`   // cosign, cosign keyless, notation, dsse
	Status       string   `json:"status"` // verified, bad signature, signed for another digest, not verified, invalid
	Reason       string   `json:"reason"`
	SignedDigest string   `json:"signedDigest,omitempty"`
	Key          string   `json:"key,omitempty"`
	Signer       *Signer  `json:"signer,omitempty"`
	Unchecked    []string `json:"unchecked,omitempty"`
}

// Signer is a signing certificate as a person reads it.
type Signer struct {
	Subject   string `json:"subject"`
	Identity  string `json:"identity"`
	Issuer    string `json:"issuer"`
	NotBefore string `json:"notBefore"` // RFC 3339
	NotAfter  string `json:"notAfter"`
}

// Attestation is one attestation or SBOM, decoded.
type Attestation struct {
	Referrer      string     `json:"referrer"`
	Subject       string     `json:"subject"`
	Layer         string     `json:"layer"`
	MediaType     string     `json:"mediaType"`
	Source        string     `json:"source"`
	PredicateType string     `json:"predicateType,omitempty"`
	SubjectMatch  bool       `json:"subjectMatch"` // an in-toto subject names the image's digest
	Statement     bool       `json:"statement"`    // it is (or wraps) an in-toto statement
	Error         string     `json:"error,omitempty"`
	Builder       string     `json:"builder,omitempty"` // SLSA provenance
	BuildType     string     `json:"buildType,omitempty"`
	Sources       []string   `json:"sources,omitempty"`
	Parameters    string     `json:"parameters,omitempty"` // JSON
	SBOM          *SBOM      `json:"sbom,omitempty"`
	Raw           string     `json:"raw"`                 // the blob (or DSSE payload) as JSON
	Signature     *Signature `json:"signature,omitempty"` // the DSSE envelope's check
}

// SBOM is an SPDX or CycloneDX package list.
type SBOM struct {
	Format   string        `json:"format"` // SPDX, CycloneDX
	Version  string        `json:"version"`
	Name     string        `json:"name"`
	Packages []SBOMPackage `json:"packages"`
}

// SBOMPackage is one package of an SBOM.
type SBOMPackage struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	License string `json:"license,omitempty"`
	PURL    string `json:"purl,omitempty"`
}

// PackagesResult is the package inventory (pkg/packages).
type PackagesResult struct {
	Packages []Package `json:"packages"`
}

// Package is one installed package.
type Package struct {
	Name    string   `json:"name"`
	Version string   `json:"version"`
	Arch    string   `json:"arch"`
	Source  string   `json:"source"`
	License string   `json:"license,omitempty"`
	Manager string   `json:"manager"` // dpkg, apk
	DB      string   `json:"db"`      // the database file
	Layer   int      `json:"layer"`   // -1 when unknown
	Files   []string `json:"files,omitempty"`
}
