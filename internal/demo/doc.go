// Package demo is regscope's embedded, read-only registry: deterministic demo
// images generated at start-up (same bytes every run, so digests and shared
// links stay valid) plus images loaded from files pkg/archive reads (`docker
// save` tarballs, OCI image layouts, single layers), each verified through
// pkg/registry before it is served.
//
// The content is built here: tar layers compressed with the versions of
// klauspost/compress pinned in go.mod, configs, manifests and indexes
// encoded from image-spec's types, then served from memory by a small
// handler for the read-only part of the distribution API (manifests by tag
// or digest, blobs with Range, tag lists). From the network the registry
// only answers GET and HEAD.
//
// Who may use it: the regscope server (serve.go) and the project's tests.
// It is internal because it is a part of that program, not a library: it
// serves what one process generated or loaded, has no storage, no push and
// no authentication, and its API changes with the server's needs.
package demo
