// Package report holds the plain data of what the pipeline found: the
// checks a pull made (pkg/pull), an image's efficiency (pkg/inspect) and the
// comparison of two images (pkg/diff). Those packages compute the values and
// name these types by alias; this package imports only the standard library
// and go-digest, so a program that only shows the results (the page's view,
// a wasm binary of its own) decodes them without linking the pipeline.
package report
