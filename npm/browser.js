// Browser entry of `netreach` (also used by bundlers and other non-Node runtimes): the
// WebAssembly core is fetched and compiled by `await init()`, which must come first.
import * as wasm from "./pkg/netreach.js";
import { createApi } from "./lib/api.js";

let ready = false;
let pending;

/**
 * Loads the WebAssembly core. Call once and await it before any other function; later calls
 * return the same promise. `input` is where the .wasm comes from: a URL or string, a
 * `Request`/`Response` (or a promise of one), the bytes, or a compiled `WebAssembly.Module`.
 * By default it is `pkg/netreach_bg.wasm` next to this file, which bundlers such as Vite
 * pick up as an asset from the `new URL(..., import.meta.url)` below.
 */
export function init(input) {
  pending ??= (async () => {
    const module_or_path =
      (await input) ?? new URL("./pkg/netreach_bg.wasm", import.meta.url);
    await wasm.default({ module_or_path });
    ready = true;
  })().catch((error) => {
    pending = undefined; // let the caller retry, e.g. with another URL
    throw error;
  });
  return pending;
}

/**
 * Initialises synchronously from the bytes or a compiled `WebAssembly.Module` of
 * `pkg/netreach_bg.wasm` (e.g. in a Web Worker that was sent the module).
 */
export function initSync(module) {
  wasm.initSync({ module });
  ready = true;
}

function ensureReady() {
  if (!ready) {
    const error = new Error(
      "netreach is not initialised: call `await init()` (from 'netreach') before using its API",
    );
    error.name = "NetreachError";
    error.kind = "not-initialized";
    throw error;
  }
}

export const {
  version,
  report,
  renderReport,
  renderReports,
  explain,
  check,
  renderCheck,
  snapshot,
} = createApi(wasm, ensureReady);
