//go:build js

package engine

import (
	"context"
	"net/url"
	"syscall/js"

	"github.com/regscope/regscope/pkg/layers"
	"github.com/regscope/regscope/wasm/codec"
	"github.com/regscope/regscope/wasm/msg"
)

// codecs is the engine's pool of codec workers, started once when the
// engine starts; pulls wait for it to be up or to have failed.
type codecs struct {
	ready chan struct{}
	pool  *codec.Pool // nil when the workers could not be started
	err   error       // why
}

// startCodecs starts codec.Size(navigator.hardwareConcurrency) codec
// workers from codec.js beside the engine's own script (so also under a
// sub-path of a static host).
func startCodecs(self js.Value) *codecs {
	c := &codecs{ready: make(chan struct{})}
	go func() {
		defer close(c.ready)
		base, err := url.Parse(self.Get("location").Get("href").String())
		if err != nil {
			c.err = err
			return
		}
		cores := 1
		if n := self.Get("navigator").Get("hardwareConcurrency"); n.Type() == js.TypeNumber {
			cores = n.Int()
		}
		script := base.ResolveReference(&url.URL{Path: "codec.js"}).String()
		c.pool, c.err = codec.Start(context.Background(), script, codec.Size(cores))
		if c.err != nil {
			js.Global().Get("console").Call("warn", "regscope: "+c.err.Error()+"; SHA-256 and gzip run in Go")
		}
	}()
	return c
}

// codec returns the layers.Codec pulls use (the zero Codec, Go's, without
// workers) and how many layers to read at once: layersAtOnce either way.
// Reading as many layers as workers at once measured slower on demo/big
// (e2e/BENCHMARK.md, "Codec workers"): the engine's own thread (tar,
// contents, moving bytes to and from the workers) is the bound, and layers
// read together share it, so all finish late, the first too.
func (c *codecs) codec() (layers.Codec, int) {
	<-c.ready
	if c.pool == nil {
		return layers.Codec{}, layersAtOnce
	}
	return c.pool.Codec(), layersAtOnce
}

// info reports the workers (msg.KindCodec).
func (c *codecs) info() msg.CodecInfo {
	<-c.ready
	if c.pool == nil {
		return msg.CodecInfo{Reason: c.err.Error()}
	}
	st := c.pool.Stats()
	return msg.CodecInfo{Workers: c.pool.Workers(), Streams: st.Streams, Bytes: st.BytesIn, Fallbacks: st.Fallbacks}
}
