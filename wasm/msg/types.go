package msg

import (
	"fmt"

	"github.com/regscope/regscope/pkg/report"
)

// Credential is a user name and password for one registry host (the
// reference's domain, e.g. "ghcr.io"). The engine keeps credentials in memory
// only and hands them to the registry client for that host alone.
type Credential struct {
	Host string `json:"host"`
	User string `json:"user"`
	Pass string `json:"pass"`
}

// PullRequest asks the engine to pull an image. A new pull cancels the one before.
type PullRequest struct {
	Ref         string       `json:"ref"`
	Platform    string       `json:"platform,omitempty"` // "" = linux/amd64
	Credentials []Credential `json:"credentials,omitempty"`
}

// Blob is a manifest, index or config as pulled, with its bytes (all JSON).
type Blob struct {
	Digest    string `json:"digest,omitempty"`
	MediaType string `json:"mediaType,omitempty"`
	Size      int64  `json:"size"`
	Body      string `json:"body,omitempty"`
}

// Layer describes one layer of a pulled image.
type Layer struct {
	Index            int    `json:"index"`
	Digest           string `json:"digest"`
	MediaType        string `json:"mediaType"`
	Size             int64  `json:"size"` // compressed
	DiffID           string `json:"diffID"`
	UncompressedSize int64  `json:"uncompressedSize"`
	CreatedBy        string `json:"createdBy,omitempty"` // the history command that made it
	Comment          string `json:"comment,omitempty"`
	Added            int    `json:"added"`
	Modified         int    `json:"modified"`
	Deleted          int    `json:"deleted"`
	Entries          int    `json:"entries"`     // entries in the layer's own change set
	AddedBytes       int64  `json:"addedBytes"`  // regular-file content in its change set (inspect.LayerBytes.Added)
	WastedBytes      int64  `json:"wastedBytes"` // lower layers' file content it replaced or deleted (inspect.LayerBytes.Wasted)
	// FromIndex, when set, says the layer was listed from its index kept
	// in the verified cache ("the verified cache (MAC checked)"): its blob
	// and DiffID were verified when first pulled, and its contents are read
	// from the blob again, verified, when first read (pull.Layer.FromIndex).
	FromIndex string `json:"fromIndex,omitempty"`
}

// PullResult is a pulled, fully verified image.
type PullResult struct {
	Ref       string   `json:"ref"`       // normalised reference as asked
	Name      string   `json:"name"`      // repository name, "docker.io/library/alpine"
	Digest    string   `json:"digest"`    // what the reference resolved to: the index's digest, else the manifest's
	Pinned    string   `json:"pinned"`    // Ref with Digest: "docker.io/library/alpine:3.20@sha256:…"
	Platforms []string `json:"platforms"` // offered by the index; nil when the reference named a manifest
	Platform  string   `json:"platform"`  // chosen
	Index     *Blob    `json:"index,omitempty"`
	Manifest  Blob     `json:"manifest"`
	Config    Blob     `json:"config"`
	Layers    []Layer  `json:"layers"`
	Files     int      `json:"files"` // entries in the merged filesystem
	// Verification is the sentence saying what the pull verified and what it
	// could not (report.Checks.String, the CLI's too); Checks is the list.
	Verification string        `json:"verification"`
	Checks       report.Checks `json:"checks"`
	// Efficiency is pkg/inspect's report (content, wasted bytes, top lists);
	// nil if it could not be computed.
	Efficiency *report.Efficiency `json:"efficiency,omitempty"`
}

// Source names a list the engine can page through: a directory of the merged
// filesystem, one layer's own changes, or filename search results.
type Source struct {
	Dir     string `json:"dir,omitempty"`     // absolute directory path
	Deleted bool   `json:"deleted,omitempty"` // with Dir: also what later layers deleted or overwrote
	Layer   *int   `json:"layer,omitempty"`   // a layer's own change set
	Search  string `json:"search,omitempty"`  // filename search over the whole filesystem
}

// Key identifies the source, for caching.
func (s Source) Key() string {
	switch {
	case s.Layer != nil:
		return fmt.Sprintf("layer:%d", *s.Layer)
	case s.Search != "":
		return "search:" + s.Search
	default:
		return fmt.Sprintf("dir:%t:%s", s.Deleted, s.Dir)
	}
}

