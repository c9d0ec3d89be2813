//go:build js

package view

import (
	"fmt"
	"strconv"

	"honnef.co/go/js/dom/v2"

	"github.com/regscope/regscope/wasm/msg"
)

// cacheBox shows the verified cache's usage on the start screen, with a
// "Clear cache" control: #cache-usage says how much is kept (its
// data-entries, data-bytes and data-dropped carry the numbers) and
// #cache-clear empties it. It asks the engine again after each pull.
type cacheBox struct {
	p     *Page
	usage dom.HTMLElement
	note  dom.HTMLElement // the last entry dropped, and why
}

func newCacheBox(p *Page) *cacheBox {
	c := &cacheBox{p: p, usage: textEl("span", "", "id", "cache-usage", "aria-live", "polite"),
		note: textEl("p", "", "id", "cache-note")}
	clear := button("Clear cache", "id", "cache-clear")
	head := add(elem("div", "class", "start-head"), textEl("h3", "Verified cache", "id", "cache-title"), c.usage, clear)
	p.el("start").AppendChild(add(elem("div", "id", "cache-box"), head, c.note))
	listen(p.loop, clear, "click", func(dom.Event) { c.refresh(true) })
	return c
}

// refresh asks the engine for the cache's usage (clearing it first when
// clear is set) and shows it.
func (c *cacheBox) refresh(clear bool) {
	c.p.ask(msg.KindCache, msg.CacheRequest{Clear: clear}, func(r reply) {
		var u msg.CacheResult
		if err := r.decode(&u); err != nil {
			c.usage.SetTextContent("unavailable: " + err.Error())
			return
		}
		c.show(u)
	})
}

func (c *cacheBox) show(u msg.CacheResult) {
	c.usage.SetAttribute("data-entries", strconv.Itoa(u.Entries))
	c.usage.SetAttribute("data-bytes", strconv.FormatInt(u.Bytes, 10))
	c.usage.SetAttribute("data-dropped", strconv.Itoa(u.Dropped))
	if u.Budget == 0 {
		c.usage.SetTextContent("not available in this browser")
		return
	}
	s := fmt.Sprintf("%d entries, %s of %s", u.Entries, megabytes(u.Bytes), megabytes(u.Budget))
	if u.Dropped > 0 {
		s += fmt.Sprintf("; tampered entries dropped: %d", u.Dropped)
	}
	c.usage.SetTextContent(s)
	c.note.SetTextContent(u.Note)
}

// megabytes says n in MB (10^6 bytes), one decimal.
func megabytes(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }
