// Command-line parsing: node:util parseArgs per command, then validation into one options
// object the commands read.

import { isIP } from "node:net";
import { parseArgs } from "node:util";

import { UsageError } from "./errors.js";
import { RENDER_MODES } from "./render.js";

const INPUT_OPTIONS = {
  help: { type: "boolean", short: "h" },
  verbose: { type: "boolean", short: "v" },
  "no-color": { type: "boolean" },
  namespace: { type: "string" },
  "cluster-cidr": { type: "string", multiple: true },
  render: { type: "string" },
  values: { type: "string", multiple: true },
  set: { type: "string", multiple: true },
  release: { type: "string" },
  "helm-namespace": { type: "string" },
  kubectl: { type: "string" },
  helm: { type: "string" },
  format: { type: "string", short: "f" },
  output: { type: "string", short: "o" },
};

const REPORT_OPTIONS = {
  ...INPUT_OPTIONS,
  "fail-on": { type: "string", multiple: true },
  title: { type: "string" },
  "max-chars": { type: "string" },
};

/** Per command: its options, its formats (first = default), and the gates it accepts. */
export const COMMANDS = {
  analyze: {
    options: REPORT_OPTIONS,
    formats: ["text", "json", "markdown", "csv", "dot"],
    gates: ["lint-error", "lint-warning", "input-error"],
    defaultGates: [],
  },
  diff: {
    options: {
      ...REPORT_OPTIONS,
      git: { type: "boolean" },
      path: { type: "string", multiple: true },
    },
    formats: ["text", "markdown", "json", "sarif", "csv", "dot"],
    gates: [
      "exposure",
      "breakage",
      "lint-error",
      "lint-warning",
      "input-error",
    ],
    defaultGates: [],
  },
  explain: {
    options: {
      ...INPUT_OPTIONS,
      from: { type: "string" },
      to: { type: "string" },
      port: { type: "string" },
      protocol: { type: "string" },
      expect: { type: "string" },
    },
    formats: ["text", "json"],
    gates: [],
    defaultGates: [],
  },
  check: {
    options: {
      ...INPUT_OPTIONS,
      expect: { type: "string" },
      lock: { type: "string" },
    },
    formats: ["text", "json", "markdown"],
    gates: [],
    defaultGates: [],
  },
  snapshot: {
    options: INPUT_OPTIONS,
    formats: ["json"],
    gates: [],
    defaultGates: [],
  },
  lint: {
    options: REPORT_OPTIONS,
    formats: ["text", "json", "sarif", "markdown"],
    gates: ["lint-error", "lint-warning", "input-error"],
    defaultGates: ["lint-error", "input-error"],
  },
};

const FORMAT_ALIASES = { md: "markdown", txt: "text" };

const EXTENSIONS = {
  ".md": "markdown",
  ".markdown": "markdown",
  ".txt": "text",
  ".json": "json",
  ".sarif": "sarif",
  ".csv": "csv",
  ".dot": "dot",
  ".gv": "dot",
};

/** `--output report.md` without `--format`: the format its extension names, if the command has it. */
function formatFromExtension(output, formats) {
  if (!output) return undefined;
  const lower = output.toLowerCase();
  const ext = Object.keys(EXTENSIONS).find((e) => lower.endsWith(e));
  const format = ext && EXTENSIONS[ext];
  return formats.includes(format) ? format : undefined;
}

/** Whether the arguments ask for help (before a `--`). */
export function wantsHelp(argv) {
  for (const arg of argv) {
    if (arg === "--") return false;
    if (arg === "--help" || arg === "-h") return true;
  }
  return false;
}

function parseError(error, command) {
  // node:util's messages are long and mention internals; keep the part a user needs.
  const option = /'([^']+)'/.exec(error.message)?.[1];
  switch (error.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return new UsageError(`unknown option ${option}`, command);
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return new UsageError(
        error.message.includes("argument missing")
          ? `option ${option?.split(" ")[0] ?? ""} needs a value`
          : error.message,
        command,
      );
    default:
      return new UsageError(error.message, command);
  }
}

function integer(value, name, min, max, command) {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new UsageError(
      `${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`,
      command,
    );
  }
  return Number(value);
}

/**
 * Parses one command's arguments.
 * @returns {object} the options; `positionals` holds PATHs (or revisions)
 */
