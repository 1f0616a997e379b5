#!/usr/bin/env node
// Benchmark of the WebAssembly build (what the CLI, the Action and the playground run), at the
// sizes the core's criterion benches use: 2,000 workloads / 1,000 policies and 10,000 / 2,000,
// head with 50 changed policies. Inputs come from the core's seeded generator
// (`cargo run --release --example generate`), so both benches read the same YAML.
//
//   node scripts/bench-wasm.mjs [--runs N]
//
// Prints, per size, the best of N runs (default 5) of: the report as a JS object (`report`),
// the Markdown PR comment (`renderReport`), and JSON plus Markdown from one analysis
// (`renderReports`, the CLI's path). Needs `bash scripts/build-wasm.sh` first. Timings only:
// nothing is asserted, the tests live elsewhere.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const runsArg = process.argv.indexOf("--runs");
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;
if (!Number.isInteger(runs) || runs < 1) {
  throw new Error("--runs takes a positive whole number");
}

const started = performance.now();
const netreach = await import("../npm/node.js");
const loadMs = performance.now() - started;

function read(dir) {
  return readdirSync(dir)
    .filter((name) => name.endsWith(".yaml"))
    .sort()
    .map((name) => ({
      path: name,
      text: readFileSync(join(dir, name), "utf8"),
    }));
}

function best(fn) {
  let fastest = Infinity;
  for (let i = 0; i < runs; i += 1) {
    const start = performance.now();
    fn();
    fastest = Math.min(fastest, performance.now() - start);
  }
  return fastest;
}

const ms = (value) => `${value.toFixed(1)} ms`;
console.log(
  `netreach ${netreach.version()} (wasm), module load ${ms(loadMs)}, best of ${runs} runs`,
);
const work = mkdtempSync(join(tmpdir(), "netreach-bench-"));
try {
  for (const [workloads, policies] of [
    [2000, 1000],
    [10000, 2000],
  ]) {
    const out = join(work, `${workloads}`);
    execFileSync(
      "cargo",
      [
        "run",
        "--quiet",
        "--release",
        "-p",
        "netreach-core",
        "--example",
        "generate",
        "--",
        `${workloads}`,
        `${policies}`,
        "50",
        out,
      ],
      { cwd: root, stdio: ["ignore", "ignore", "inherit"] },
    );
    const request = {
      base: read(join(out, "base")),
      head: read(join(out, "head")),
    };
    const bytes = request.base.reduce((sum, file) => sum + file.text.length, 0);
    const timings = {
      report: best(() => netreach.report(request)),
      markdown: best(() => netreach.renderReport(request, "markdown")),
      "json+markdown": best(() =>
        netreach.renderReports(request, ["json", "markdown"]),
      ),
    };
    const row = Object.entries(timings)
      .map(([name, value]) => `${name} ${ms(value)}`)
      .join(", ");
    console.log(
      `${workloads} workloads / ${policies} policies (${Math.round(bytes / 1000)} KB per side): ${row}`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
