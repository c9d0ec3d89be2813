package pull

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/regscope/regscope/pkg/layers"
	"github.com/regscope/regscope/pkg/manifest"
	"github.com/regscope/regscope/pkg/registry"
)

// Options configures a pull. The zero value pulls linux/amd64, three layers
// at a time, anonymously over HTTPS, into memory.
type Options struct {
	// Platform chooses from an index, "os/arch[/variant]"; "" means linux/amd64.
	Platform string
	// Concurrency is how many layers download at once; 0 means 3, as Docker.
	Concurrency int
	// Registry configures the transport, credentials and retries.
	Registry registry.Options
	// Store holds file contents; nil means layers.MemStore().
	Store layers.Store
	// Limits bound what an image may make the pull hold.
	Limits layers.Limits
	// Codec supplies the SHA-256 (blob digests and DiffIDs) and the gzip
	// inflater; the zero Codec is Go's. Its SHA256 verifies blobs unless
	// Registry.SHA256 is set. A layer its Gunzip cannot decode (an error
	// wrapping layers.ErrGunzipFallback) is read again from its start with
	// Go's inflater, with a progress message saying so.
	Codec layers.Codec
	// Cache, when set, keeps verified configs and layer blobs between
	// pulls; nil downloads every blob.
	Cache Cache
	// Indexes, when set, keeps the indexes of verified layers between
	// pulls: a layer found there is listed without reading its blob, and
	// its contents are read and verified when first asked for (restore.go).
	Indexes LayerIndexes
	// Progress, when set, receives events. Calls are serialised.
	Progress func(Event)
	// Shared, when set, shares layers with the other pulls given the same
	// Shared: each distinct blob is downloaded once among them.
	Shared *Shared
	// Merged, when set, makes the pull progressive: it is called after each
	// layer's blob digest and DiffID have been checked and the layer merged,
	// in layer order, with the image as merged so far (img.Layers holds
	// layers 0 … len-1, img.FS their merge; the manifest and config are
	// set) and the number of layers the image has. Until Pull returns, the
	// image keeps changing under Lock; if Pull fails, forget it.
	Merged func(img *Image, total int)
	// Lock, when set, is held while a layer is applied to the image, so a
	// reader holding it sees whole layers only.
	Lock sync.Locker
}

// Pull resolves ref, fetches and verifies its manifest, config and layers,
// and returns the merged image. On any error it returns no image.
func Pull(ctx context.Context, ref string, o Options) (*Image, error) {
	r, err := registry.ParseRef(ref)
	if err != nil {
		return nil, err
	}
	rep := &reporter{fn: o.Progress}
	if o.Registry.ManifestPayload == nil {
		o.Registry.ManifestPayload = manifest.Payload // signed schema1 digests cover the payload
	}
	if o.Registry.SHA256 == nil {
		o.Registry.SHA256 = o.Codec.SHA256
	}
	p := &puller{
		ref:    r,
		client: registry.NewClient(withRateLimitEvents(withRetryEvents(o.Registry, rep), rep)),
		opts:   o,
		rep:    rep,
	}
	if p.opts.Store == nil {
		p.opts.Store = layers.MemStore()
	}
	// MaxStored bounds the image's file content, shared by every layer's Read.
	p.opts.Store = layers.LimitStore(p.opts.Store, p.opts.Limits.MaxStored)
	p.budget = newBudget(p.opts.Limits)
	if p.opts.Concurrency <= 0 {
		p.opts.Concurrency = 3
	}
	img, err := p.pull(ctx)
	if err != nil {
		return nil, fmt.Errorf("pull %s: %w", r.String(), err)
	}
	return img, nil
}

// puller holds one pull's state.
type puller struct {
	ref    registry.Ref
	client *registry.Client
	opts   Options
	rep    *reporter
	budget *budget // Limits summed over the image's layers
	// indexes are the config's DiffIDs and the layers listed from
	// Options.Indexes; set when the layers are fetched.
	indexes *indexState
}

func (p *puller) pull(ctx context.Context) (*Image, error) {
	img := &Image{Ref: p.ref}
	p.rep.phase(PhaseManifest, "fetching manifest of "+p.ref.String())
	m, blob, f, err := p.manifest(ctx, p.ref.Identifier(), -1)
	if err != nil {
		return nil, err
	}
	if m.IsIndex() {
		index := blob
		img.Index = &index
		img.Checks = append(img.Checks, manifestCheck(CheckIndex, f, "reference"))
		img.Platforms = manifest.Platforms(m.Index)
		want, err := manifest.ParsePlatform(p.opts.Platform)
		if err != nil {
			return nil, err
		}
		desc, err := manifest.Select(m.Index, want)
		if err != nil {
			return nil, err
		}
		if desc.Platform != nil {
			img.Platform = *desc.Platform
		}
		p.rep.phase(PhaseManifest, "fetching "+manifest.FormatPlatform(img.Platform)+" manifest "+desc.Digest.String())
		m, blob, f, err = p.manifest(ctx, desc.Digest.String(), desc.Size)
		if err != nil {
			return nil, err
		}
		if m.IsIndex() {
			return nil, fmt.Errorf("manifest %s: an index inside an index is not supported", desc.Digest)
		}
		img.Checks = append(img.Checks, manifestCheck(CheckManifest, f, "index"))
	} else {
		img.Checks = append(img.Checks, manifestCheck(CheckManifest, f, "reference"))
	}
	img.Manifest = blob

	descs, err := p.config(ctx, m, img)
	if err != nil {
		return nil, err
	}
	if err := p.layers(ctx, descs, img); err != nil {
		return nil, err
	}
	if m.Schema1 != nil && m.Schema1.Signed() {
		img.Checks = append(img.Checks, Check{What: "signature", Kind: CheckSignature, Result: NotChecked, Reason: reasonSignatures})
	}
	p.rep.phase(PhaseDone, img.Checks.String())
	return img, nil
}

