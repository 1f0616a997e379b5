// The four commands. Each reads its input sides, asks the core, writes the output and returns
// the exit code.

import fs from "node:fs";
import path from "node:path";

import { api } from "./api.js";
import { CliError, EXIT, UsageError } from "./errors.js";
import { gateCounts, trippedGates } from "./gate.js";
import { WORKTREE } from "./git.js";
import { explainText, findingLine, lintText, summaryLine } from "./present.js";
import { readGitSides, readPaths } from "./sources.js";
import { colorReportText, plain, plural } from "./terminal.js";

/** The core's `options` for a request. */
function coreOptions(options) {
  const out = { clusterCidrs: options.clusterCidrs };
  if (options.namespace !== undefined) out.namespace = options.namespace;
  return out;
}

/** Files that could not be read: one stderr line each. Returns how many. */
function reportProblems(context, problems, side = "") {
  for (const p of problems) {
    context.error(`${side}${plain(p.path)}: ${plain(p.message)}`);
  }
  return problems.length;
}

function sizeText(files) {
  const bytes = files.reduce((n, f) => n + Buffer.byteLength(f.text), 0);
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

function ensureNewline(text) {
  return text === "" || text.endsWith("\n") ? text : `${text}\n`;
}

/** Writes the result to `--output` (and a summary line to stdout) or to stdout. */
function emit(context, text, summary, colorize) {
  const body = ensureNewline(text);
  const file = context.options.output;
  if (file) {
    const abs = path.resolve(context.cwd, file);
    try {
      fs.writeFileSync(abs, body);
    } catch (error) {
      const why =
        error.code === "ENOENT"
          ? "no such directory"
          : (error.code ?? error.message);
      throw new CliError(`cannot write ${file}: ${why}`);
    }
    context.stdout.write(summary());
  } else {
    context.stdout.write(colorize ? colorize(body) : body);
  }
}

/** Input errors on stderr, for outputs that do not show them (or that go to a file). */
function printInputErrors(context, report) {
  for (const d of report.diagnostics) {
    if (d.severity !== "error") continue;
    context.stderr.write(
      `${findingLine(d, context.errPaint, d.side === "base" ? "base" : "")}\n`,
    );
  }
}

/** Applies `--fail-on`; returns the exit code. */
function gate(context, report, unreadable) {
  const tripped = trippedGates(
    context.options.gates,
    gateCounts(report, unreadable),
  );
  if (!tripped) return EXIT.OK;
  context.stderr.write(
    `netreach: ${context.errPaint.red("failing")}: ${tripped} (--fail-on ${[...context.options.gates].join(",")})\n`,
  );
  return EXIT.GATE;
}

function renderOptions(options, format) {
  if (format === "markdown") {
    const out = {};
    if (options.title !== undefined) out.title = options.title;
    if (options.maxChars !== undefined) out.maxChars = options.maxChars;
    return out;
  }
  if (format === "json") return { pretty: true };
  if (format === "analysis-json") return { pretty: false };
  return {};
}

/**
 * Computes the report once and returns both its rendering in `format` and the report data
 * (parsed from its JSON rendering, which is cheaper than converting the object across wasm).
 */
async function reportAndRender(context, request, format) {
  const core = await api();
  const files = [...(request.base ?? []), ...request.head];
  context.log(
    `analysing ${plural(files.length, "file")} (${sizeText(files)})…`,
  );
  const started = Date.now();
  const formats = format === "json" ? ["json"] : [format, "json"];
  const [text, json = text] = core.renderReports(
    request,
    formats,
    renderOptions(context.options, format),
  );
  const report = JSON.parse(json);
  const s = report.summary;
  context.log(
    `${plural(s.workloads, "workload")}, ${plural(s.connections, "connection")} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return { report, text };
}

const ANALYZE_FORMATS = {
  text: "connections",
  json: "analysis-json",
  markdown: "markdown",
  csv: "csv",
  dot: "dot",
};

export async function analyze(context) {
  const { options } = context;
  const side = readPaths(options.positionals, context);
  const unreadable = reportProblems(context, side.problems);
  const format = ANALYZE_FORMATS[options.format];
  const request = { head: side.files, options: coreOptions(options) };
  const { report, text } = await reportAndRender(context, request, format);
  emit(context, text, () =>
    summaryLine("analyze", report, options.output, options.format, unreadable),
  );
  if (format !== "markdown" || options.output)
    printInputErrors(context, report);
  return gate(context, report, unreadable);
}

export async function diff(context) {
  const { options } = context;
  let base;
  let head;
  if (options.git) {
    const [baseRev, headRev = WORKTREE] = options.positionals;
    ({ base, head } = readGitSides(baseRev, headRev, options.paths, context));
  } else {
    base = readPaths([options.positionals[0]], { ...context, side: "base " });
    head = readPaths([options.positionals[1]], { ...context, side: "head " });
  }
  const unreadable =
    reportProblems(context, base.problems, "base: ") +
    reportProblems(context, head.problems, "head: ");
  const request = {
    base: base.files,
    head: head.files,
    options: coreOptions(options),
  };
  const { report, text } = await reportAndRender(
    context,
    request,
    options.format,
  );
  const colorize =
    options.format === "text" ? (t) => colorReportText(t, context.paint) : null;
  emit(
    context,
    text,
    () =>
      summaryLine("diff", report, options.output, options.format, unreadable),
    colorize,
  );
  if (!["text", "markdown"].includes(options.format) || options.output) {
    printInputErrors(context, report);
  }
  return gate(context, report, unreadable);
}

export async function lint(context) {
  const { options } = context;
  const side = readPaths(options.positionals, context);
  const unreadable = reportProblems(context, side.problems);
  const request = { head: side.files, options: coreOptions(options) };
  let report;
  let text;
  if (options.format === "sarif" || options.format === "markdown") {
    ({ report, text } = await reportAndRender(
      context,
      request,
      options.format,
    ));
  } else {
    const core = await api();
    context.log(
      `analysing ${plural(side.files.length, "file")} (${sizeText(side.files)})…`,
    );
    report = core.report(request);
    if (options.format === "json") {
      const {
        schemaVersion,
        tool,
        summary,
        diagnostics,
        lint: findings,
        skipped,
      } = report;
      text = JSON.stringify(
        { schemaVersion, tool, summary, diagnostics, lint: findings, skipped },
        null,
        2,
      );
    } else {
      text = lintText(report, side.files.length, context.paint, unreadable);
    }
  }
  emit(context, text, () =>
    summaryLine("lint", report, options.output, options.format, unreadable),
  );
  if (
    options.format !== "text" &&
    (options.format !== "markdown" || options.output)
  ) {
    printInputErrors(context, report);
  }
  return gate(context, report, unreadable);
}

export async function explain(context) {
  const { options } = context;
  const side = readPaths(options.positionals, context);
  reportProblems(context, side.problems);
  const core = await api();
  const request = { files: side.files, options: coreOptions(options) };
  const query = {
    from: options.from,
    to: options.to,
    protocol: options.protocol,
  };
  if (options.port !== undefined) query.port = options.port;
  context.log(
    `analysing ${plural(side.files.length, "file")} (${sizeText(side.files)})…`,
  );
  const explanation = core.explain({ ...request, query });
  // The explanation has no input diagnostics of its own: an invalid object was skipped, and
  // the user must know that before trusting the verdict.
  printInputErrors(
    context,
    core.report({ head: side.files, options: request.options }),
  );
  const text =
    options.format === "json"
      ? JSON.stringify(explanation, null, 2)
      : explainText(explanation, context.paint);
  const what =
    explanation.port === undefined
      ? "any port"
      : `${explanation.protocol} ${explanation.port}`;
  const verdict = `${explanation.allowed ? "ALLOWED" : "DENIED"}: ${plain(explanation.from)} -> ${plain(explanation.to)} on ${what}`;
  emit(
    context,
    text,
    () =>
      `netreach: wrote ${plain(options.output)} (${options.format}): ${verdict}\n`,
  );
  if (
    options.expect &&
    (options.expect === "allowed") !== explanation.allowed
  ) {
    context.stderr.write(
      `netreach: ${context.errPaint.red("failing")}: expected ${options.expect}, but ${verdict}\n`,
    );
    return EXIT.GATE;
  }
  return EXIT.OK;
}

/** Where `check` looks for its files when none is named. */
const DEFAULT_EXPECTATIONS = "netreach.yaml";
const DEFAULT_LOCK = "netreach.lock.json";

/**
 * Reads the expectations or lock file for `check`: `named` (an error when unreadable), else
 * `fallback` in the current directory when it exists. `{path, text}` or undefined.
 */
function readCheckFile(context, named, fallback, what) {
  const arg = named ?? fallback;
  const abs = path.resolve(context.cwd, arg);
  if (named === undefined && !fs.existsSync(abs)) return undefined;
  let bytes;
  try {
    bytes = fs.readFileSync(abs);
  } catch (error) {
    throw new CliError(
      error.code === "ENOENT"
        ? `no such ${what} file: ${arg}`
        : `cannot read ${what} file ${arg}: ${error.code ?? error.message}`,
    );
  }
  const rel = path.relative(context.cwd, abs);
  const label =
    rel && !rel.startsWith("..") ? rel.split(path.sep).join("/") : abs;
  return { path: label, text: bytes.toString("utf8") };
}

/** Manifests that could not be read stop `check` and `snapshot`: a partial input proves nothing. */
function requireReadable(context, side) {
  const unreadable = reportProblems(context, side.problems);
  if (unreadable > 0) {
    throw new CliError(
      `${plural(unreadable, "input file")} could not be read (see above)`,
    );
  }
}

export async function check(context) {
  const { options } = context;
  const expectations = readCheckFile(
    context,
    options.expectFile,
    DEFAULT_EXPECTATIONS,
    "expectations",
  );
  const lock = readCheckFile(context, options.lockFile, DEFAULT_LOCK, "lock");
  if (!expectations && !lock) {
    throw new UsageError(
      `nothing to check: no ${DEFAULT_EXPECTATIONS} or ${DEFAULT_LOCK} in the current directory; name them with --expect FILE and/or --lock FILE`,
      "check",
    );
  }
  const side = readPaths(options.positionals, context);
  requireReadable(context, side);
  const core = await api();
  const request = {
    files: side.files,
    options: coreOptions(options),
    expectations,
    lock,
  };
  context.log(
    `checking ${plural(side.files.length, "file")} (${sizeText(side.files)})…`,
  );
  const result = core.check(request);
  const text =
    options.format === "json"
      ? JSON.stringify(result, null, 2)
      : core.renderCheck(request, options.format);
  const s = result.summary;
  const verdict = [
    result.expectations
      ? `${s.expectationsFailed} of ${plural(s.expectations, "expectation")} failed`
      : null,
    result.lock
      ? result.lock.clean
        ? "matches the lock"
        : `lock drift (${plural(s.lockChanges, "change")})`
      : null,
    s.inputErrors ? plural(s.inputErrors, "input error") : null,
  ]
    .filter(Boolean)
    .join(", ");
  const colorize =
    options.format === "text"
      ? (t) =>
          t
            .replace(/^netreach check: PASS/m, (m) => context.paint.green(m))
            .replace(/^netreach check: FAIL/m, (m) => context.paint.red(m))
            .replace(/^( {2}✗ .*)$/gm, (m) => context.paint.red(m))
      : null;
  emit(
    context,
    text,
    () =>
      `netreach: wrote ${plain(options.output)} (${options.format}): ${result.passed ? "passed" : "FAILED"}: ${verdict}\n`,
    colorize,
  );
  if (options.format !== "text" || options.output) {
    for (const d of result.diagnostics) {
      if (d.severity !== "error") continue;
      context.stderr.write(`${findingLine(d, context.errPaint, "")}\n`);
    }
  }
  if (result.passed) return EXIT.OK;
  context.stderr.write(
    `netreach: ${context.errPaint.red("failing")}: ${verdict}\n`,
  );
  return EXIT.GATE;
}

export async function snapshot(context) {
  const { options } = context;
  const side = readPaths(options.positionals, context);
  requireReadable(context, side);
  const core = await api();
  const request = { files: side.files, options: coreOptions(options) };
  context.log(
    `analysing ${plural(side.files.length, "file")} (${sizeText(side.files)})…`,
  );
  const text = core.snapshot(request);
  // A lock taken from input with invalid objects approves a reachability nobody wrote.
  const report = core.report({ head: side.files, options: request.options });
  printInputErrors(context, report);
  const lock = JSON.parse(text);
  emit(
    context,
    text,
    () =>
      `netreach: wrote ${plain(options.output)}: ${plural(lock.endpoints.length, "endpoint")}, ${plural(lock.connections.length, "connection")}\n`,
  );
  return EXIT.OK;
}
