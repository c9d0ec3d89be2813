//go:build js

package engine

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"syscall/js"

	"github.com/regscope/regscope/pkg/layers"
	"github.com/regscope/regscope/wasm/msg"
)

// contentsPrefix starts the name of every contents file in the Origin
// Private File System.
const contentsPrefix = "contents-"

// contents is where the worker's pulls keep file contents: one OPFS file
// per side of a pull ("" for the image, "B" for a comparison's other image),
// named for this worker so that tabs open on the same origin never share
// one. A new pull replaces the files of the one before.
type contents struct {
	mu    sync.Mutex
	id    string                // this worker's part of the names
	open  map[string]*OPFSStore // by side
	kept  map[string]string     // by side: msg.StorageDisk or msg.StorageNone
	swept bool                  // files other workers left behind were removed

	exported, previous string // the last two export files (export_js.go)
}

// storage says where the last store opened for side keeps contents.
func (c *contents) storage(side string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.kept[side]
}

// store opens a fresh contents file for side and says where contents are
// kept: on disk, or — when the browser gives no storage — nowhere
// (metadata only, reads answer msg.NotKeptMessage).
func (c *contents) store(side string) (layers.Store, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.id == "" {
		b := make([]byte, 8)
		rand.Read(b)
		c.id, c.open, c.kept = hex.EncodeToString(b), map[string]*OPFSStore{}, map[string]string{}
	}
	if old := c.open[side]; old != nil {
		old.Close()
		delete(c.open, side)
	}
	if !c.swept {
		c.swept = true
		sweep(contentsPrefix + c.id)
	}
	s, err := OpenOPFS(contentsPrefix + c.id + side)
	if err != nil {
		js.Global().Get("console").Call("warn", "regscope: file contents not kept: "+err.Error())
		c.kept[side] = msg.StorageNone
		return layers.DiscardStore(), msg.StorageNone
	}
	c.open[side], c.kept[side] = s, msg.StorageDisk
	return s, msg.StorageDisk
}

// sweep removes the contents files of workers that are gone (a closed tab
// leaves its file behind); a file another live worker holds is locked, and
// stays.
func sweep(mine string) {
	dir, err := opfsRoot()
	if err != nil || !dir.Get("keys").Truthy() {
		return
	}
	it := dir.Call("keys")
	for {
		r, err := await(it.Call("next"))
		if err != nil || r.Get("done").Bool() {
			return
		}
		name := r.Get("value").String()
		if strings.HasPrefix(name, contentsPrefix) && !strings.HasPrefix(name, mine) {
			await(dir.Call("removeEntry", name)) // fails, harmlessly, while another worker holds it
		}
	}
}

// notKept turns a read of content that was not kept into the error the
// page shows for it.
func notKept(err error) error {
	if errors.Is(err, layers.ErrNotKept) {
		return &msg.ErrorInfo{Kind: msg.ErrNotKept, Message: msg.NotKeptMessage, Layer: -1}
	}
	return err
}
