// Running the real CLI (`node npm/bin/netreach.js ...`) from tests.

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
);
export const CLI = path.join(REPO_ROOT, "npm", "bin", "netreach.js");
export const EXAMPLES = path.join(REPO_ROOT, "examples");
/** Third-party fixtures, next to the repository (here and in CI). */
export const FIXTURES = path.resolve(
  REPO_ROOT,
  "../shared/fixtures/netpol-analyzer",
);

/** The environment tests run the CLI with: no colour decisions inherited from the caller. */
export function baseEnv(extra = {}) {
  const env = { ...process.env };
  for (const name of [
    "NO_COLOR",
    "FORCE_COLOR",
    "NETREACH_KUBECTL",
    "NETREACH_HELM",
  ]) {
    delete env[name];
  }
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/**
 * Runs `netreach ARGS` and collects its output.
 * @param {string[]} args
 * @param {{cwd?: string, env?: object, input?: string|Buffer, node?: string[]}} [options]
 * @returns {Promise<{code: number, signal: string|null, stdout: string, stderr: string}>}
 */
export function runCli(args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...(options.node ?? []), CLI, ...args],
      {
        cwd: options.cwd ?? REPO_ROOT,
        env: options.env ?? baseEnv(),
        stdio: ["pipe", "pipe", "pipe"],
      },
    );
    const out = [];
    const err = [];
    child.stdout.on("data", (d) => out.push(d));
    child.stderr.on("data", (d) => err.push(d));
    child.on("error", reject);
    child.on("close", (code, signal) =>
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      }),
    );
    child.stdin.end(options.input ?? "");
  });
}

/** A fresh temporary directory and a function removing it. */
export function tempDir(prefix = "netreach-test-") {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A readable failure message: the command and everything it printed. */
export function describeRun(args, result) {
  return `netreach ${args.join(" ")} → exit ${result.code}\n--- stdout ---\n${result.stdout.slice(0, 4000)}\n--- stderr ---\n${result.stderr.slice(0, 4000)}`;
}
