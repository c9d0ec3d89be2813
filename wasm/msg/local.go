package msg

// KindLocal asks the engine to open a local image file — a `docker save`
// tarball, an OCI layout tar or a single layer — that travels beside the
// envelope as a JavaScript File (PostFile), never uploaded: LocalRequest →
// PullResult, with KindProgress events as for KindPull.
const KindLocal Kind = "local"

// LocalRequest names the file the envelope carries.
type LocalRequest struct {
	Name     string `json:"name"`               // the file's name, for messages and the image's name
	Size     int64  `json:"size"`               // its size in bytes
	Platform string `json:"platform,omitempty"` // for an index inside the file; "" = linux/amd64
}