// ListRequest asks for entries [Offset, Offset+Limit) of a source.
type ListRequest struct {
	Source Source `json:"source"`
	Offset int    `json:"offset"`
	Limit  int    `json:"limit"`
}

// ListResult is one page of a source.
type ListResult struct {
	Total   int     `json:"total"`
	Offset  int     `json:"offset"`
	Entries []Entry `json:"entries"`
}

// Entry is one row: a path's metadata as the view shows it.
type Entry struct {
	Path  string `json:"path"`
	Type  string `json:"type"` // layers.Type names: "file", "dir", "symlink", "hardlink", "whiteout", "opaque", …
	Mode  uint32 `json:"mode"` // io/fs FileMode bits
	Size  int64  `json:"size"`
	UID   int    `json:"uid"`
	GID   int    `json:"gid"`
	Uname string `json:"uname,omitempty"` // owner names from the tar header, "" when it carries none
	Gname string `json:"gname,omitempty"`
	Link  string `json:"link,omitempty"`
	Layer int    `json:"layer"` // the layer that provided it
	// Change is set for rows that are not simply present: "deleted" or
	// "overwritten" (with Dir+Deleted; By is the layer that did it), or a
	// layer's own change kind "added", "modified", "deleted", "opaque".
	Change string `json:"change,omitempty"`
	By     int    `json:"by,omitempty"`
}

// StatRequest asks for one path's metadata and history.
type StatRequest struct {
	Path string `json:"path"`
}

// Change is what a layer did to a path.
type Change struct {
	Layer int    `json:"layer"`
	Kind  string `json:"kind"` // "added", "modified", "deleted"
	Entry *Entry `json:"entry,omitempty"`
}

// StatResult is a path's metadata (not following a final symlink), the path
// it resolves to, and what later layers did to it.
type StatResult struct {
	Entry    Entry    `json:"entry"`
	Resolved string   `json:"resolved,omitempty"`
	History  []Change `json:"history,omitempty"`
}

// ReadRequest asks for bytes [Offset, Offset+Limit) of a file (symlinks followed).
// Limit < 0 means to the end of the file.
type ReadRequest struct {
	Path   string `json:"path"`
	Offset int64  `json:"offset"`
	Limit  int64  `json:"limit"`
}

// ReadResult describes the bytes in the envelope's Data.
type ReadResult struct {
	Path     string `json:"path"`
	Resolved string `json:"resolved"`
	Size     int64  `json:"size"` // the whole file
	Offset   int64  `json:"offset"`
	N        int64  `json:"n"`
}

// CancelRequest cancels the request with the given id (a pull).
type CancelRequest struct {
	ID int64 `json:"id"`
}

// Progress is one pull progress event.
type Progress struct {
	Phase   string     `json:"phase"` // "manifest", "config", "layers", "done"
	Layer   int        `json:"layer"` // -1 for whole-pull events
	Digest  string     `json:"digest,omitempty"`
	State   string     `json:"state,omitempty"` // "waiting" "downloading" "verifying" "done" "failed"
	Done    int64      `json:"done"`
	Total   int64      `json:"total"`
	Message string     `json:"message,omitempty"`
	Error   *ErrorInfo `json:"error,omitempty"`
}

// Error kinds a person can act on.
const (
	ErrNotFound     = "not-found"
	ErrUnauthorized = "unauthorized"
	ErrRateLimited  = "rate-limited"
	ErrDigest       = "digest"
	ErrRelay        = "relay"
	ErrMediaType    = "media-type"
	ErrPlatform     = "platform"
	ErrNoImage      = "no-image"
	ErrOther        = "other"
)

// ErrorInfo is a failure, classified so the view can explain it.
type ErrorInfo struct {
	Kind       string  `json:"kind"`
	Message    string  `json:"message"`
	Summary    string  `json:"summary,omitempty"`    // one sentence: what happened and what to do (internal/advice); "" when Message is all there is
	Host       string  `json:"host,omitempty"`       // registry host to ask credentials for (unauthorized) or that could not be reached (relay)
	RetryAfter float64 `json:"retryAfter,omitempty"` // seconds (rate-limited)
	Layer      int     `json:"layer"`                // the layer at fault, or -1
	Digest     string  `json:"digest,omitempty"`
	// Platforms lists what an index offers when none matched (kind "platform").
	Platforms []string `json:"platforms,omitempty"`
}

// Error implements error.
func (e *ErrorInfo) Error() string { return e.Kind + ": " + e.Message }
