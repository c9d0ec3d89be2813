//go:build js

package engine

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"sync"
	"syscall/js"
	"time"

	"github.com/regscope/regscope/pkg/layers"
	"github.com/regscope/regscope/pkg/pull"
	"github.com/regscope/regscope/pkg/registry"
	"github.com/regscope/regscope/wasm/fetch"
	"github.com/regscope/regscope/wasm/msg"
	"github.com/regscope/regscope/wasm/pcache"
)

// layersAtOnce is how many layers the page reads at once. The engine's
// thread parses tar and stores contents even with codec workers hashing and
// inflating (codecs): layers read together share it and all finish late,
// while layers read in turn are verified and shown one after the other, the
// first soon.
const layersAtOnce = 1

// progressEvery is the most often one layer's byte progress is posted.
const progressEvery = 100 * time.Millisecond

// worker is the engine as it runs in a Web Worker.
type worker struct {
	self      js.Value
	eng       Engine
	cmp       Comparison // the last compare request's image B and result
	transport *fetch.Transport
	cache     *pcache.Transport // the verified cache in front of transport; nil without Cache Storage
	contents  contents          // where pulls keep file contents
	codecs    *codecs           // the codec workers pulls hash and inflate in

	mu     sync.Mutex
	creds  map[string]msg.Credential // by registry domain; memory only
	cancel map[int64]context.CancelFunc
	pullID int64
}

// Run runs the engine in the current Web Worker until the page goes away.
// worker.js sets self.regscopeInfo (the server's /api/info, or null) and
// queues messages that arrive before Go is running in self.regscopeQueue.
func Run() {
	self := js.Global()
	origin, err := url.Parse(self.Get("location").Get("origin").String())
	if err != nil || origin.Host == "" {
		origin = &url.URL{Scheme: "http", Host: "localhost"}
	}
	w := &worker{
		self:      self,
		transport: fetch.New(http.DefaultTransport, origin, chooseRelay(self, origin)),
		creds:     map[string]msg.Credential{},
		cancel:    map[int64]context.CancelFunc{},
		codecs:    startCodecs(self),
	}
	if st := newCacheStore(origin.Scheme + "://" + origin.Host); st != nil {
		w.cache = &pcache.Transport{Next: w.transport, Store: st, OnDrop: w.note}
		if mac, err := macWithin(macWait); err == nil {
			w.cache.MAC = mac // layer indexes are kept too
		} else {
			js.Global().Get("console").Call("warn", "regscope: the verified cache keeps no layer indexes: "+err.Error())
		}
	}
	onMessage := js.FuncOf(func(this js.Value, args []js.Value) any {
		w.receive(args[0].Get("data"))
		return nil
	})
	self.Set("onmessage", onMessage)
	if q := self.Get("regscopeQueue"); q.Truthy() {
		for i := 0; i < q.Length(); i++ {
			w.receive(q.Index(i))
		}
		self.Set("regscopeQueue", js.Null())
	}
	msg.Post(self, msg.Envelope{Kind: msg.KindReady})
	select {}
}

// chooseRelay finds the page's relay (fetch.ChooseRelay): the server's,
// when /api/info says it has one (self.regscopeInfo); else the one named by
// the config file beside the page; else ?relay= of the page's address
// (self.regscopePage). A relay setting that cannot be used is reported on
// the console and ignored.
func chooseRelay(self js.Value, origin *url.URL) *url.URL {
	info := self.Get("regscopeInfo")
	served := info.Truthy() && info.Get("relay").Truthy()
	var cfg fetch.Config
	if !served {
		if base, err := url.Parse(self.Get("location").Get("href").String()); err == nil {
			cfg = readConfig(base.ResolveReference(&url.URL{Path: fetch.ConfigFile}).String())
		}
	}
	page := ""
	if p := self.Get("regscopePage"); p.Type() == js.TypeString {
		page = p.String()
	}
	relay, err := fetch.ChooseRelay(origin, served, cfg, page)
	if err != nil {
		js.Global().Get("console").Call("error", "regscope: "+err.Error())
	}
	return relay
}

// readConfig fetches the page's config file; a missing or unreadable one
// is an empty config.
func readConfig(u string) fetch.Config {
	resp, err := http.Get(u)
	if err != nil {
		return fetch.Config{}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fetch.Config{}
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return fetch.Config{}
	}
	cfg, err := fetch.ParseConfig(b)
	if err != nil {
		js.Global().Get("console").Call("error", "regscope: "+err.Error())
	}
	return cfg
}

// receive handles one message from the view; a local image's File travels
// beside the envelope, so it is taken here.
func (w *worker) receive(d js.Value) {
	e := msg.FromJS(d)
	if e.Kind == msg.KindLocal {
		go w.local(e.ID, e, msg.File(d))
		return
	}
	go w.handle(e)
}