export function parseCommand(command, argv) {
  const spec = COMMANDS[command];
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: spec.options,
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw parseError(error, command);
  }
  const v = parsed.values;
  const positionals = parsed.positionals;

  const rawFormat = (
    v.format ??
    formatFromExtension(v.output, spec.formats) ??
    spec.formats[0]
  ).toLowerCase();
  const format = FORMAT_ALIASES[rawFormat] ?? rawFormat;
  if (!spec.formats.includes(format)) {
    throw new UsageError(
      `unknown format ${JSON.stringify(v.format)} for ${command}: expected one of ${spec.formats.join(", ")}`,
      command,
    );
  }

  const render = v.render ?? "auto";
  if (!RENDER_MODES.includes(render)) {
    throw new UsageError(
      `unknown --render mode ${JSON.stringify(render)}: expected one of ${RENDER_MODES.join(", ")}`,
      command,
    );
  }

  let gates = spec.defaultGates;
  if (v["fail-on"]) {
    gates = v["fail-on"]
      .flatMap((s) => s.split(","))
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean);
    if (gates.includes("none")) gates = gates.filter((g) => g !== "none");
    for (const gate of gates) {
      if (!spec.gates.includes(gate)) {
        throw new UsageError(
          `--fail-on ${gate} is not a gate of ${command}: expected ${[...spec.gates, "none"].join(", ")}`,
          command,
        );
      }
    }
  }

  for (const cidr of v["cluster-cidr"] ?? []) {
    const [address, bits, extra] = cidr.split("/");
    const family = isIP(address ?? "");
    const max = family === 6 ? 128 : 32;
    if (
      !family ||
      extra !== undefined ||
      !/^\d+$/.test(bits ?? "") ||
      Number(bits) > max
    ) {
      throw new UsageError(
        `--cluster-cidr needs a CIDR such as 10.0.0.0/8 or fd00::/8, not ${JSON.stringify(cidr)}`,
        command,
      );
    }
  }

  for (const pair of v.set ?? []) {
    if (!pair.includes("=")) {
      throw new UsageError(
        `--set needs KEY=VALUE, not ${JSON.stringify(pair)}`,
        command,
      );
    }
  }

  const options = {
    command,
    positionals,
    format,
    output: v.output,
    gates: new Set(gates),
    verbose: Boolean(v.verbose),
    noColor: Boolean(v["no-color"]),
    namespace: v.namespace ?? v["helm-namespace"],
    clusterCidrs: v["cluster-cidr"] ?? [],
    render,
    values: v.values ?? [],
    set: v.set ?? [],
    release: v.release ?? "netreach",
    helmNamespace: v["helm-namespace"],
    kubectl: v.kubectl,
    helm: v.helm,
    title: v.title,
    maxChars:
      v["max-chars"] === undefined
        ? undefined
        : integer(v["max-chars"], "--max-chars", 1, 2 ** 31 - 1, command),
    git: Boolean(v.git),
    paths: v.path ?? [],
  };
  if (command === "check") {
    options.expectFile = v.expect;
    options.lockFile = v.lock;
  }

  if (command === "diff") {
    if (options.paths.length && !options.git) {
      throw new UsageError("--path is only for --git", command);
    }
    if (options.git) {
      if (positionals.length < 1 || positionals.length > 2) {
        throw new UsageError(
          "diff --git needs BASE_REV and optionally HEAD_REV (default: WORKTREE)",
          command,
        );
      }
    } else if (positionals.length !== 2) {
      throw new UsageError(
        `diff needs BASE and HEAD (got ${positionals.length} ${positionals.length === 1 ? "path" : "paths"}); to compare git revisions use --git`,
        command,
      );
    }
  } else if (positionals.length === 0) {
    throw new UsageError(`${command} needs at least one PATH`, command);
  }

  if (command === "explain") {
    if (!v.from || !v.to) {
      throw new UsageError("explain needs --from and --to", command);
    }
    const protocol = (v.protocol ?? "TCP").toUpperCase();
    if (!["TCP", "UDP", "SCTP"].includes(protocol)) {
      throw new UsageError(
        `unknown --protocol ${JSON.stringify(v.protocol)}: expected TCP, UDP or SCTP`,
        command,
      );
    }
    const expect = v.expect?.toLowerCase();
    if (expect !== undefined && !["allowed", "denied"].includes(expect)) {
      throw new UsageError(
        `--expect must be allowed or denied, not ${JSON.stringify(v.expect)}`,
        command,
      );
    }
    Object.assign(options, {
      from: v.from,
      to: v.to,
      protocol,
      port:
        v.port === undefined
          ? undefined
          : integer(v.port, "--port", 1, 65535, command),
      expect,
    });
  }
  return options;
}
