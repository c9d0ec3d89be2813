//go:build !js

package referrers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/supplytest"
	"github.com/regscope/regscope/internal/tartest"
	"github.com/regscope/regscope/pkg/referrers"
	"github.com/regscope/regscope/pkg/registry"
)

// pager makes the real registry's referrers answer paginated, one
// descriptor a page with a Link rel="next", as registries with many
// referrers do (go-containerregistry's registry answers in one page). It
// records the queries it was asked. With next set, the Link points there
// instead.
type pager struct {
	mu      sync.Mutex
	queries []string
	next    string
}

// reset forgets the queries seen so far (the pushes' own probes).
func (p *pager) reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.queries = nil
}

func (p *pager) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if !strings.Contains(req.URL.Path, "/referrers/") {
			h.ServeHTTP(w, req)
			return
		}
		p.mu.Lock()
		p.queries = append(p.queries, req.URL.RawQuery)
		p.mu.Unlock()
		inner := req.Clone(req.Context())
		inner.URL.RawQuery = ""
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, inner)
		var idx v1.Index
		if err := json.Unmarshal(rec.Body.Bytes(), &idx); err != nil || rec.Code != http.StatusOK {
			w.WriteHeader(rec.Code)
			w.Write(rec.Body.Bytes())
			return
		}
		sort.Slice(idx.Manifests, func(i, j int) bool { return idx.Manifests[i].Digest < idx.Manifests[j].Digest })
		page, _ := strconv.Atoi(req.URL.Query().Get("page"))
		all := idx.Manifests
		idx.Manifests = all[page : page+1]
		if page+1 < len(all) {
			next := fmt.Sprintf("%s?page=%d", req.URL.Path, page+1)
			if p.next != "" {
				next = p.next
			}
			w.Header().Set("Link", fmt.Sprintf(`<%s>; rel="next"`, next))
		}
		w.Header().Set("Content-Type", v1.MediaTypeImageIndex)
		json.NewEncoder(w).Encode(idx)
	})
}

// three pushes an image with two signature referrers and an SBOM referrer.
func three(t *testing.T, host string) (registry.Ref, digest.Digest, []string) {
	repo := host + "/paged/app"
	img := imagetest.Image(t, imagetest.OCI, imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "f", Body: "f"}))
	d := regtest.Push(t, repo+":1", img)
	desc := supplytest.Descriptor(t, img)
	key := supplytest.NewKey(t, "ed25519")
	var digests []string
	sig1 := supplytest.SignatureReferrer(t, desc, key.Signed(t, supplytest.Payload(repo, d.String())))
	sig2 := supplytest.SignatureReferrer(t, desc, key.Signed(t, supplytest.Payload(repo+"/other", d.String())))
	sbom := supplytest.WithSubject(supplytest.Artifact(t, supplytest.SPDXType, supplytest.Blob{MediaType: supplytest.SPDXType, Data: []byte(supplytest.SPDX)}), desc)
	digests = append(digests,
		regtest.Push(t, repo+"@"+supplytest.Descriptor(t, sig1).Digest.String(), sig1).String(),
		regtest.Push(t, repo+"@"+supplytest.Descriptor(t, sig2).Digest.String(), sig2).String(),
		regtest.Push(t, repo+"@"+supplytest.Descriptor(t, sbom).Digest.String(), sbom).String())
	sort.Strings(digests)
	r, err := registry.ParseRef(repo + ":1")
	if err != nil {
		t.Fatal(err)
	}
	return r, digest.Digest(d.String()), digests
}

func digestsOf(refs []*referrers.Referrer) []string {
	var out []string
	for _, r := range refs {
		out = append(out, string(r.Digest))
	}
	sort.Strings(out)
	return out
}

// TestPagination follows Link rel="next" through three pages.
func TestPagination(t *testing.T) {
	p := &pager{}
	host := regtest.GGCRReferrers(t, p.wrap)
	r, d, want := three(t, host)
	p.reset()
	refs, err := referrers.Find(context.Background(), registry.NewClient(registry.Options{}), r, []digest.Digest{d}, referrers.Options{Depth: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got := digestsOf(refs); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("referrers %v, want %v", got, want)
	}
	if strings.Join(p.queries, "|") != "|page=1|page=2" {
		t.Errorf("pages asked: %q, want the first page and the two the Links named", p.queries)
	}
}

// TestArtifactTypeFilter sends the filter and applies it again, since the
// registry ignores it.
func TestArtifactTypeFilter(t *testing.T) {
	p := &pager{}
	host := regtest.GGCRReferrers(t, p.wrap)
	r, d, _ := three(t, host)
	p.reset()
	refs, err := referrers.Find(context.Background(), registry.NewClient(registry.Options{}), r, []digest.Digest{d},
		referrers.Options{ArtifactType: supplytest.SPDXType, Depth: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(refs) != 1 || refs[0].ArtifactType != supplytest.SPDXType {
		t.Errorf("filtered referrers: %+v", refs)
	}
	if strings.Join(p.queries, "|") != "artifactType=application%2Fspdx%2Bjson|page=1|page=2" {
		t.Errorf("queries %q, want the artifactType filter sent", p.queries)
	}
}

// TestLinkElsewhere refuses a next link to another host: credentials for
// this registry must not follow it.
func TestLinkElsewhere(t *testing.T) {
	p := &pager{next: "http://attacker.example/v2/x/referrers/sha256:00?page=1"}
	host := regtest.GGCRReferrers(t, p.wrap)
	r, d, _ := three(t, host)
	_, err := referrers.Find(context.Background(), registry.NewClient(registry.Options{}), r, []digest.Digest{d}, referrers.Options{Depth: 1})
	want := fmt.Sprintf("referrers of %s: referrers http://%s/v2/paged/app/referrers/%s: Link header points to http://attacker.example/v2/x/referrers/sha256:00, outside this registry's /v2/", d, host, d)
	if err == nil || err.Error() != want {
		t.Errorf("error %v\nwant %s", err, want)
	}
}
