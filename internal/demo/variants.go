package demo

import (
	"fmt"
	"sync"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/regscope/regscope/pkg/manifest"
)

// linuxAMD64 is the platform of the single-platform demo images.
func linuxAMD64() v1.Platform { return v1.Platform{OS: "linux", Architecture: "amd64"} }

// zstdImage builds demo/zstd:latest: OCI media types, zstd-compressed layers.
func zstdImage() (tree, error) {
	l0 := []entry{dir("etc/"), text("etc/os-release", osRelease("amd64")), text("etc/compression", "zstd\n")}
	l1 := []entry{dir("srv/"), text("srv/hello.txt", "Hello from a zstd-compressed layer.\n"),
		file("srv/random.bin", 0o644, fakeBinary("zstd", 256<<10))}
	mt := manifest.MediaTypeOCILayerZstd
	return assemble(imageSpec{
		steps: []step{
			{ptr(newLayer(buildTar(l0), zstdDefault, mt)), "ADD rootfs.tar / # compression=zstd"},
			{ptr(newLayer(buildTar(l1), zstdDefault, mt)), "COPY srv/ /srv/ # compression=zstd"},
			{nil, `CMD ["cat","/srv/hello.txt"]`},
		},
		config:     v1.ImageConfig{Env: []string{"PATH=/usr/bin:/bin"}, Cmd: []string{"cat", "/srv/hello.txt"}},
		platform:   linuxAMD64(),
		manifestMT: manifest.MediaTypeOCIManifest,
		configMT:   manifest.MediaTypeOCIConfig,
	})
}

// dockerImage builds demo/docker:latest: Docker schema2 media types.
func dockerImage() (tree, error) {
	l0 := []entry{dir("etc/"), text("etc/os-release", osRelease("amd64")), text("etc/format", "docker schema2\n")}
	l1 := []entry{dir("opt/"), dir("opt/tool/"), file("opt/tool/tool", 0o755, fakeBinary("amd64", 32<<10)),
		symlink("opt/tool/latest", "tool")}
	mt := manifest.MediaTypeDockerLayer
	return assemble(imageSpec{
		steps: []step{
			{ptr(newLayer(buildTar(l0), gzipBest, mt)), "/bin/sh -c #(nop) ADD file:rootfs.tar in / "},
			{ptr(newLayer(buildTar(l1), gzipBest, mt)), "/bin/sh -c #(nop) COPY dir:tool in /opt/tool "},
			{nil, `/bin/sh -c #(nop)  ENTRYPOINT ["/opt/tool/tool"]`},
		},
		config:     v1.ImageConfig{Env: []string{"PATH=/opt/tool:/usr/bin:/bin"}, Entrypoint: []string{"/opt/tool/tool"}},
		platform:   linuxAMD64(),
		manifestMT: manifest.MediaTypeDockerV2,
		configMT:   manifest.MediaTypeDockerConfig,
	})
}

// Big image geometry: 4 layers × 32 files × 1 MiB of text drawn from a
// 64-symbol alphabet (6 bits of entropy a byte), ≈ 128 MiB uncompressed and
// ≈ 100 MB gzip'd — incompressible enough to measure download, hashing and
// inflate rather than a compressor's best case.
const (
	bigLayers        = 4
	bigFilesPerLayer = 32
	bigFileSize      = 1 << 20
)

// bigImage builds demo/big:latest deterministically from a seeded PRNG.
// Its four layers are generated in parallel; it takes a second or two.
func bigImage() (tree, error) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	layers := make([]layer, bigLayers)
	var wg sync.WaitGroup
	for i := range bigLayers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := prng(uint64(1000 + i))
			entries := []entry{dir("data/"), dir(fmt.Sprintf("data/%d/", i))}
			for f := range bigFilesPerLayer {
				b := make([]byte, bigFileSize)
				r.Read(b)
				for j := range b {
					b[j] = alphabet[b[j]&63]
				}
				entries = append(entries, text(fmt.Sprintf("data/%d/chunk-%02d.txt", i, f), string(b)))
			}
			layers[i] = newLayer(buildTar(entries), gzipHuffman, manifest.MediaTypeOCILayerGzip)
		}()
	}
	wg.Wait()
	var steps []step
	for i, l := range layers {
		steps = append(steps, step{&l, fmt.Sprintf("COPY data/%d/ /data/%d/ # 32 MiB", i, i)})
	}
	return assemble(imageSpec{
		steps:      steps,
		config:     v1.ImageConfig{Env: []string{"PATH=/usr/bin:/bin"}, Cmd: []string{"ls", "/data"}},
		platform:   linuxAMD64(),
		manifestMT: manifest.MediaTypeOCIManifest,
		configMT:   manifest.MediaTypeOCIConfig,
	})
}
