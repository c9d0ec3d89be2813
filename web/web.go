// Package web holds the page's static files: index.html, style.css, the
// bootstrap and worker scripts, the codec worker (codec.js) and under
// vendor/ the third-party code it loads (hash-wasm, with its licence). The server serves them from Static (rooted at
// "static"); the two wasm programs and wasm_exec.js are served beside them by the
// server itself.
package web

import "embed"

// Static is the page's static files, under the directory "static"
// (use fs.Sub(Static, "static") to serve them at the site root).
//
//go:embed static
var Static embed.FS
