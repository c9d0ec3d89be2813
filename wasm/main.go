//go:build js

// Command wasm is regscope's page, compiled to WebAssembly. The same binary
// plays two roles: in a Web Worker (no document) it is the engine that pulls
// images; on the page's main thread it is the view that draws them.
package main

import (
	"syscall/js"

	"github.com/regscope/regscope/wasm/engine"
	"github.com/regscope/regscope/wasm/view"
)

func main() {
	if js.Global().Get("document").IsUndefined() {
		engine.Run()
		return
	}
	view.Run()
}
