// Node.js entry of `netreach`: loads the WebAssembly core synchronously on import, so the API
// is ready at once (`await init()` is accepted too, for code shared with browsers).
import { readFileSync } from "node:fs";
import * as wasm from "./pkg/netreach.js";
import { createApi } from "./lib/api.js";

wasm.initSync({
  module: readFileSync(new URL("./pkg/netreach_bg.wasm", import.meta.url)),
});

const api = createApi(wasm, () => {});

/** Does nothing: the Node build is ready on import. Exists so browser code runs unchanged. */
export async function init() {}

export const {
  version,
  report,
  renderReport,
  renderReports,
  explain,
  check,
  renderCheck,
  snapshot,
} = api;