// manifest fetches and decodes one manifest. want is the size the parent
// descriptor promised, or -1.
func (p *puller) manifest(ctx context.Context, reference string, want int64) (*manifest.Manifest, Blob, *registry.Fetched, error) {
	f, cached := p.cachedManifest(ctx, reference)
	if !cached {
		var err error
		if f, err = p.client.Manifest(ctx, p.ref, reference, manifest.AcceptTypes(), manifest.MaxManifestSize); err != nil {
			return nil, Blob{}, nil, err
		}
		p.keepManifest(f)
	}
	if want >= 0 && int64(len(f.Body)) != want {
		return nil, Blob{}, nil, &registry.SizeError{Digest: f.Digest, Want: want, Got: int64(len(f.Body))}
	}
	m, err := manifest.Parse(f.Body, f.ContentType)
	if err != nil {
		return nil, Blob{}, nil, fmt.Errorf("manifest %s: %w", f.Digest, err)
	}
	return m, Blob{Digest: f.Digest, MediaType: m.MediaType, Size: int64(len(f.Body)), Body: f.Body}, f, nil
}

// config fetches, verifies and decodes the config (or synthesises it for
// schema1), fills img.Config, img.Image and img.Platform, and returns the
// layer descriptors, bottom first.
func (p *puller) config(ctx context.Context, m *manifest.Manifest, img *Image) ([]v1.Descriptor, error) {
	p.rep.phase(PhaseConfig, "fetching config")
	var descs []v1.Descriptor
	switch {
	case m.Schema1 != nil:
		cfg, err := m.Schema1.Config()
		if err != nil {
			return nil, fmt.Errorf("schema1 manifest %s: %w", img.Manifest.Digest, err)
		}
		img.Image = cfg
		descs = m.Schema1.Layers()
	case m.Image != nil:
		body, err := p.configBytes(ctx, m.Image.Config)
		if err != nil {
			return nil, fmt.Errorf("config %s: %w", m.Image.Config.Digest, err)
		}
		cfg, err := manifest.ParseConfig(body)
		if err != nil {
			return nil, fmt.Errorf("config %s: %w", m.Image.Config.Digest, err)
		}
		img.Config = Blob{Digest: m.Image.Config.Digest, MediaType: m.Image.Config.MediaType, Size: int64(len(body)), Body: body}
		img.Checks = append(img.Checks, Check{What: "config", Kind: CheckConfig, Expected: m.Image.Config.Digest, From: "manifest", Result: Verified})
		img.Image = cfg
		descs = m.Image.Layers
		if n := len(cfg.RootFS.DiffIDs); n != len(descs) {
			return nil, &RootFSError{Manifest: img.Manifest.Digest, Layers: len(descs), DiffIDs: n}
		}
	default:
		return nil, fmt.Errorf("manifest %s: not an image manifest", img.Manifest.Digest)
	}
	if img.Platform.OS == "" {
		img.Platform = v1.Platform{OS: img.Image.OS, Architecture: img.Image.Architecture, Variant: img.Image.Variant}
	}
	return descs, nil
}

// configBytes reads the config blob whole, verified, refusing more than
// manifest.MaxConfigSize bytes. A config that fails its digest is read
// once more with caches bypassed (a cache or mirror may have served it),
// as a layer is, before the pull fails.
func (p *puller) configBytes(ctx context.Context, d v1.Descriptor) ([]byte, error) {
	body, err := p.configOnce(ctx, d)
	if registry.IsCorrupt(err) && ctx.Err() == nil {
		p.rep.emit(Event{Phase: PhaseConfig, Layer: -1, Digest: d.Digest,
			Message: fmt.Sprintf("config: %v; fetching it again from the registry, bypassing caches", registry.Corruption(err))})
		body, err = p.configOnce(registry.WithoutCaches(ctx), d)
	}
	return body, err
}

// configOnce is one attempt of configBytes.
func (p *puller) configOnce(ctx context.Context, d v1.Descriptor) ([]byte, error) {
	if d.Size > manifest.MaxConfigSize {
		return nil, fmt.Errorf("blob %s: size %d exceeds the limit of %d bytes", d.Digest, d.Size, manifest.MaxConfigSize)
	}
	var body []byte
	err := p.withBlob(ctx, PhaseConfig, d, func(r io.Reader) error {
		var err error
		if body, err = io.ReadAll(io.LimitReader(r, manifest.MaxConfigSize+1)); err != nil {
			return err
		}
		if int64(len(body)) > manifest.MaxConfigSize {
			return fmt.Errorf("blob %s: more than the limit of %d bytes", d.Digest, manifest.MaxConfigSize)
		}
		return nil
	})
	return body, err
}

// RootFSError reports a config whose rootfs.diff_ids do not pair up with the
// manifest's layers, Docker's errRootFSMismatch.
type RootFSError struct {
	Manifest digest.Digest
	Layers   int
	DiffIDs  int
}

func (e *RootFSError) Error() string {
	return fmt.Sprintf("manifest %s has %d layers but its config lists %d DiffIDs", e.Manifest, e.Layers, e.DiffIDs)
}
