package demo

import (
	"encoding/json"
	"fmt"

	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// showcase builds demo/showcase:latest: an OCI index of linux/amd64,
// linux/arm64/v8 and a BuildKit-style attestation manifest (unknown/unknown).
func showcase() (v1.ImageIndex, error) {
	amd, err := showcaseImage(v1.Platform{OS: "linux", Architecture: "amd64"})
	if err != nil {
		return nil, err
	}
	arm, err := showcaseImage(v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"})
	if err != nil {
		return nil, err
	}
	amdDigest, err := amd.Digest()
	if err != nil {
		return nil, err
	}
	att, err := attestation(amdDigest)
	if err != nil {
		return nil, err
	}
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	return mutate.AppendManifests(idx,
		mutate.IndexAddendum{Add: amd, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
		mutate.IndexAddendum{Add: arm, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}}},
		mutate.IndexAddendum{Add: att, Descriptor: v1.Descriptor{
			Platform: &v1.Platform{OS: "unknown", Architecture: "unknown"},
			Annotations: map[string]string{
				"vnd.docker.reference.type":   "attestation-manifest",
				"vnd.docker.reference.digest": amdDigest.String(),
			},
		}},
	), nil
}

func showcaseImage(p v1.Platform) (v1.Image, error) {
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
	mt := types.OCILayer
	return assemble(imageSpec{
		steps: []step{
			{newLayer(buildTar(base), gzipBest, mt), "ADD rootfs-" + p.Architecture + ".tar / # buildkit"},
			{nil, "ENV APP_HOME=/app"},
			{newLayer(buildTar(app), gzipBest, mt), "COPY app/ /app/ # buildkit"},
			{newLayer(buildTar(changes), gzipBest, mt), `RUN /bin/sh -c rm /tmp/old.txt && rm -rf /var/lib/app/* && echo new > /var/lib/app/new-state.txt # buildkit`},
			{nil, "WORKDIR /app"},
			{nil, "USER app"},
			{nil, "EXPOSE map[8080/tcp:{} 9090/udp:{}]"},
			{nil, "VOLUME [/data]"},
			{nil, `ENTRYPOINT ["/app/run.sh"]`},
			{nil, `CMD ["/bin/hello","--serve"]`},
		},
		config: v1.Config{
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
		manifestMT: types.OCIManifestSchema1,
		configMT:   types.OCIConfigJSON,
	})
}

// attestation is a minimal in-toto provenance manifest like BuildKit attaches.
func attestation(subject v1.Hash) (v1.Image, error) {
	stmt, _ := json.Marshal(map[string]any{
		"_type":         "https://in-toto.io/Statement/v0.1",
		"predicateType": "https://slsa.dev/provenance/v0.2",
		"subject":       []map[string]any{{"name": "demo/showcase", "digest": map[string]string{"sha256": subject.Hex}}},
		"predicate":     map[string]any{"builder": map[string]string{"id": "regscope demo generator"}},
	})
	img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	img, err := mutate.Append(img, mutate.Addendum{
		Layer:       static.NewLayer(stmt, "application/vnd.in-toto+json"),
		Annotations: map[string]string{"in-toto.io/predicate-type": "https://slsa.dev/provenance/v0.2"},
	})
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Created, cf.History = "unknown", "unknown", v1.Time{Time: epoch}, nil
	return mutate.ConfigFile(img, cf)
}
