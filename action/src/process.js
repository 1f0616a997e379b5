// Running git: argument vectors only (never a shell), output as
// Buffers, and errors that quote the command and its stderr.

import { spawn } from "node:child_process";

export class CommandError extends Error {
  constructor(command, args, code, stderr) {
    const shown = [command, ...args].join(" ");
    const detail = stderr.trim().split("\n").slice(-12).join("\n");
    super(`\`${shown}\` failed (exit ${code})${detail ? `:\n${detail}` : ""}`);
    this.code = code;
    this.stderr = stderr;
  }
}

/**
 * Runs a command to completion.
 * @param {string} command
 * @param {string[]} args
 * @param {{cwd?: string, input?: string | Buffer, env?: object, allowFailure?: boolean}} [options]
 * @returns {Promise<{code: number, stdout: Buffer, stderr: string}>}
 */
export function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    const out = [];
    const err = [];
    child.stdout.on("data", (c) => out.push(c));
    child.stderr.on("data", (c) => err.push(c));
    child.on("error", (error) => {
      if (error.code === "ENOENT") {
        reject(new Error(`\`${command}\` is not installed or not on PATH`));
      } else {
        reject(error);
      }
    });
    child.on("close", (code) => {
      const result = {
        code: code ?? 1,
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err).toString("utf8"),
      };
      if (result.code !== 0 && !options.allowFailure) {
        reject(new CommandError(command, args, result.code, result.stderr));
      } else {
        resolve(result);
      }
    });
    child.stdin.on("error", () => {
      // the command may exit before reading all input; its exit status tells
    });
    child.stdin.end(options.input ?? "");
  });
}
