// regscope download service worker: answers a navigation to
// download/ID/NAME with a stream of the file's bytes, which the page fetches
// from the engine a chunk at a time and passes over a MessageChannel, so
// the browser writes a file of any size to disk without either side
// holding it whole. It handles nothing else: its scope is download/.
"use strict";
const pending = new Map(); // id → {port, name, size}
const waiting = new Map(); // id → resolve, for a fetch that came before its message

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (e) => e.waitUntil(self.clients.claim()));

self.addEventListener("message", (e) => {
  const d = e.data;
  if (!d || d.kind !== "download" || !e.ports[0]) return;
  const entry = { port: e.ports[0], name: String(d.name), size: Number(d.size) };
  const w = waiting.get(d.id);
  if (w) {
    waiting.delete(d.id);
    w(entry);
  } else {
    pending.set(d.id, entry);
  }
});

// entryFor waits up to 10 s for the page's message about download id.
function entryFor(id) {
  const e = pending.get(id);
  if (e) {
    pending.delete(id);
    return Promise.resolve(e);
  }
  return new Promise((resolve) => {
    waiting.set(id, resolve);
    setTimeout(() => {
      if (waiting.get(id) === resolve) {
        waiting.delete(id);
        resolve(null);
      }
    }, 10000);
  });
}

// stream pulls chunks from the page: each pull asks for one and waits.
function stream(port) {
  return new ReadableStream({
    pull(ctrl) {
      return new Promise((resolve) => {
        port.onmessage = (ev) => {
          const d = ev.data || {};
          if (d.error) ctrl.error(new Error(d.error));
          else if (d.done) ctrl.close();
          else ctrl.enqueue(new Uint8Array(d.chunk));
          resolve();
        };
        port.postMessage("more");
      });
    },
    cancel() {
      port.postMessage("cancel");
    },
  }, { highWaterMark: 1 });
}

self.addEventListener("fetch", (e) => {
  const m = new URL(e.request.url).pathname.match(/\/download\/([0-9a-z]+)\/[^/]*$/);
  if (!m) return;
  e.respondWith(entryFor(m[1]).then((entry) => {
    if (!entry) return new Response("regscope: no such download (the page that asked for it is gone)", { status: 404 });
    return new Response(stream(entry.port), {
      headers: {
        "Content-Type": "application/octet-stream",
        "Content-Length": String(entry.size),
        "Content-Disposition": "attachment; filename*=UTF-8''" + encodeURIComponent(entry.name),
      },
    });
  }));
});
