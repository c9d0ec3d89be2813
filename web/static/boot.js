// regscope bootstrap: fetch and compile the wasm once, start it as the
// engine in a Web Worker and as the view on this thread.
"use strict";
(async () => {
  const status = document.getElementById("status");
  try {
    let info = null;
    try {
      const r = await fetch("api/info", { cache: "no-store" });
      if (r.ok) info = await r.json();
    } catch (e) { /* a static copy of the page: no server, no relay */ }
    const url = "regscope.wasm" + (info && info.wasm ? "?v=" + encodeURIComponent(info.wasm) : "");
    const mod = WebAssembly.compileStreaming
      ? await WebAssembly.compileStreaming(fetch(url))
      : await WebAssembly.compile(await (await fetch(url)).arrayBuffer());
    const worker = new Worker("worker.js");
    worker.postMessage({ kind: "module", module: mod, info, page: location.search });
    globalThis.regscope = { worker, info };
    const go = new Go();
    go.run(await WebAssembly.instantiate(mod, go.importObject));
  } catch (e) {
    status.dataset.state = "error";
    status.textContent = "regscope failed to start: " + e;
  }
})();
