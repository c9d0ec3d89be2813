//go:build js

package main

import "github.com/regscope/regscope/wasm/engine"

func main() { engine.Run() }
