// Runs the netreach WebAssembly core off the main thread. Messages:
//   { id, type: "report",  request }  → { id, type, result, ms }
//   { id, type: "explain", request }  → { id, type, result, ms }
//   { id, type: "compress", request: string } → { id, type, result: lz-string URI component }
// Errors come back as { id, type, error: { message, kind } }.
import { init, report, explain, version } from "netreach";
import { compressToEncodedURIComponent } from "lz-string";

const ready = init().then(() =>
  postMessage({ type: "ready", version: version() }),
);

self.onmessage = async (event) => {
  const { id, type, request } = event.data;
  try {
    if (type === "compress") {
      postMessage({ id, type, result: compressToEncodedURIComponent(request) });
      return;
    }
    await ready;
    const start = performance.now();
    const result = type === "explain" ? explain(request) : report(request);
    postMessage({ id, type, result, ms: performance.now() - start });
  } catch (error) {
    postMessage({
      id,
      type,
      error: { message: String(error?.message ?? error), kind: error?.kind },
    });
  }
};
