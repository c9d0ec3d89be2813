package supplytest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"testing"

	ggcr "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Media and predicate types of attestations, written out for the tests.
const (
	SPDXType       = "application/spdx+json"
	CycloneDXType  = "application/vnd.cyclonedx+json"
	InTotoType     = "application/vnd.in-toto+json"
	DSSEType       = "application/vnd.dsse.envelope.v1+json"
	SLSA02         = "https://slsa.dev/provenance/v0.2"
	SLSA1          = "https://slsa.dev/provenance/v1"
	SPDXPredicate  = "https://spdx.dev/Document"
	AnnPredicate   = "in-toto.io/predicate-type"
	AnnRefType     = "vnd.docker.reference.type"
	AnnRefDigest   = "vnd.docker.reference.digest"
	AttestationMan = "attestation-manifest"
)

// SPDX is an SPDX 2.3 document listing two Debian packages, as syft writes.
const SPDX = `{"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","name":"registry.example/app","documentNamespace":"https://anchore.com/syft/image/app-1",
"creationInfo":{"created":"2024-05-01T10:00:00Z","creators":["Tool: syft-1.4.1"]},
"packages":[
{"name":"zlib1g","SPDXID":"SPDXRef-Package-deb-zlib1g","versionInfo":"1:1.2.13.dfsg-1","supplier":"Person: Mark Brown","downloadLocation":"NOASSERTION","licenseConcluded":"NOASSERTION","licenseDeclared":"Zlib","externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12"}]},
{"name":"libc6","SPDXID":"SPDXRef-Package-deb-libc6","versionInfo":"2.36-9+deb12u7","downloadLocation":"NOASSERTION","licenseConcluded":"NOASSERTION","licenseDeclared":"GPL-2.0-only AND LGPL-2.1-only","externalRefs":[{"referenceCategory":"SECURITY","referenceType":"cpe23Type","referenceLocator":"cpe:2.3:a:libc6:libc6:2.36-9+deb12u7:*:*:*:*:*:*:*"},{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"pkg:deb/debian/libc6@2.36-9+deb12u7?arch=amd64&distro=debian-12"}]}
]}`

// CycloneDX is a CycloneDX 1.5 BOM listing two Alpine packages.
const CycloneDX = `{"bomFormat":"CycloneDX","specVersion":"1.5","serialNumber":"urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79","version":1,
"metadata":{"timestamp":"2024-05-01T10:00:00Z","component":{"type":"container","name":"registry.example/app","version":"sha256:0000"}},
"components":[
{"type":"library","name":"musl","version":"1.2.5-r0","licenses":[{"license":{"id":"MIT"}}],"purl":"pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.20.0"},
{"type":"library","name":"busybox","version":"1.36.1-r29","licenses":[{"expression":"GPL-2.0-only"}],"purl":"pkg:apk/alpine/busybox@1.36.1-r29?arch=x86_64&distro=alpine-3.20.0"}
]}`

// Statement is an in-toto v1 statement about subject (name and sha256 hex).
func Statement(name, hex, predicateType, predicate string) []byte {
	return fmt.Appendf(nil, `{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":%q,"digest":{"sha256":%q}}],"predicateType":%q,"predicate":%s}`, name, hex, predicateType, predicate)
}

// ProvenanceV02 is a SLSA v0.2 predicate as BuildKit writes it.
const ProvenanceV02 = `{"builder":{"id":"https://github.com/docker/buildx@v0.14.0"},"buildType":"https://mobyproject.org/buildkit@v1",
"materials":[{"uri":"pkg:docker/debian@12?platform=linux%2Famd64","digest":{"sha256":"1111111111111111111111111111111111111111111111111111111111111111"}}],
"invocation":{"configSource":{"uri":"https://github.com/example/app.git#refs/heads/main","digest":{"sha1":"2222222222222222222222222222222222222222"},"entryPoint":"Dockerfile"},"parameters":{"frontend":"dockerfile.v0","args":{"build-arg:VERSION":"1.0"}}}}`

// ProvenanceV1 is a SLSA v1 predicate as a GitHub Actions builder writes it.
const ProvenanceV1 = `{"buildDefinition":{"buildType":"https://actions.github.io/buildtypes/workflow/v1","externalParameters":{"workflow":{"ref":"refs/tags/v1.0","repository":"https://github.com/example/app","path":".github/workflows/release.yml"}},
"resolvedDependencies":[{"uri":"git+https://github.com/example/app@refs/tags/v1.0","digest":{"gitCommit":"3333333333333333333333333333333333333333"}}]},
"runDetails":{"builder":{"id":"https://github.com/actions/runner/github-hosted"},"metadata":{"invocationId":"https://github.com/example/app/actions/runs/1/attempts/1"}}}`

// DSSE wraps payload in a DSSE envelope signed with k over the PAE, as
// cosign attest writes.
func (k Key) DSSE(t testing.TB, payloadType string, payload []byte) []byte {
	t.Helper()
	pae := "DSSEv1 " + strconv.Itoa(len(payloadType)) + " " + payloadType + " " + strconv.Itoa(len(payload)) + " " + string(payload)
	env := map[string]any{
		"payloadType": payloadType,
		"payload":     base64.StdEncoding.EncodeToString(payload),
		"signatures":  []map[string]string{{"keyid": "", "sig": base64.StdEncoding.EncodeToString(k.Sign(t, []byte(pae)))}},
	}
	b, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// BuildKitIndex is an index holding img for linux/amd64 and, as BuildKit
// writes with --sbom and --provenance, an attestation manifest for it
// (platform unknown/unknown, vnd.docker.reference.* annotations) whose
// layers are in-toto statements. It returns the index and the attestation.
func BuildKitIndex(t testing.TB, img ggcr.Image, statements ...Blob) (ggcr.ImageIndex, ggcr.Image) {
	t.Helper()
	d := Descriptor(t, img)
	att := Artifact(t, string(types.OCIConfigJSON), statements...)
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	idx = mutate.AppendManifests(idx,
		mutate.IndexAddendum{Add: img, Descriptor: ggcr.Descriptor{Platform: &ggcr.Platform{OS: "linux", Architecture: "amd64"}}},
		mutate.IndexAddendum{Add: att, Descriptor: ggcr.Descriptor{
			Platform:    &ggcr.Platform{OS: "unknown", Architecture: "unknown"},
			Annotations: map[string]string{AnnRefType: AttestationMan, AnnRefDigest: d.Digest.String()},
		}},
	)
	return idx, att
}
