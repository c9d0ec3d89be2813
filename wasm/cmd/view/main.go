//go:build js

package main

import "github.com/regscope/regscope/wasm/view"

func main() { view.Run() }
