package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
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
	content store
	logger  *log.Logger

	mu     sync.Mutex
	images []Image

	bigOnce sync.Once
	bigErr  error

	files []io.Closer // the loaded files content is served from
}

// New returns a Registry holding demo/showcase, demo/zstd and demo/docker
// (and demo/big, built on its first request unless o.EagerBig).
func New(ctx context.Context, o Options) (*Registry, error) {
	if o.Logger == nil {
		o.Logger = log.New(io.Discard, "", 0)
	}
	r := &Registry{logger: o.Logger}
	start := time.Now()
	for _, d := range []struct {
		repo, title, desc string
		build             func() (tree, error)
	}{
		{"demo/showcase", "Showcase", "Two platforms plus an attestation; text, binary, PNG, SVG, symlinks, a hardlink, a whiteout, an opaque directory, setuid, a fifo and 2,000 files in one directory", showcase},
		{"demo/zstd", "zstd layers", "OCI media types with zstd-compressed layers", zstdImage},
		{"demo/docker", "Docker schema2", "Docker media types (schema2 manifest, gzip layers)", dockerImage},
	} {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		m, err := d.build()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", d.repo, err)
		}
		r.put(d.repo, "latest", m, d.title, d.desc)
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

// put serves m as repo:tag and lists it on the start screen.
func (r *Registry) put(repo, tag string, m tree, title, desc string) {
	r.content.put(repo, tag, m)
	r.addImage(Image{Repo: repo, Tag: tag, Title: title, Description: desc})
}

// ensureBig builds and adds demo/big once; later calls return the first result.
func (r *Registry) ensureBig() error {
	r.bigOnce.Do(func() {
		start := time.Now()
		r.logger.Printf("generating demo/big (≈100 MB)…")
		m, err := bigImage()
		if err != nil {
			r.bigErr = fmt.Errorf("demo/big: %w", err)
			r.logger.Printf("%v", r.bigErr)
			return
		}
		r.put("demo/big", "latest", m, "Big (≈100 MB)", "4 layers of barely compressible data for benchmarks")
		r.logger.Printf("demo/big ready in %v", time.Since(start).Round(time.Millisecond))
	})
	return r.bigErr
}

// keepOpen holds f, which loaded content is served from, until Close.
func (r *Registry) keepOpen(f io.Closer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.files = append(r.files, f)
}

// Close closes the files loaded images are served from; requests for
// their blobs fail afterwards.
func (r *Registry) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var errs []error
	for _, f := range r.files {
		errs = append(errs, f.Close())
	}
	r.files = nil
	return errors.Join(errs...)
}

// ServeHTTP answers the registry API read-only (see serveRegistry); every
// method but GET and HEAD gets 405 with a registry-style error.
func (r *Registry) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	// Loaded images are strangers' bytes served on the page's origin: never let them render as a page.
	w.Header().Set("Content-Security-Policy", "sandbox")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	switch req.Method {
	case http.MethodGet, http.MethodHead:
	default:
		w.Header().Set("Allow", "GET, HEAD")
		(&regError{http.StatusMethodNotAllowed, "UNSUPPORTED", "this registry is read-only: " + req.Method + " not allowed"}).write(w)
		return
	}
	if strings.HasPrefix(req.URL.Path, "/v2/demo/big/") {
		if err := r.ensureBig(); err != nil {
			(&regError{http.StatusInternalServerError, "UNKNOWN", err.Error()}).write(w)
			return
		}
	}
	serveRegistry(w, req, &r.content)
}
