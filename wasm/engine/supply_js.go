//go:build js

package engine

import (
	"context"

	"github.com/regscope/regscope/pkg/manifest"
	"github.com/regscope/regscope/pkg/registry"
	"github.com/regscope/regscope/wasm/msg"
)

// supply answers a SupplyRequest about the current image, reading its
// referrers through the same transport and credentials as the pull.
func (w *worker) supply(id int64, e msg.Envelope) {
	var req msg.SupplyRequest
	if len(e.Body) > 0 {
		if err := e.Decode(&req); err != nil {
			w.fail(id, err, "")
			return
		}
	}
	img, err := w.eng.Image()
	if err != nil {
		w.fail(id, err, "")
		return
	}
	c := registry.NewClient(registry.Options{
		Transport:       w.registryTransport(),
		Credentials:     w.credentials,
		UserAgent:       "regscope-web",
		ManifestPayload: manifest.Payload,
	})
	r, err := Supply(context.Background(), c, img, req)
	if err != nil {
		w.fail(id, err, img.Ref.Domain)
		return
	}
	w.reply(id, r)
}

// packages answers the package inventory of the current image.
func (w *worker) packages(id int64) {
	img, err := w.eng.Image()
	if err != nil {
		w.fail(id, err, "")
		return
	}
	r, err := Packages(img)
	respond(w, id, r, err)
}
