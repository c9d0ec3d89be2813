// Package codec is the page's layers.Codec: SHA-256 and gzip inflate run in
// a pool of small JavaScript codec workers (web/static/codec.js: SHA-256
// by crypto.subtle in one shot over streams up to 32 MiB, kept whole in the
// worker, and by the vendored hash-wasm as bytes arrive past that; gzip
// through the browser's DecompressionStream), so that distinct layers are hashed and inflated on
// every core while the engine's own thread only parses tar and stores
// contents.
//
// Each hash and each gunzip is a stream of one worker, the least loaded when
// it opens. Bytes cross as transferred ArrayBuffers, never cloned: input in
// chunks of ChunkSize, at most InFlight chunks of a stream posted and not yet
// consumed (the worker gives each buffer back when done with it, and the
// engine reuses it), and inflated output in chunks the engine credits back
// as it reads them. A stream's memory is bounded whatever the size of the
// layer.
//
// Whatever the workers compute is checked like Go's own result would be: the
// digests are compared with the manifest's and the config's by the pull.
package codec

// MaxWorkers caps the pool: beyond four, the engine's own thread (tar,
// contents) is the bound, not hashing or inflating.
const MaxWorkers = 4

// ChunkSize is the most input bytes one message carries.
const ChunkSize = 256 << 10

// InFlight is how many input chunks of one stream may be posted and not yet
// consumed by its worker: 4 MiB.
const InFlight = 16

// Size is the pool size for a machine with cores logical processors
// (navigator.hardwareConcurrency): one per core, at least one, at most
// MaxWorkers.
func Size(cores int) int {
	return max(1, min(cores, MaxWorkers))
}
