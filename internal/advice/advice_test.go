package advice

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/regscope/regscope/pkg/registry"
)

func TestSentence(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&registry.Error{Method: "GET", URL: "http://127.0.0.1:8080/v2/demo/nope/manifests/latest", StatusCode: 404, Code: "NAME_UNKNOWN"},
			"No such image: 127.0.0.1:8080 has no repository demo/nope; check the name."},
		{fmt.Errorf("pull x: %w", &registry.Error{Method: "GET", URL: "https://ghcr.io/v2/a/b/manifests/v9", StatusCode: 404, Code: "MANIFEST_UNKNOWN"}),
			"No such image: ghcr.io/a/b has no tag or digest v9; check the tag."},
		{&registry.Error{Method: "GET", URL: "https://quay.io/v2/x/blobs/sha256:aa", StatusCode: 404},
			"No such image: check the name or tag."},
		{&registry.Error{Method: "GET", URL: "https://registry-1.docker.io/v2/library/alpine/manifests/3", StatusCode: 429, RetryAfter: 210 * time.Second},
			"Docker Hub rate limit reached; try again in 4 min or sign in."},
		{&registry.Error{Method: "GET", URL: "https://r.example/v2/a/manifests/1", StatusCode: 429},
			"r.example's rate limit reached; try again later or sign in."},
		{&registry.Error{Method: "GET", URL: "https://r.example/v2/team/app/manifests/1", StatusCode: 401},
			"This registry needs credentials: sign in to r.example to pull team/app (registries answer the same way for a repository that does not exist)."},
		{&registry.Error{Method: "GET", URL: "https://auth.example/token", StatusCode: 403},
			"This registry needs credentials: sign in to auth.example."},
		{&registry.Error{Method: "GET", URL: "http://127.0.0.1:8080/relay/ghcr.io/v2/org/secret/manifests/1", StatusCode: 401},
			"This registry needs credentials: sign in to ghcr.io to pull org/secret (registries answer the same way for a repository that does not exist)."},
		{&registry.Error{Method: "GET", URL: "https://example.org/regscope/relay/registry-1.docker.io/v2/library/app/manifests/1", StatusCode: 429},
			"Docker Hub rate limit reached; try again later or sign in."},
		{&registry.Error{Method: "GET", URL: "http://127.0.0.1:8080/relay/auth.example/token", StatusCode: 401},
			"This registry needs credentials: sign in to auth.example."},
		{&registry.Error{Method: "GET", URL: "https://r.example/v2/a/manifests/1", StatusCode: 500}, ""},
		{errors.New("dial tcp: refused"), ""},
		{nil, ""},
	} {
		if got := Sentence(tc.err); got != tc.want {
			t.Errorf("Sentence(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

func TestWait(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Second / 2: "1 s", 40 * time.Second: "40 s", time.Minute: "1 min", 3601 * time.Second: "61 min", 5 * time.Hour: "5 h",
	} {
		if got := Wait(d); got != want {
			t.Errorf("Wait(%v) = %q, want %q", d, got, want)
		}
	}
}
