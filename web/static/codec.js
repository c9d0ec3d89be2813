// regscope codec worker: SHA-256 (crypto.subtle, hash-wasm) and gzip inflate
// (DecompressionStream) for the engine, off the engine's thread. The engine
// (wasm/codec) runs a few of these and sends each stream of bytes to one of
// them; one worker serves many streams at once, each named by an id.
//
// Engine → worker, every buffer transferred, never cloned:
//   {op:"open", id, kind:"sha256"|"gunzip"}
//   {op:"write", id, data: Uint8Array, n}  n bytes of input; answered by
//                                          {op:"ack", id, data} once consumed
//                                          (the credit), returning the buffer,
//                                          or without data when a hash keeps
//                                          it for a one-shot digest
//   {op:"sum", id}     → {op:"sum", id, data: Uint8Array(32)}, state kept
//   {op:"reset", id}   a hash starts again
//   {op:"close", id}   a gunzip stream's input is complete
//   {op:"credit", id, data}  an inflated chunk was read; its buffer returns
//   {op:"free", id}    the stream is dropped
// Worker → engine: {op:"ready"} once, then per gunzip stream any number of
// {op:"data", id, data: Uint8Array} and one {op:"end", id, sum: Uint8Array(32)}
// (sum: the SHA-256 of every byte the stream's data messages carried, so
// that the engine need not hash them again) or
// {op:"error", id, message, fallback}. fallback is true when the stream is
// gzip DecompressionStream cannot read but Go's reader can (concatenated
// members, bytes after the last member).
"use strict";

// OUT_SIZE is the size of the inflated chunks sent to the engine, and
// OUT_CHUNKS how many of one stream may be unread at once: with the input
// the engine keeps in flight, what bounds a stream's memory, whatever the
// size of the layer.
const OUT_SIZE = 512 << 10;
const OUT_CHUNKS = 8;

let startError = "";
try {
  importScripts("vendor/hash-wasm/sha256.umd.min.js");
  if (typeof DecompressionStream !== "function") startError = "no DecompressionStream in this browser";
} catch (e) {
  startError = "hash-wasm did not load: " + e;
}

const streams = new Map();
const spare = []; // inflated-chunk buffers the engine gave back, for reuse

function post(m, buf) {
  if (buf) self.postMessage(m, [buf]);
  else self.postMessage(m);
}

// fallbackError says whether DecompressionStream failed on something Go's
// gzip reader reads: a second member, or bytes after the end.
function fallbackError(message) {
  return /junk found after end of compressed data/i.test(message);
}

// ONE_SHOT_MAX: a hash keeps what is written to it, up to this many bytes,
// and digests it at once with crypto.subtle (several times faster than
// hashing as it streams, in this browser); past it, it hashes with hash-wasm
// as bytes arrive. So blobs up to this size (most compressed layers) cost
// one native digest, and memory stays bounded for bigger ones.
const ONE_SHOT_MAX = 32 << 20;

// crypto.subtle exists only in a secure context (HTTPS, localhost): a page
// served over plain HTTP elsewhere hashes every byte with hash-wasm.
const ONE_SHOT = !!(self.crypto && self.crypto.subtle);

// hashStream is a SHA-256; messages that arrive while hash-wasm makes the
// hasher wait in queue.
function hashStream(id) {
  const s = { kind: "sha256", h: null, queue: [], held: ONE_SHOT ? [] : null, heldBytes: 0 };
  hashwasm.createSHA256().then((h) => {
    s.h = h;
    const q = s.queue;
    s.queue = null;
    for (const fn of q) fn();
  }, (e) => post({ op: "error", id, message: "SHA-256: " + e, fallback: false }));
  return s;
}

function hashOp(id, s, m) {
  switch (m.op) {
    case "write": {
      const data = m.n === m.data.length ? m.data : m.data.subarray(0, m.n);
      if (s.held === null) {
        s.h.update(data);
        post({ op: "ack", id, data: m.data }, m.data.buffer);
        break;
      }
      s.held.push(data); // kept: the credit goes back without the buffer
      s.heldBytes += data.length;
      post({ op: "ack", id });
      if (s.heldBytes > ONE_SHOT_MAX) {
        for (const c of s.held) s.h.update(c);
        s.held = null;
      }
      break;
    }
    case "sum": {
      if (s.held !== null) {
        const all = new Uint8Array(s.heldBytes);
        let off = 0;
        for (const c of s.held) { all.set(c, off); off += c.length; }
        crypto.subtle.digest("SHA-256", all).then((d) => post({ op: "sum", id, data: new Uint8Array(d) }, d),
          (e) => post({ op: "error", id, message: "SHA-256: " + e, fallback: false }));
        break;
      }
      const state = s.h.save();
      const d = new Uint8Array(s.h.digest("binary")); // a copy: its buffer is transferred
      s.h.load(state);
      post({ op: "sum", id, data: d }, d.buffer);
      break;
    }
    case "reset":
      s.h.init();
      s.held = ONE_SHOT ? [] : null;
      s.heldBytes = 0;
      break;
  }
}

