package manifest

import (
	_ "crypto/sha256" // digest algorithms must be linked in for digest.Validate
	_ "crypto/sha512"
	"fmt"
	"net/url"

	digest "github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// checkDescriptor validates what a puller relies on in a descriptor: a
// well-formed digest of an available algorithm, a non-negative size, embedded
// data that matches both, and http(s) URLs. field names it in errors
// ("layers[3]").
func checkDescriptor(field string, d v1.Descriptor) error {
	if d.Digest == "" {
		return invalidf("%s.digest is missing", field)
	}
	if err := d.Digest.Validate(); err != nil {
		return invalidf("%s.digest %q: %v", field, string(d.Digest), err)
	}
	if d.Size < 0 {
		return invalidf("%s.size is %d, must not be negative", field, d.Size)
	}
	if d.Data != nil {
		if int64(len(d.Data)) != d.Size {
			return invalidf("%s.data is %d bytes but size is %d", field, len(d.Data), d.Size)
		}
		if got := d.Digest.Algorithm().FromBytes(d.Data); got != d.Digest {
			return invalidf("%s.data has digest %s, want %s", field, got, d.Digest)
		}
	}
	for i, u := range d.URLs {
		pu, err := url.Parse(u)
		if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
			return invalidf("%s.urls[%d] %q is not an http(s) URL", field, i, u)
		}
	}
	return nil
}

// checkDescriptors checks each descriptor of list (named field[i] in errors)
// and subject, when there is one.
func checkDescriptors(field string, list []v1.Descriptor, subject *v1.Descriptor) error {
	for i, d := range list {
		if err := checkDescriptor(fmt.Sprintf("%s[%d]", field, i), d); err != nil {
			return err
		}
	}
	if subject != nil {
		return checkDescriptor("subject", *subject)
	}
	return nil
}

// validDigest reports whether s parses as a digest of an available algorithm.
func validDigest(s string) error {
	_, err := digest.Parse(s)
	return err
}
