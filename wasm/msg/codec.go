package msg

// KindCodec is sent by the engine with id 0 (no request waits for it) when
// a pull ends, failed or not: body is a CodecInfo, saying where SHA-256 and
// gzip inflate ran. The view may ignore it; tests and benchmarks read it.
const KindCodec Kind = "codec"

// CodecInfo says whether the engine hashes and inflates in codec workers
// (web/static/codec.js, wasm/codec) or in Go on its own thread, and what
// the workers have done since the engine started.
type CodecInfo struct {
	Workers int    `json:"workers"`          // codec workers running; 0: SHA-256 and gzip run in Go
	Reason  string `json:"reason,omitempty"` // why there are none
	Streams int64  `json:"streams"`          // hashes and inflates the workers have run
	Bytes   int64  `json:"bytes"`            // bytes written into them
	// Fallbacks counts layers the workers' gzip inflater could not decode
	// (concatenated members, bytes after the last), read again with Go's.
	Fallbacks int64 `json:"fallbacks"`
}
