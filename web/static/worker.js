// regscope engine worker: fetches and compiles engine.wasm (off the page's
// main thread, streamed as it arrives) once the page sends "start" with the
// server's /api/info, and runs it; messages that arrive before Go is
// running wait in regscopeQueue.
"use strict";
importScripts("wasm_exec.js");
self.regscopeQueue = [];
self.onmessage = (e) => {
  const d = e.data;
  if (d && d.kind === "start") {
    start(d);
    return;
  }
  self.regscopeQueue.push(d);
};

async function start(d) {
  self.regscopeInfo = d.info || null;
  self.regscopePage = d.page || ""; // the page's query, for ?relay= on a static copy
  try {
    const version = d.info && d.info.engine;
    const url = "engine.wasm" + (version ? "?v=" + encodeURIComponent(version) : "");
    const res = await fetch(url);
    if (!res.ok) throw new Error("engine.wasm: " + res.status + " " + res.statusText);
    const streamed = WebAssembly.compileStreaming && (res.headers.get("Content-Type") || "").startsWith("application/wasm");
    const mod = streamed ? await WebAssembly.compileStreaming(res) : await WebAssembly.compile(await res.arrayBuffer());
    const go = new Go();
    go.run(await WebAssembly.instantiate(mod, go.importObject));
  } catch (err) {
    self.postMessage({ id: 0, kind: "error", body: JSON.stringify({ kind: "other", message: "the engine failed to start: " + err, layer: -1 }) });
  }
}