func (w *worker) reply(id int64, v any) {
	e, err := msg.New(id, msg.KindResult, v)
	if err != nil {
		w.fail(id, err, "")
		return
	}
	msg.Post(w.self, e)
}

func (w *worker) fail(id int64, err error, domain string) {
	e, _ := msg.New(id, msg.KindError, Classify(err, domain))
	msg.Post(w.self, e)
}

func (w *worker) handle(e msg.Envelope) {
	switch e.Kind {
	case msg.KindPull:
		decoded(w, e, func(req msg.PullRequest) { w.pull(e.ID, req) })
	case msg.KindCancel:
		var req msg.CancelRequest
		if e.Decode(&req) == nil {
			w.mu.Lock()
			if c := w.cancel[req.ID]; c != nil {
				c()
			}
			w.mu.Unlock()
		}
	case msg.KindList:
		answer(w, e, w.eng.List)
	case msg.KindStat:
		answer(w, e, w.eng.Stat)
	case msg.KindRead:
		decoded(w, e, func(req msg.ReadRequest) { w.read(e.ID, req) })
	case msg.KindExport:
		decoded(w, e, func(req msg.ReadRequest) { w.export(e.ID, req) })
	case msg.KindSupply:
		w.supply(e.ID, e)
	case msg.KindPackages:
		w.packages(e.ID)
	case msg.KindCache:
		answer(w, e, w.cacheUsage)
	case msg.KindCompare, msg.KindDiff, msg.KindDiffContent:
		w.comparison(e)
	default:
		w.fail(e.ID, &msg.ErrorInfo{Kind: msg.ErrOther, Message: "unknown request " + string(e.Kind), Layer: -1}, "")
	}
}

// decoded decodes e's body as a Req and passes it to fn, or answers e with
// the decoding error.
func decoded[Req any](w *worker, e msg.Envelope, fn func(Req)) {
	var req Req
	if err := e.Decode(&req); err != nil {
		w.fail(e.ID, err, "")
		return
	}
	fn(req)
}

// answer decodes e's body as a Req, calls fn and replies with its result or
// its error: the whole of a plain request.
func answer[Req, Resp any](w *worker, e msg.Envelope, fn func(Req) (Resp, error)) {
	decoded(w, e, func(req Req) {
		r, err := fn(req)
		respond(w, e.ID, r, err)
	})
}

// respond answers request id with r, or with err when there is one.
func respond[Resp any](w *worker, id int64, r Resp, err error) {
	if err != nil {
		w.fail(id, err, "")
		return
	}
	w.reply(id, r)
}

// opened resolves read request id: the range to send, its content
// (materialised when its layer was listed from the verified cache) and the
// answer's envelope. When it fails it has answered, and ok is false.
func (w *worker) opened(id int64, req msg.ReadRequest) (r *msg.ReadResult, c layers.Content, env msg.Envelope, ok bool) {
	r, c, err := w.eng.Open(req)
	if err == nil {
		c, err = w.materialise(id, c)
	}
	if err == nil {
		env, err = msg.New(id, msg.KindResult, r)
	}
	if err != nil {
		w.fail(id, err, "")
		return nil, nil, env, false
	}
	return r, c, env, true
}

func (w *worker) read(id int64, req msg.ReadRequest) {
	r, c, env, ok := w.opened(id, req)
	if !ok {
		return
	}
	if oc, ok := c.(opfsContent); ok && r.N > 0 {
		buf, err := oc.buffer(r.Offset, r.N)
		if err != nil {
			w.fail(id, err, "")
			return
		}
		msg.PostBuffer(w.self, env, buf)
		return
	}
	b, err := ReadAll(r, c)
	if err != nil {
		w.fail(id, notKept(err), "")
		return
	}
	env.Data = b
	msg.Post(w.self, env)
}

func (w *worker) pull(id int64, req msg.PullRequest) {
	ctx, cancel := w.begin(id, req.Credentials)
	defer cancel()
	domain := domainOf(req.Ref)
	opts := w.options(id, domain, "")
	opts.Platform = req.Platform
	if w.cache != nil {
		opts.Indexes = w.cache.LayerIndexes(domain)
	}
	current := func() bool { w.mu.Lock(); defer w.mu.Unlock(); return w.pullID == id }
	w.eng.Progressive(&opts, w.contents.storage(""), current, func(m msg.Merged) {
		if env, err := msg.New(id, msg.KindMerged, m); err == nil {
			msg.Post(w.self, env)
		}
	})
	img, err := pull.Pull(ctx, req.Ref, opts)
	if !w.end(id, err, domain) {
		if current() {
			w.eng.SetImage(nil) // nothing of a failed pull stays visible
		}
		return
	}
	w.eng.SetImage(img)
	w.reply(id, Summary(img))
}

