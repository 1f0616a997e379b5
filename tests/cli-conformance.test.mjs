// The npm CLI (core compiled to WebAssembly, files read by Node) and the native core must print
// the same bytes: for every input directory of the netpol-analyzer fixtures,
//
//   node npm/bin/netreach.js analyze --render none --format json DIR
//   cargo run -q -p netreach-core --example analyze_json -- DIR
//
// are compared byte for byte. The example is built once per run.
//
//   node --test tests/cli-conformance.test.mjs

import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { before, describe, test } from "node:test";
import { promisify } from "node:util";

import { FIXTURES, REPO_ROOT, describeRun, runCli } from "./helpers/cli.mjs";

const exec = promisify(execFile);

/** Input directories: every fixture directory but `_expected`, and each subdir of bad_netpols. */
function inputDirs() {
  const dirs = [];
  for (const name of readdirSync(FIXTURES).sort()) {
    const abs = path.join(FIXTURES, name);
    if (name.startsWith("_") || !statSync(abs).isDirectory()) continue;
    dirs.push(name);
    if (name === "bad_netpols") {
      for (const sub of readdirSync(abs).sort()) {
        if (statSync(path.join(abs, sub)).isDirectory())
          dirs.push(`${name}/${sub}`);
      }
    }
  }
  return dirs;
}

const available = existsSync(FIXTURES);
const dirs = available ? inputDirs() : [];
let example;

before(() => {
  if (!available) return;
  execFileSync(
    "cargo",
    ["build", "-q", "-p", "netreach-core", "--example", "analyze_json"],
    {
      cwd: REPO_ROOT,
      stdio: ["ignore", "inherit", "inherit"],
    },
  );
  const target = process.env.CARGO_TARGET_DIR
    ? path.resolve(REPO_ROOT, process.env.CARGO_TARGET_DIR)
    : path.join(REPO_ROOT, "target");
  example = path.join(target, "debug", "examples", "analyze_json");
});

describe(
  "analyze --format json is byte-identical to the native core",
  { skip: available ? false : `no fixtures at ${FIXTURES}`, concurrency: 2 },
  () => {
    test("there are fixtures to compare", () => {
      assert.ok(dirs.length >= 30, dirs.join(" "));
      assert.ok(dirs.includes("bad_netpols/subdir1"));
    });

    for (const dir of dirs) {
      test(dir, async () => {
        // The same relative argument for both, from the repository root.
        const arg = path.relative(REPO_ROOT, path.join(FIXTURES, dir));
        const native = await exec(example, [arg], {
          cwd: REPO_ROOT,
          maxBuffer: 256 * 1024 * 1024,
          encoding: "buffer",
        });
        const args = ["analyze", "--render", "none", "--format", "json", arg];
        const cli = await runCli(args);
        assert.equal(cli.code, 0, describeRun(args, cli));
        const expected = native.stdout.toString("utf8");
        if (!Buffer.from(cli.stdout, "utf8").equals(native.stdout)) {
          let at = 0;
          while (at < cli.stdout.length && cli.stdout[at] === expected[at])
            at++;
          assert.fail(
            `${dir}: outputs differ at character ${at} (cli ${cli.stdout.length}, native ${expected.length} chars)\n` +
              `cli:    …${cli.stdout.slice(Math.max(0, at - 80), at + 80)}\n` +
              `native: …${expected.slice(Math.max(0, at - 80), at + 80)}`,
          );
        }
        assert.ok(expected.endsWith("}\n"));
      });
    }
  },
);