// gunzipStream inflates what is written into chunks of OUT_SIZE sent in
// order; it stops reading the DecompressionStream while OUT_CHUNKS of them
// are unread, so the stream's own backpressure holds the input back. It
// also hashes what it inflates (outputHash), for the end message's sum.
function gunzipStream(id) {
  const ds = new DecompressionStream("gzip");
  const s = {
    kind: "gunzip", writer: ds.writable.getWriter(), reader: ds.readable.getReader(),
    out: 0, wake: null, writes: 0, done: false,
  };
  pump(id, s);
  return s;
}

// outputHash is the SHA-256 of a gunzip stream's output, as a hash stream
// computes it: the inflated chunks (new arrays from DecompressionStream,
// never reused) are kept up to ONE_SHOT_MAX bytes for one crypto.subtle
// digest; past that, or without crypto.subtle, they stream through hash-wasm.
async function outputHash() {
  const h = await hashwasm.createSHA256();
  let held = ONE_SHOT ? [] : null, heldBytes = 0;
  return {
    update(c) {
      if (held === null) { h.update(c); return; }
      held.push(c);
      heldBytes += c.length;
      if (heldBytes > ONE_SHOT_MAX) {
        for (const x of held) h.update(x);
        held = null;
      }
    },
    async digest() {
      if (held === null) return new Uint8Array(h.digest("binary"));
      const all = new Uint8Array(heldBytes);
      let off = 0;
      for (const x of held) { all.set(x, off); off += x.length; }
      held = null;
      return new Uint8Array(await crypto.subtle.digest("SHA-256", all));
    },
  };
}

function takeBuffer() {
  return spare.length > 0 ? spare.pop() : new Uint8Array(OUT_SIZE);
}

async function pump(id, s) {
  let buf = null, n = 0;
  const flush = async () => {
    while (s.out >= OUT_CHUNKS && !s.done) await new Promise((r) => { s.wake = r; });
    if (s.done) return;
    s.out++;
    const chunk = n === buf.length ? buf : new Uint8Array(buf.buffer, 0, n);
    post({ op: "data", id, data: chunk }, buf.buffer);
    buf = null;
    n = 0;
  };
  try {
    const hash = await outputHash();
    if (s.done) return;
    for (;;) {
      const { value, done } = await s.reader.read();
      if (done) break;
      hash.update(value);
      let off = 0;
      while (off < value.length) {
        if (buf === null) buf = takeBuffer();
        const k = Math.min(value.length - off, buf.length - n);
        buf.set(k === value.length ? value : value.subarray(off, off + k), n);
        n += k;
        off += k;
        if (n === buf.length) await flush();
        if (s.done) return;
      }
      // The inflater has consumed all input given so far: send what it
      // made rather than hold it until the next input arrives.
      if (s.writes === 0 && n > 0) await flush();
      if (s.done) return;
    }
    if (n > 0) await flush();
    if (s.done) return;
    const sum = await hash.digest();
    if (s.done) return;
    s.done = true;
    streams.delete(id);
    post({ op: "end", id, sum }, sum.buffer);
  } catch (e) {
    if (s.done) return;
    s.done = true;
    streams.delete(id);
    // The stream's error may be the one a write threw, worded as such.
    const message = String(e && e.message ? e.message : e).replace(/^Failed to execute '[^']*' on '[^']*': /, "");
    post({ op: "error", id, message: "gzip: " + message, fallback: fallbackError(message) });
  }
}

function gunzipOp(id, s, m) {
  switch (m.op) {
    case "write": {
      s.writes++;
      const data = m.data;
      s.writer.write(m.n === data.length ? data : data.subarray(0, m.n)).then(() => {
        s.writes--;
        post({ op: "ack", id, data }, data.buffer);
      }, () => { s.writes--; }); // the reader reports the error
      break;
    }
    case "close":
      s.writer.close().catch(() => {});
      break;
    case "credit":
      s.out--;
      if (m.data && m.data.length === OUT_SIZE && spare.length < 16) spare.push(m.data);
      if (s.wake) { const w = s.wake; s.wake = null; w(); }
      break;
  }
}

function drop(id) {
  const s = streams.get(id);
  if (!s) return;
  streams.delete(id);
  if (s.kind === "gunzip") {
    s.done = true;
    s.reader.cancel().catch(() => {});
    s.writer.abort().catch(() => {});
    if (s.wake) s.wake();
  }
}

self.onmessage = (e) => {
  const m = e.data;
  const id = m.id;
  if (m.op === "open") {
    streams.set(id, m.kind === "gunzip" ? gunzipStream(id) : hashStream(id));
    return;
  }
  if (m.op === "free") {
    drop(id);
    return;
  }
  const s = streams.get(id);
  if (!s) {
    // A stream that ended or failed: give its input buffer back all the same.
    if (m.op === "write") post({ op: "ack", id, data: m.data }, m.data.buffer);
    return;
  }
  if (s.kind === "sha256") {
    if (s.queue) s.queue.push(() => hashOp(id, s, m));
    else hashOp(id, s, m);
    return;
  }
  gunzipOp(id, s, m);
};

post(startError ? { op: "error", id: 0, message: startError, fallback: false } : { op: "ready" });
