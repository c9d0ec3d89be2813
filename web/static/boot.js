// regscope bootstrap. The page runs two WebAssembly programs: the engine
// (engine.wasm, the pipeline) in a Web Worker, which fetches and compiles
// it off this thread (worker.js), and the view (view.wasm, the DOM) here.
// The worker starts first so that both downloads and compilations overlap;
// this thread compiles only the view, streamed as it arrives, and runs it
// in tasks of its own. The performance marks regscope:info,
// regscope:view-compiled and regscope:view-instantiated (and the view's
// own) time the steps for BenchmarkStartup.
"use strict";
(async () => {
  const status = document.getElementById("status");
  try {
    const worker = new Worker("worker.js");
    // The engine may be ready before the view listens: keep its messages
    // (and its failure) until the view takes them (wasm/view/client_js.go).
    const early = [];
    worker.onmessage = (e) => early.push(e);
    worker.onerror = (e) => {
      status.dataset.state = "error";
      status.textContent = "regscope failed to start: the engine (Web Worker) failed: " + (e.message || e);
    };
    let info = null;
    try {
      const r = await fetch("api/info", { cache: "no-store" });
      if (r.ok) info = await r.json();
    } catch (e) { /* a static copy of the page: no server, no relay */ }
    performance.mark("regscope:info");
    worker.postMessage({ kind: "start", info, page: location.search });
    globalThis.regscope = { worker, info, early };
    const mod = await regscopeCompile("view.wasm", info && info.view);
    performance.mark("regscope:view-compiled");
    const go = new Go();
    const instance = await WebAssembly.instantiate(mod, go.importObject);
    performance.mark("regscope:view-instantiated");
    await new Promise((resolve) => setTimeout(resolve, 0)); // the compilation's end was a task of its own
    go.run(instance);
  } catch (e) {
    status.dataset.state = "error";
    status.textContent = "regscope failed to start: " + e;
  }
})();

// regscopeCompile fetches and compiles a program, streamed when the host
// serves it as application/wasm, else (any other type, old browsers) from
// the whole body. version, when known, is its ?v= for immutable caching.
async function regscopeCompile(file, version) {
  const url = file + (version ? "?v=" + encodeURIComponent(version) : "");
  const res = await fetch(url);
  if (!res.ok) throw new Error(file + ": " + res.status + " " + res.statusText);
  if (WebAssembly.compileStreaming && (res.headers.get("Content-Type") || "").startsWith("application/wasm")) {
    return WebAssembly.compileStreaming(res);
  }
  return WebAssembly.compile(await res.arrayBuffer());
}
