// Package web holds the page's static files: index.html, style.css, the
// bootstrap and worker scripts. The server serves them from Static (rooted at
// "static"); the two wasm programs and wasm_exec.js are served beside them by the
// server itself.
package web

import "embed"

// Static is the page's static files, under the directory "static"
// (use fs.Sub(Static, "static") to serve them at the site root).
//
//go:embed static
var Static embed.FS
