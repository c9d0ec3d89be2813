package demo

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Image is one image the registry offers, for the page's start screen.
type Image struct {
	Repo        string `json:"repo"` // "demo/showcase", "local/alpine"
	Tag         string `json:"tag"`  // "latest"
	Title       string `json:"title"`
	Description string `json:"description"`
}

// Options configures a Registry.
type Options struct {
	// Logger receives progress lines (image generation, loads); nil = none.
	// Registry requests themselves are not logged.
	Logger *log.Logger
	// EagerBig builds demo/big at start-up instead of on its first request.
	EagerBig bool
}

// Registry is the embedded registry: an http.Handler for /v2/ that answers
// only GET and HEAD.
type Registry struct {
	h      http.Handler // go-containerregistry's in-memory registry, writable
	push   []remote.Option
	logger *log.Logger

	mu     sync.Mutex
	images []Image

	bigOnce sync.Once
	bigErr  error
}

// pushHost is the registry name used for in-process pushes; requests never leave the process.
const pushHost = "demo.regscope.invalid"

// New returns a Registry holding demo/showcase, demo/zstd and demo/docker
// (and demo/big, built on its first request unless o.EagerBig).
func New(ctx context.Context, o Options) (*Registry, error) {
	if o.Logger == nil {
		o.Logger = log.New(io.Discard, "", 0)
	}
	h := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	r := &Registry{
		h:      h,
		logger: o.Logger,
		push:   []remote.Option{remote.WithTransport(handlerTransport{h}), remote.WithContext(ctx)},
	}
	start := time.Now()
	idx, err := showcase()
	if err != nil {
		return nil, fmt.Errorf("demo/showcase: %w", err)
	}
	if err := r.putIndex("demo/showcase", "latest", idx, "Showcase",
		"Two platforms plus an attestation; text, binary, PNG, SVG, symlinks, a hardlink, a whiteout, an opaque directory, setuid, a fifo and 2,000 files in one directory"); err != nil {
		return nil, err
	}
	for _, d := range []struct {
		repo, title, desc string
		build             func() (v1.Image, error)
	}{
		{"demo/zstd", "zstd layers", "OCI media types with zstd-compressed layers", zstdImage},
		{"demo/docker", "Docker schema2", "Docker media types (schema2 manifest, gzip layers)", dockerImage},
	} {
		img, err := d.build()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", d.repo, err)
		}
		if err := r.putImage(d.repo, "latest", img, d.title, d.desc); err != nil {
			return nil, err
		}
	}
	r.addImage(Image{Repo: "demo/big", Tag: "latest", Title: "Big (≈100 MB)",
		Description: "4 layers of barely compressible data for benchmarks; generated on first request"})
	o.Logger.Printf("demo images ready in %v", time.Since(start).Round(time.Millisecond))
	if o.EagerBig {
		if err := r.ensureBig(); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Images lists what the registry offers, demo images first, then loaded ones in load order.
func (r *Registry) Images() []Image {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.images)
}

func (r *Registry) addImage(im Image) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, old := range r.images {
		if old.Repo == im.Repo && old.Tag == im.Tag {
			r.images[i] = im
			return
		}
	}
	r.images = append(r.images, im)
}

func (r *Registry) tag(repo, tag string) (name.Tag, error) {
	t, err := name.NewTag(pushHost+"/"+repo+":"+tag, name.StrictValidation)
	if err != nil {
		return name.Tag{}, fmt.Errorf("image name %s:%s: %w", repo, tag, err)
	}
	return t, nil
}

func (r *Registry) putImage(repo, tag string, img v1.Image, title, desc string) error {
	t, err := r.tag(repo, tag)
	if err != nil {
		return err
	}
	if err := remote.Write(t, img, r.push...); err != nil {
		return fmt.Errorf("push %s:%s: %w", repo, tag, err)
	}
	r.addImage(Image{Repo: repo, Tag: tag, Title: title, Description: desc})
	return nil
}

func (r *Registry) putIndex(repo, tag string, idx v1.ImageIndex, title, desc string) error {
	t, err := r.tag(repo, tag)
	if err != nil {
		return err
	}
	if err := remote.WriteIndex(t, idx, r.push...); err != nil {
		return fmt.Errorf("push %s:%s: %w", repo, tag, err)
	}
	r.addImage(Image{Repo: repo, Tag: tag, Title: title, Description: desc})
	return nil
}

// ensureBig builds and pushes demo/big once; later calls return the first result.
func (r *Registry) ensureBig() error {
	r.bigOnce.Do(func() {
		start := time.Now()
		r.logger.Printf("generating demo/big (≈100 MB)…")
		img, err := bigImage()
		if err == nil {
			err = r.putImage("demo/big", "latest", img, "Big (≈100 MB)",
				"4 layers of barely compressible data for benchmarks")
		}
		if err != nil {
			r.bigErr = fmt.Errorf("demo/big: %w", err)
			r.logger.Printf("%v", r.bigErr)
			return
		}
		r.logger.Printf("demo/big ready in %v", time.Since(start).Round(time.Millisecond))
	})
	return r.bigErr
}

// ServeHTTP answers the registry API read-only: GET and HEAD pass to the
// in-memory registry, every other method gets 405 with a registry-style error.
func (r *Registry) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	// Loaded images are strangers' bytes served on the page's origin: never let them render as a page.
	w.Header().Set("Content-Security-Policy", "sandbox")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	switch req.Method {
	case http.MethodGet, http.MethodHead:
	default:
		w.Header().Set("Allow", "GET, HEAD")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusMethodNotAllowed)
		fmt.Fprintf(w, `{"errors":[{"code":"UNSUPPORTED","message":"this registry is read-only: %s not allowed"}]}`+"\n", req.Method)
		return
	}
	if strings.HasPrefix(req.URL.Path, "/v2/demo/big/") {
		if err := r.ensureBig(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
	}
	r.h.ServeHTTP(w, req)
}

// handlerTransport is an http.RoundTripper that serves requests with an
// in-process handler: pushes reach the registry without a socket.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	in := req.Clone(req.Context())
	if in.Body == nil {
		in.Body = http.NoBody // as a server would present it
	}
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, in)
	in.Body.Close()
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}
