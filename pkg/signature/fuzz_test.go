package signature_test

import (
	"testing"

	"github.com/opencontainers/go-digest"

	"github.com/regscope/regscope/pkg/signature"
)

// FuzzNotationEnvelope feeds arbitrary bytes (they come from a registry) to
// both envelope decoders: never a panic, and never verified without a root.
func FuzzNotationEnvelope(f *testing.F) {
	f.Add([]byte{0xd2, 0x84, 0x43, 0xa1, 0x01, 0x26, 0xa0, 0x40, 0x40})
	f.Add([]byte{0x9f, 0xff})
	f.Add([]byte{0x84, 0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte(`{"payload":"e30","protected":"eyJhbGciOiJFUzI1NiJ9","header":{"x5c":["AA=="]},"signature":""}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, mt := range []string{signature.MediaTypeCOSE, signature.MediaTypeJWS} {
			r := signature.VerifyNotation(mt, b, digest.FromString("x"), signature.Keys{})
			if r.Status == signature.Verified {
				t.Fatalf("%s envelope verified without a root: %+v", mt, r)
			}
		}
	})
}
