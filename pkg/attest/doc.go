// Package attest decodes what build tools attach to images: DSSE envelopes,
// in-toto statements (their subjects checked against the image's digest),
// SLSA provenance (v0.2 and v1: builder, build type, sources, parameters)
// and SBOMs in SPDX 2.x and CycloneDX JSON (package name, version, licence,
// purl).
//
// Decode takes a blob by media type — as cosign attaches it (a DSSE
// envelope), as BuildKit does (a bare in-toto statement in an attestation
// manifest) or as an OCI referrer (a bare SPDX or CycloneDX document) — and
// returns one Document. Envelope.Verify checks a DSSE signature with a
// public key over the envelope's pre-authentication encoding.
package attest
