// Package referrers finds what refers to an image: signatures, SBOMs and
// attestations stored beside it in its repository.
//
// Find asks the registry's OCI 1.1 referrers API
// (GET /v2/<name>/referrers/<digest>, artifactType filter, Link
// pagination) and, when the registry answers 404, reads the referrers tag
// schema instead (an image index tagged "sha256-<hex>"). It also looks for
// cosign's tag conventions ("sha256-<hex>.sig", ".att", ".sbom") and, given
// the image's index, for BuildKit attestation manifests inside it
// (vnd.docker.reference.type: attestation-manifest). Referrers of referrers
// (a signature on an SBOM) are found the same way and returned as a tree.
//
// Every manifest is fetched through pkg/registry and so verified against its
// digest (listed ones by digest; tag-named ones against
// Docker-Content-Digest); callers fetch the blobs a referrer names with
// registry.Client.BlobBytes, which verifies them too. Nothing here decides
// whether a signature is valid: that is pkg/signature's and pkg/attest's job.
package referrers
