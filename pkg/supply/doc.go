// Package supply gathers an image's supply chain in one report: its
// referrers (pkg/referrers), the signatures among them checked with the keys
// a person gives (pkg/signature), and its attestations and SBOMs decoded
// (pkg/attest). The CLI's verify command and the page's Supply chain view
// both use it, so they agree.
//
// Collect does the network part once, fetching every signature payload,
// envelope and attestation blob through pkg/registry, which verifies each
// against its digest. Report.Verify then checks signatures against keys
// without the network, so the page can re-check with a key pasted later.
package supply
