// The package's Node API, loaded on first use (so `--help` and usage errors need no
// WebAssembly), with the errors it throws turned into CliErrors.

import { CliError } from "./errors.js";

let loaded;

async function load() {
  if (!loaded) {
    try {
      loaded = await import("../../node.js");
    } catch (error) {
      throw new CliError(
        `cannot load the netreach WebAssembly module: ${error.message}`,
        {
          hint: "in a source checkout, build it first: bash scripts/build-wasm.sh",
        },
      );
    }
  }
  return loaded;
}

/** A thrown API error (`kind`, maybe `file` and `line`) as a CliError. */
function translate(error) {
  if (!error || typeof error !== "object" || !("kind" in error)) throw error;
  const where = error.file
    ? `${error.file}${error.line ? `:${error.line}` : ""}: `
    : "";
  let hint;
  if (
    error.kind === "unknown-endpoint" ||
    error.kind === "ambiguous-endpoint"
  ) {
    hint = "`netreach analyze PATH` lists the endpoint ids";
  }
  if (["invalid-expectations", "expectations-syntax"].includes(error.kind)) {
    hint = "the format of netreach.yaml: docs/expectations.md";
  } else if (["invalid-lock", "lock-syntax"].includes(error.kind)) {
    hint = "regenerate the lock with `netreach snapshot`";
  }
  // Check errors already start with `file:line: `.
  const message = error.message.startsWith(where)
    ? error.message
    : `${where}${error.message}`;
  return new CliError(message, { hint });
}

function call(fn) {
  try {
    return fn();
  } catch (error) {
    throw translate(error);
  }
}

/** The core API: `report`, `renderReport`, `renderReports`, `explain`, `check`, `renderCheck`, `snapshot`, `version`. */
export async function api() {
  const mod = await load();
  return {
    report: (request) => call(() => mod.report(request)),
    renderReport: (request, format, options) =>
      call(() => mod.renderReport(request, format, options)),
    renderReports: (request, formats, options) =>
      call(() => mod.renderReports(request, formats, options)),
    explain: (request) => call(() => mod.explain(request)),
    check: (request) => call(() => mod.check(request)),
    renderCheck: (request, format) =>
      call(() => mod.renderCheck(request, format)),
    snapshot: (request) => call(() => mod.snapshot(request)),
    version: () => mod.version(),
  };
}
