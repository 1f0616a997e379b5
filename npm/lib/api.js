// The public API over the raw wasm-bindgen exports (npm/pkg/netreach.js), shared by the Node
// entry (node.js) and the browser entry (browser.js). It adds no behaviour of its own: every
// rule about requests, formats and errors lives in the Rust core (core/src/api.rs).

/**
 * @param {typeof import("../pkg/netreach.js")} wasm the wasm-bindgen module
 * @param {() => void} ensureReady throws when the module is not initialised yet
 */
export function createApi(wasm, ensureReady) {
  return {
    /** @returns {string} */
    version() {
      ensureReady();
      return wasm.version();
    },
    report(request) {
      ensureReady();
      return wasm.report(request);
    },
    renderReport(request, format, renderOptions) {
      ensureReady();
      // wasm-bindgen only converts real strings; let the core name anything else.
      return wasm.renderReport(
        request,
        typeof format === "string" ? format : String(format),
        renderOptions,
      );
    },
    /** @returns {string[]} */
    renderReports(request, formats, renderOptions) {
      ensureReady();
      if (!Array.isArray(formats)) {
        throw new TypeError(
          "renderReports: formats must be an array of format names",
        );
      }
      return wasm.renderReports(request, formats.map(String), renderOptions);
    },
    explain(request) {
      ensureReady();
      return wasm.explain(request);
    },
    check(request) {
      ensureReady();
      return wasm.check(request);
    },
    renderCheck(request, format) {
      ensureReady();
      return wasm.renderCheck(
        request,
        typeof format === "string" ? format : String(format),
      );
    },
    /** @returns {string} */
    snapshot(request) {
      ensureReady();
      return wasm.snapshot(request);
    },
  };
}
