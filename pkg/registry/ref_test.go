package registry

import (
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"
)

const testDigest = "sha256:9ed4aefc74f6792b5a804d1d146fe4b4a2299147b0f50eaf2b08435d7b38c27e"

func TestParseRef(t *testing.T) {
	for _, tc := range []struct {
		in                      string
		domain, path, tag       string
		dgst                    digest.Digest
		name, str, familiar, id string
		host                    string
	}{
		{in: "alpine", domain: "docker.io", path: "library/alpine", tag: "latest",
			name: "docker.io/library/alpine", str: "docker.io/library/alpine:latest", familiar: "alpine:latest", id: "latest", host: "registry-1.docker.io"},
		{in: "alpine:3.20", domain: "docker.io", path: "library/alpine", tag: "3.20",
			name: "docker.io/library/alpine", str: "docker.io/library/alpine:3.20", familiar: "alpine:3.20", id: "3.20", host: "registry-1.docker.io"},
		{in: "docker.io/library/alpine:3.20", domain: "docker.io", path: "library/alpine", tag: "3.20",
			name: "docker.io/library/alpine", str: "docker.io/library/alpine:3.20", familiar: "alpine:3.20", id: "3.20", host: "registry-1.docker.io"},
		{in: "index.docker.io/library/alpine", domain: "docker.io", path: "library/alpine", tag: "latest",
			name: "docker.io/library/alpine", str: "docker.io/library/alpine:latest", familiar: "alpine:latest", id: "latest", host: "registry-1.docker.io"},
		{in: "user/app:1", domain: "docker.io", path: "user/app", tag: "1",
			name: "docker.io/user/app", str: "docker.io/user/app:1", familiar: "user/app:1", id: "1", host: "registry-1.docker.io"},
		{in: "alpine@" + testDigest, domain: "docker.io", path: "library/alpine", dgst: testDigest,
			name: "docker.io/library/alpine", str: "docker.io/library/alpine@" + testDigest, familiar: "alpine@" + testDigest, id: testDigest, host: "registry-1.docker.io"},
		{in: "alpine:3.20@" + testDigest, domain: "docker.io", path: "library/alpine", tag: "3.20", dgst: testDigest,
			name: "docker.io/library/alpine", str: "docker.io/library/alpine:3.20@" + testDigest, familiar: "alpine:3.20@" + testDigest, id: testDigest, host: "registry-1.docker.io"},
		{in: "ghcr.io/owner/repo/sub:v1.2.3", domain: "ghcr.io", path: "owner/repo/sub", tag: "v1.2.3",
			name: "ghcr.io/owner/repo/sub", str: "ghcr.io/owner/repo/sub:v1.2.3", familiar: "ghcr.io/owner/repo/sub:v1.2.3", id: "v1.2.3", host: "ghcr.io"},
		{in: "localhost:5000/app", domain: "localhost:5000", path: "app", tag: "latest",
			name: "localhost:5000/app", str: "localhost:5000/app:latest", familiar: "localhost:5000/app:latest", id: "latest", host: "localhost:5000"},
		{in: "localhost/app:x", domain: "localhost", path: "app", tag: "x",
			name: "localhost/app", str: "localhost/app:x", familiar: "localhost/app:x", id: "x", host: "localhost"},
		{in: "127.0.0.1:41234/a/b:t", domain: "127.0.0.1:41234", path: "a/b", tag: "t",
			name: "127.0.0.1:41234/a/b", str: "127.0.0.1:41234/a/b:t", familiar: "127.0.0.1:41234/a/b:t", id: "t", host: "127.0.0.1:41234"},
		{in: "[::1]:5000/app@" + testDigest, domain: "[::1]:5000", path: "app", dgst: testDigest,
			name: "[::1]:5000/app", str: "[::1]:5000/app@" + testDigest, familiar: "[::1]:5000/app@" + testDigest, id: testDigest, host: "[::1]:5000"},
		{in: "registry.example.com:443/team/img:TAG_1", domain: "registry.example.com:443", path: "team/img", tag: "TAG_1",
			name: "registry.example.com:443/team/img", str: "registry.example.com:443/team/img:TAG_1", familiar: "registry.example.com:443/team/img:TAG_1", id: "TAG_1", host: "registry.example.com:443"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			r, err := ParseRef(tc.in)
			if err != nil {
				t.Fatalf("ParseRef(%q): %v", tc.in, err)
			}
			want := Ref{Domain: tc.domain, Path: tc.path, Tag: tc.tag, Digest: tc.dgst}
			if r != want {
				t.Errorf("ParseRef(%q) = %+v, want %+v", tc.in, r, want)
			}
			for _, c := range []struct{ what, got, want string }{
				{"Name", r.Name(), tc.name}, {"String", r.String(), tc.str}, {"Familiar", r.Familiar(), tc.familiar},
				{"Identifier", r.Identifier(), tc.id}, {"Host", r.Host(), tc.host},
			} {
				if c.got != c.want {
					t.Errorf("%s() = %q, want %q", c.what, c.got, c.want)
				}
			}
			// String round-trips.
			if again, err := ParseRef(r.String()); err != nil || again != r {
				t.Errorf("ParseRef(String()) = %+v, %v; want %+v", again, err, r)
			}
		})
	}
}

func TestParseRefInvalid(t *testing.T) {
	for _, in := range []string{
		"", "Alpine", "alpine:", "alpine@sha256:short", "alpine:tag with space", "-leading/dash",
		"a/b:" + strings.Repeat("t", 129), "upper/Case:tag", "alpine@md5:d41d8cd98f00b204e9800998ecf8427e",
		"9ed4aefc74f6792b5a804d1d146fe4b4a2299147b0f50eaf2b08435d7b38c27e", "host:port:tag/x", "a//b",
	} {
		r, err := ParseRef(in)
		if err == nil {
			t.Errorf("ParseRef(%q) = %+v, want an error", in, r)
			continue
		}
		if !strings.Contains(err.Error(), `"`+in+`"`) {
			t.Errorf("ParseRef(%q) error %q does not quote the input", in, err)
		}
	}
}

func TestWithDigest(t *testing.T) {
	r, _ := ParseRef("alpine:3.20")
	p := r.WithDigest(testDigest)
	if p.Tag != "3.20" || p.Digest != testDigest || p.Identifier() != testDigest || r.Digest != "" {
		t.Errorf("WithDigest: %+v (original %+v)", p, r)
	}
}
