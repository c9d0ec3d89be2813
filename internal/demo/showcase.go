package demo

import (
	"encoding/json"
	"fmt"

	digest "github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/regscope/regscope/pkg/manifest"
)

// showcase builds demo/showcase:latest: an OCI index of linux/amd64,
// linux/arm64/v8 and a BuildKit-style attestation manifest (unknown/unknown).
func showcase() (tree, error) {
	amdPlatform := v1.Platform{OS: "linux", Architecture: "amd64"}
	armPlatform := v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}
	amd, err := showcaseImage(amdPlatform)
	if err != nil {
		return tree{}, err
	}
	arm, err := showcaseImage(armPlatform)
	if err != nil {
		return tree{}, err
	}
	att, err := attestation(amd.digest.Encoded())
	if err != nil {
		return tree{}, err
	}
	return ociIndex(
		indexEntry{m: amd, platform: amdPlatform},
		indexEntry{m: arm, platform: armPlatform},
		indexEntry{m: att, platform: v1.Platform{OS: "unknown", Architecture: "unknown"}, annotations: map[string]string{
			"vnd.docker.reference.type":   "attestation-manifest",
			"vnd.docker.reference.digest": amd.digest.String(),
		}},
	)
}

func showcaseImage(p v1.Platform) (tree, error) {
	arch := p.Architecture
	if p.Variant != "" {
		arch += "/" + p.Variant
	}
	base := []entry{
		dir("bin/"), dir("etc/"), dir("run/"), dir("tmp/"), dir("usr/"), dir("usr/bin/"), dir("usr/share/"),
		dir("var/"), dir("var/lib/"), dir("var/lib/app/"), dir("var/lib/app/cache/"),
		text("etc/os-release", osRelease(arch)),
		text("etc/arch", arch+"\n"),
		text("etc/hostname", "showcase\n"),
		text("etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/app:/bin/sh\n"),
		text("etc/group", "root:x:0:\napp:x:1000:\n"),
		file("bin/hello", 0o755, fakeBinary(p.Architecture, 48<<10)),
		text("tmp/old.txt", "This file is deleted by layer 2 (a whiteout).\n"),
		text("var/lib/app/old-state.txt", "state written by layer 0; layer 2 makes this directory opaque\n"),
		file("var/lib/app/cache/entry.bin", 0o600, fakeBinary("cache", 512)),
	}
	app := []entry{
		owned(dir("app/"), 1000, "app"),
		owned(text("app/README.md", readme), 1000, "app"),
		owned(file("app/run.sh", 0o755, []byte(runScript)), 1000, "app"),
		owned(file("app/logo.png", 0o644, logoPNG()), 1000, "app"),
		owned(text("app/logo.svg", logoSVG), 1000, "app"),
		symlink("app/current", "run.sh"),
		symlink("app/link1", "link2"),
		symlink("app/link2", "link3"),
		symlink("app/link3", "README.md"),
		owned(hardlink("app/README.hardlink", "app/README.md"), 1000, "app"),
		symlink("usr/bin/run", "/app/run.sh"),
		file("usr/bin/su-demo", 0o4755, []byte("#!/bin/sh\n# a setuid demo file (setuid is ignored for scripts)\nid\n")),
		fifo("run/demo.fifo"),
		dir("usr/share/many/"),
	}
	for i := range 2000 {
		app = append(app, text(fmt.Sprintf("usr/share/many/file-%04d.txt", i), fmt.Sprintf("file %d of 2000\n", i)))
	}
	changes := []entry{
		text("tmp/.wh.old.txt", ""),
		dir("var/lib/app/"),
		text("var/lib/app/.wh..wh..opq", ""),
		text("var/lib/app/new-state.txt", "state after layer 2 replaced the directory\n"),
		text("etc/hostname", "showcase-"+p.Architecture+"\n"),
		text("etc/motd", "Welcome to the regscope showcase ("+arch+").\n"),
	}
	mt := manifest.MediaTypeOCILayerGzip
	return assemble(imageSpec{
		steps: []step{
			{ptr(newLayer(buildTar(base), gzipBest, mt)), "ADD rootfs-" + p.Architecture + ".tar / # buildkit"},
			{nil, "ENV APP_HOME=/app"},
			{ptr(newLayer(buildTar(app), gzipBest, mt)), "COPY app/ /app/ # buildkit"},
			{ptr(newLayer(buildTar(changes), gzipBest, mt)), `RUN /bin/sh -c rm /tmp/old.txt && rm -rf /var/lib/app/* && echo new > /var/lib/app/new-state.txt # buildkit`},
			{nil, "WORKDIR /app"},
			{nil, "USER app"},
			{nil, "EXPOSE map[8080/tcp:{} 9090/udp:{}]"},
			{nil, "VOLUME [/data]"},
			{nil, `ENTRYPOINT ["/app/run.sh"]`},
			{nil, `CMD ["/bin/hello","--serve"]`},
		},
		config: v1.ImageConfig{
			Env:          []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "APP_HOME=/app", "DEMO_ARCH=" + arch},
			Entrypoint:   []string{"/app/run.sh"},
			Cmd:          []string{"/bin/hello", "--serve"},
			WorkingDir:   "/app",
			User:         "app",
			ExposedPorts: map[string]struct{}{"8080/tcp": {}, "9090/udp": {}},
			Volumes:      map[string]struct{}{"/data": {}},
			StopSignal:   "SIGTERM",
			Labels: map[string]string{
				"org.opencontainers.image.title":       "regscope showcase",
				"org.opencontainers.image.description": "A demo image exercising every feature regscope displays",
				"org.opencontainers.image.source":      "https://github.com/regscope/regscope",
				"org.opencontainers.image.licenses":    "Apache-2.0",
			},
		},
		platform:   p,
		manifestMT: manifest.MediaTypeOCIManifest,
		configMT:   manifest.MediaTypeOCIConfig,
	})
}

// attestation is a minimal in-toto provenance manifest like BuildKit
// attaches, for the image whose manifest digest is subjectHex.
func attestation(subjectHex string) (tree, error) {
	stmt, err := json.Marshal(map[string]any{
		"_type":         "https://in-toto.io/Statement/v0.1",
		"predicateType": "https://slsa.dev/provenance/v0.2",
		"subject":       []map[string]any{{"name": "demo/showcase", "digest": map[string]string{"sha256": subjectHex}}},
		"predicate":     map[string]any{"builder": map[string]string{"id": "regscope demo generator"}},
	})
	if err != nil {
		return tree{}, err
	}
	cfg := v1.Image{
		Platform: v1.Platform{OS: "unknown", Architecture: "unknown"},
		RootFS:   v1.RootFS{Type: "layers", DiffIDs: []digest.Digest{digest.FromBytes(stmt)}},
	}
	cb, err := jsonBlob(manifest.MediaTypeOCIConfig, cfg)
	if err != nil {
		return tree{}, err
	}
	return imageManifest(manifest.MediaTypeOCIManifest, cb,
		[]blob{newBlob("application/vnd.in-toto+json", stmt)},
		[]map[string]string{{"in-toto.io/predicate-type": "https://slsa.dev/provenance/v0.2"}})
}

// ptr returns a pointer to a copy of v.
func ptr[T any](v T) *T { return &v }
