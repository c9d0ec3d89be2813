//go:build js

package engine

import (
	"fmt"
	"strconv"
	"strings"
	"syscall/js"

	"github.com/regscope/regscope/pkg/layers"
	"github.com/regscope/regscope/wasm/msg"
)

// exportChunk is how many bytes export copies at a time.
const exportChunk = 4 << 20

// export answers a KindExport: the file's content copied, in chunks, into
// an OPFS file of its own, sent as a File the page downloads from disk.
// The contents file cannot be handed over itself: the engine holds it open
// for the image's other reads, and a File of it would go stale at the next
// write. Without storage it answers with the bytes, as read does.
func (w *worker) export(id int64, req msg.ReadRequest) {
	req.Offset, req.Limit = 0, -1
	if w.contents.storage("") != msg.StorageDisk {
		w.read(id, req)
		return
	}
	r, c, env, ok := w.opened(id, req)
	if !ok {
		return
	}
	if c == nil || r.N == 0 { // no bytes: nothing to keep on disk
		w.read(id, req)
		return
	}
	name, stale := w.contents.exportName(id)
	removeOPFS(stale)
	if name == "" {
		w.read(id, req)
		return
	}
	file, err := copyToOPFS(name, r, c)
	if err != nil {
		w.fail(id, fmt.Errorf("preparing %s for download: %w", r.Path, notKept(err)), "")
		return
	}
	msg.PostFile(w.self, env, file)
}

// exportName names request id's export file after this worker's contents
// files (so that a closed tab's are swept with them); "" before any pull.
// stale is this worker's export before the last, which the caller removes:
// the last one's download may still be reading it.
func (c *contents) exportName(id int64) (name, stale string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.id == "" {
		return "", ""
	}
	stale, c.previous = c.previous, c.exported
	c.exported = contentsPrefix + c.id + "-export-" + strconv.FormatInt(id, 10)
	return c.exported, stale
}

// copyToOPFS writes c's bytes r.Offset … r.Offset+r.N into the OPFS file
// name through a synchronous access handle, closes it and returns it as a
// File.
func copyToOPFS(name string, r *msg.ReadResult, c layers.Content) (file js.Value, err error) {
	dir, err := opfsRoot()
	if err != nil {
		return js.Value{}, err
	}
	h, err := openHandle(dir, name)
	if err != nil {
		return js.Value{}, err
	}
	defer func() {
		if p := recover(); p != nil { // a JavaScript exception, such as QuotaExceededError
			err = fmt.Errorf("%v", p)
		}
	}()
	h.Call("truncate", 0)
	buf := make([]byte, min(exportChunk, r.N))
	arr := js.Global().Get("Uint8Array").New(len(buf))
	opts := js.Global().Get("Object").New()
	for done := int64(0); done < r.N; {
		n := min(int64(len(buf)), r.N-done)
		if m, err := c.ReadAt(buf[:n], r.Offset+done); int64(m) < n {
			h.Call("close")
			return js.Value{}, fmt.Errorf("reading at %d: %v", r.Offset+done, err)
		}
		view := arr.Call("subarray", 0, n)
		js.CopyBytesToJS(view, buf[:n])
		opts.Set("at", float64(done))
		if w := h.Call("write", view, opts).Int(); int64(w) != n {
			h.Call("close")
			return js.Value{}, fmt.Errorf("wrote %d of %d bytes at %d", w, n, done)
		}
		done += n
	}
	h.Call("flush")
	h.Call("close")
	fh, err := await(dir.Call("getFileHandle", name))
	if err != nil {
		return js.Value{}, err
	}
	return await(fh.Call("getFile"))
}

// removeOPFS removes the OPFS file name, if it can ("" is nothing).
func removeOPFS(name string) {
	if !strings.HasPrefix(name, contentsPrefix) {
		return
	}
	if dir, err := opfsRoot(); err == nil {
		await(dir.Call("removeEntry", name)) // fails, harmlessly, while a download still reads it
	}
}