// begin makes id the pull in flight, cancelling any other (one at a time:
// a new one replaces the old), and drops the current image: nothing from
// an earlier image stays visible through a failed pull.
func (w *worker) begin(id int64, creds []msg.Credential) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	w.mu.Lock()
	for _, c := range w.cancel {
		c()
	}
	w.cancel = map[int64]context.CancelFunc{id: cancel}
	w.pullID = id
	for _, c := range creds {
		w.creds[c.Host] = c
	}
	w.mu.Unlock()
	w.eng.SetImage(nil)
	w.cmp.Set(nil, nil, nil)
	return ctx, cancel
}

// end finishes pull id: it reports err, or a cancellation when a newer
// pull replaced this one, and says whether the result may be kept.
func (w *worker) end(id int64, err error, domain string) bool {
	w.mu.Lock()
	current := w.pullID == id
	delete(w.cancel, id)
	w.mu.Unlock()
	if env, e := msg.New(0, msg.KindCodec, w.codecs.info()); e == nil {
		msg.Post(w.self, env)
	}
	if err != nil {
		w.fail(id, err, domain)
		return false
	}
	if !current {
		w.fail(id, context.Canceled, domain)
		return false
	}
	return true
}

func domainOf(ref string) string {
	if r, err := registry.ParseRef(ref); err == nil {
		return r.Domain
	}
	return ""
}

// options are the pull options of request id: contents in JS memory, the
// page's transport and credentials, and progress posted to the view.
// With a side ("B"), layer events are reduced to one message per layer
// verified, and every message starts with the side.
func (w *worker) options(id int64, domain, side string) pull.Options {
	last := map[int]time.Time{}
	lastState := map[int]pull.State{}
	store, _ := w.contents.store(side)
	cd, atOnce := w.codecs.codec()
	if cd.SHA256 == nil && side == "" {
		if env, err := msg.New(id, msg.KindProgress, msg.Progress{Layer: -1,
			Message: "SHA-256 and gzip run in Go on the engine's thread (" + w.codecs.err.Error() + ")"}); err == nil {
			msg.Post(w.self, env)
		}
	}
	return pull.Options{
		Store:       store,
		Codec:       cd,
		Concurrency: atOnce,
		Registry: registry.Options{
			Transport:   w.registryTransport(),
			Credentials: w.credentials,
			UserAgent:   "regscope-web",
		},
		Progress: func(ev pull.Event) {
			now := time.Now()
			if side != "" {
				var ok bool
				if ev, ok = sideEvent(ev, side); !ok {
					return
				}
			} else if ev.Layer >= 0 && ev.Err == nil && ev.State == lastState[ev.Layer] && ev.Done != ev.Total && now.Sub(last[ev.Layer]) < progressEvery {
				return
			}
			last[ev.Layer], lastState[ev.Layer] = now, ev.State
			p := msg.Progress{Phase: ev.Phase, Layer: ev.Layer, Digest: string(ev.Digest), State: string(ev.State),
				Done: ev.Done, Total: ev.Total, Message: ev.Message}
			if ev.Err != nil {
				p.Error = Classify(ev.Err, domain)
			}
			if env, err := msg.New(id, msg.KindProgress, p); err == nil {
				msg.Post(w.self, env)
			}
		},
	}
}

// credentials gives the registry client the credentials the person entered
// for exactly this registry domain; the client sends them only there and to
// the token realm that registry names.
func (w *worker) credentials(host string) (string, string, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	c, ok := w.creds[host]
	return c.User, c.Pass, ok
}

// registryTransport is what pulls fetch through: the verified cache when
// the browser has Cache Storage, else the routing transport alone.
func (w *worker) registryTransport() http.RoundTripper {
	if w.cache != nil {
		return w.cache
	}
	return w.transport
}

// cacheUsage answers a CacheRequest: the cache's usage, after clearing it
// when asked. Without Cache Storage the cache is empty with no budget.
func (w *worker) cacheUsage(req msg.CacheRequest) (msg.CacheResult, error) {
	if w.cache == nil {
		return msg.CacheResult{}, nil
	}
	return w.cache.Usage(req.Clear)
}

// note posts a notice (a cache entry dropped) as a progress message of the
// pull in flight.
func (w *worker) note(text string) {
	w.mu.Lock()
	id := w.pullID
	w.mu.Unlock()
	if env, err := msg.New(id, msg.KindProgress, msg.Progress{Layer: -1, Message: text}); err == nil {
		msg.Post(w.self, env)
	}
}
