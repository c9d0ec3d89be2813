// Package demo is regscope's embedded, read-only registry: deterministic demo
// images generated at start-up (same bytes every run, so digests and shared
// links stay valid) plus images loaded from `docker save` tarballs and OCI
// image layouts.
//
// The images live in go-containerregistry's in-memory registry
// (pkg/registry) and are pushed into it in-process through an
// http.RoundTripper that calls the handler directly; no socket is involved.
// From the network the registry only answers GET and HEAD.
package demo
