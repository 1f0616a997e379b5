// `netreach` entry point: dispatches to a command, turns errors into messages and exit codes,
// and cleans up its temporary files.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { COMMANDS, parseCommand, wantsHelp } from "./args.js";
import * as commands from "./commands.js";
import { CliError, EXIT, UsageError } from "./errors.js";
import { HELP } from "./help.js";
import { toolEnv } from "./render.js";
import { colorEnabled, painter } from "./terminal.js";

/** The package version, from package.json (no WebAssembly needed). */
function packageVersion() {
  const file = new URL("../../package.json", import.meta.url);
  return JSON.parse(fs.readFileSync(file, "utf8")).version;
}

function printError(stderr, paint, error) {
  stderr.write(
    `netreach: ${paint.red(paint.bold("error"))}: ${error.message}\n`,
  );
  if (error.detail) {
    stderr.write(`${error.detail.replace(/^/gm, "  | ")}\n`);
  }
  if (error.hint) stderr.write(`  hint: ${error.hint}\n`);
}

/**
 * Runs the CLI.
 * @param {string[]} argv arguments after the program name
 * @param {{stdout, stderr, env, cwd}} io
 * @returns {Promise<number>} the exit code
 */
export async function main(argv, io) {
  const { stdout, stderr, env, cwd } = io;
  const errPaint = painter(
    colorEnabled(stderr, env, argv.includes("--no-color")),
  );
  let scratch = null;
  try {
    const [command, ...rest] = argv;
    if (command === undefined) {
      stderr.write(`${HELP.main}\n`);
      return EXIT.ERROR;
    }
    if (command === "--version" || command === "-V" || command === "version") {
      stdout.write(`netreach ${packageVersion()}\n`);
      return EXIT.OK;
    }
    if (command === "--help" || command === "-h" || command === "help") {
      const topic = rest[0];
      if (topic !== undefined && !(topic in COMMANDS)) {
        throw new UsageError(`unknown command: ${topic}`);
      }
      stdout.write(`${HELP[topic ?? "main"]}\n`);
      return EXIT.OK;
    }
    if (!(command in COMMANDS)) {
      throw new UsageError(
        command.startsWith("-")
          ? `unknown option ${command}: name a command first (analyze, diff, explain, lint, check, snapshot)`
          : `unknown command: ${command} (commands: analyze, diff, explain, lint, check, snapshot)`,
      );
    }
    if (wantsHelp(rest)) {
      stdout.write(`${HELP[command]}\n`);
      return EXIT.OK;
    }
    const options = parseCommand(command, rest);
    const progressShown = options.verbose || Boolean(stderr.isTTY);
    let tools = null;
    const context = {
      cwd,
      env,
      stdout,
      stderr,
      options,
      side: "",
      paint: painter(
        !options.output && colorEnabled(stdout, env, options.noColor),
      ),
      errPaint,
      log(message, { verboseOnly = false } = {}) {
        if (options.verbose || (progressShown && !verboseOnly)) {
          stderr.write(`netreach: ${message}\n`);
        }
      },
      warn(message) {
        stderr.write(`netreach: ${errPaint.yellow("warning")}: ${message}\n`);
      },
      error(message) {
        stderr.write(`netreach: ${errPaint.red("error")}: ${message}\n`);
      },
      scratchDir(prefix) {
        scratch ??= fs.mkdtempSync(path.join(os.tmpdir(), "netreach-"));
        return fs.mkdtempSync(path.join(scratch, prefix));
      },
      toolEnv() {
        tools ??= toolEnv(env, context.scratchDir("tools-"));
        return tools;
      },
    };
    return await commands[command](context);
  } catch (error) {
    if (error instanceof CliError) {
      printError(stderr, errPaint, error);
      return EXIT.ERROR;
    }
    printError(stderr, errPaint, {
      message: `internal error (please report it): ${error?.stack ?? error}`,
    });
    return EXIT.ERROR;
  } finally {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  }
}
