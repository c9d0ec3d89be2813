// regscope engine worker: instantiates the module the page compiled and runs
// it; messages that arrive before Go is running wait in regscopeQueue.
"use strict";
importScripts("wasm_exec.js");
self.regscopeQueue = [];
self.onmessage = async (e) => {
  const d = e.data;
  if (d && d.kind === "module") {
    self.regscopeInfo = d.info || null;
    self.regscopePage = d.page || ""; // the page's query, for ?relay= on a static copy
    try {
      const go = new Go();
      go.run(await WebAssembly.instantiate(d.module, go.importObject));
    } catch (err) {
      self.postMessage({ id: 0, kind: "error", body: JSON.stringify({ kind: "other", message: "the engine failed to start: " + err, layer: -1 }) });
    }
    return;
  }
  self.regscopeQueue.push(d);
};
