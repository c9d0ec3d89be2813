//go:build !js

package bench

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/crane"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/tartest"
	"github.com/regscope/regscope/pkg/layers"
	"github.com/regscope/regscope/pkg/pull"
	"github.com/regscope/regscope/pkg/registry"
)

// BenchmarkProfilePulls counts what one pull sends to each public
// registry's simulation (regtest.Profiles, served under the real host
// names over TLS): requests, and response bytes, by regscope's pipeline
// and by `crane pull` (go-containerregistry's crane.Pull written as a
// tarball to nowhere, what the command does), against the same double in
// the same run:
//
//	go test -run '^$' -bench ProfilePulls -benchtime 3x ./bench/
//
// The image: two layers (gzip, zstd), 256 KiB of incompressible content. Figures,
// not assertions: the README has those this command made.
func BenchmarkProfilePulls(b *testing.B) {
	w := regtest.NewWorld(b)
	noise := make([]byte, 256<<10)
	rand.NewChaCha8([32]byte{'r', 'e', 'a', 'c', 'h'}).Read(noise)
	img := imagetest.Image(b, imagetest.OCI,
		imagetest.Layer(b, imagetest.Gzip, tartest.Entry{Name: "etc/os-release", Body: "ID=profile\n"}),
		imagetest.Layer(b, imagetest.Zstd, tartest.Entry{Name: "app/data", Body: string(noise)}))
	for _, p := range regtest.Profiles() {
		h := regtest.StartProfile(b, w, p)
		ref := h.Push(b, "1", img)
		for _, tool := range []struct {
			name string
			pull func() error
		}{
			{"regscope", func() error {
				_, err := pull.Pull(context.Background(), ref, pull.Options{Store: layers.DiscardStore(),
					Registry: registry.Options{Transport: w.Transport()}})
				return err
			}},
			{"crane", func() error {
				i, err := crane.Pull(ref, crane.WithTransport(w.Transport()))
				if err != nil {
					return err
				}
				return tarball.Write(nil, i, io.Discard)
			}},
		} {
			b.Run(strings.ReplaceAll(p.Name, " ", "_")+"/"+tool.name, func(b *testing.B) {
				mark := len(w.Requests())
				for b.Loop() {
					if err := tool.pull(); err != nil {
						b.Fatal(err)
					}
				}
				reqs := w.Requests()[mark:]
				var bytes int64
				heads := 0
				for _, r := range reqs {
					bytes += r.Bytes
					if r.Method == "HEAD" {
						heads++
					}
				}
				n := float64(b.N)
				b.ReportMetric(float64(len(reqs))/n, "requests/pull")
				b.ReportMetric(float64(heads)/n, "HEADs/pull")
				b.ReportMetric(float64(bytes)/n, "bytes/pull")
				if b.N == 1 || testing.Verbose() {
					b.Log(fmt.Sprint(len(reqs)/b.N, " requests per pull: ", requestList(reqs[:len(reqs)/b.N])))
				}
			})
		}
	}
}

// requestList names requests briefly: "GET registry-1.docker.io/v2/ 401, …".
func requestList(reqs []regtest.Request) string {
	var out []string
	for _, r := range reqs {
		path := r.Path
		if i := strings.Index(path, "/sha256:"); i >= 0 {
			path = path[:i+15] + "…"
		}
		out = append(out, fmt.Sprintf("%s %s%s %d", r.Method, r.Host, path, r.Status))
	}
	return strings.Join(out, ", ")
}
