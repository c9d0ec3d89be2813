// Package pull is regscope's `docker pull`: it composes package registry
// (talking to registries), package manifest (what the bytes mean) and package
// layers (from compressed bytes to a filesystem) into one call, Pull, that
// returns a fully verified image.
//
// The steps follow Docker's v2 puller: resolve the reference, fetch the
// manifest (choosing a platform from an index), fetch and verify the config,
// download the layers at most Options.Concurrency at a time (one transfer per
// distinct digest), verify every blob digest and every DiffID against the
// config's rootfs, and merge the layers in order into a layers.FS.
//
// Nothing from a layer is applied before its blob digest and DiffID are
// verified, and a failed pull returns no image at all: unverified content is
// never presented as verified. The same code runs natively (the regscope CLI)
// and in the browser (the wasm engine).
package pull
