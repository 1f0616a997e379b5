#!/usr/bin/env node
// netreach as an Argo CD Config Management Plugin (v2, sidecar): the `generate` command.
//
// argocd-cmp-server runs this in the Application's source directory (a copy of the repository
// at the synced revision). It
//   1. reads its parameters (ARGOCD_APP_PARAMETERS, PARAM_*, ARGOCD_ENV_NETREACH_*),
//   2. renders the app exactly once: plain YAML (the files, concatenated), `kubectl kustomize .`
//      or `helm template` — never with plugins, post-renderers or a kubeconfig,
//   3. checks what it rendered with the netreach CLI (`netreach check` against the expectations
//      and lock files when present, `netreach lint` when fail-on-lint is set),
//   4. on success prints the rendered stream to stdout unchanged. On a failure in `enforce` mode
//      it prints NOTHING to stdout and exits non-zero, so Argo CD shows the error and never sees
//      an empty or partial stream (which, with auto-prune, would delete the app's resources).
//      In `warn` mode the manifests pass through and the findings go to stderr.
//
// No dependencies besides Node. Exit codes: 0 generated, 1 a check failed (enforce),
// 2 bad parameters, unusable input or a render failure (any mode).
//
// Environment:
//   NETREACH_BIN        the netreach CLI (a .js file run with this Node, or an executable);
//                       default: `netreach` on PATH
//   NETREACH_KUBECTL    kubectl (or kustomize) binary; default: kubectl, then kustomize on PATH
//   NETREACH_HELM       helm binary; default: helm on PATH
//   NETREACH_TIMEOUT_SECONDS  total time budget (default 75; Argo CD kills the command at
//                       ARGOCD_EXEC_TIMEOUT, 90 s by default)

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const PARAMS = {
  render: { type: "string", default: "auto" },
  values: { type: "array", default: [] },
  set: { type: "map", default: {} },
  release: { type: "string", default: "" },
  expectations: { type: "string", default: "netreach.yaml" },
  lock: { type: "string", default: "netreach.lock.json" },
  mode: { type: "string", default: "enforce" },
  "fail-on-lint": { type: "string", default: "false" },
};
const RENDER_MODES = ["auto", "none", "kustomize", "helm"];
const MODES = ["enforce", "warn"];
const KUSTOMIZATION_FILES = [
  "kustomization.yaml",
  "kustomization.yml",
  "Kustomization",
];
const MANIFEST_EXTENSIONS = [".yaml", ".yml", ".json"];
const MAX_MESSAGE_LINES = 40;

class PluginError extends Error {
  constructor(message, { code = 2, detail = "" } = {}) {
    super(message);
    this.code = code;
    this.detail = detail;
  }
}

// ---------------------------------------------------------------------------------------------
// Parameters

/** `fail-on-lint` → `FAIL_ON_LINT`: how Argo CD names PARAM_* variables. */
function envName(name) {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, "_");
}

/**
 * The effective parameters. Later sources win: defaults, ARGOCD_ENV_NETREACH_<NAME> (the
 * Application's plugin.env), PARAM_<NAME>[_i|_KEY] (set by Argo CD from the parameters), and
 * ARGOCD_APP_PARAMETERS (the same parameters as JSON, authoritative when present).
 */
export function readParameters(env) {
  const out = {};
  for (const [name, spec] of Object.entries(PARAMS)) {
    out[name] = structuredClone(spec.default);
  }
  const fromEnv = (prefix) => {
    for (const [name, spec] of Object.entries(PARAMS)) {
      const key = prefix + envName(name);
      if (spec.type === "string") {
        if (env[key] !== undefined) out[name] = env[key];
      } else if (spec.type === "array") {
        const items = [];
        for (let i = 0; env[`${key}_${i}`] !== undefined; i++) {
          items.push(env[`${key}_${i}`]);
        }
        if (items.length) out[name] = items;
        // A single value in ARGOCD_ENV_*: comma-separated.
        else if (env[key] !== undefined && prefix !== "PARAM_") {
          out[name] = env[key]
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean);
        }
      } else if (spec.type === "map" && prefix !== "PARAM_") {
        // PARAM_SET_<KEY> loses the key's spelling (image.tag → IMAGE_TAG), so maps are read
        // from ARGOCD_APP_PARAMETERS only; ARGOCD_ENV_NETREACH_SET takes `k=v,k2=v2`.
        if (env[key] !== undefined) {
          out[name] = Object.fromEntries(
            env[key]
              .split(",")
              .filter((s) => s.trim())
              .map((pair) => {
                const i = pair.indexOf("=");
                if (i <= 0) {
                  throw new PluginError(
                    `${key}: expected key=value pairs separated by commas, got "${pair}"`,
                  );
                }
                return [pair.slice(0, i).trim(), pair.slice(i + 1)];
              }),
          );
        }
      }
    }
  };
  fromEnv("ARGOCD_ENV_NETREACH_");
  fromEnv("PARAM_");

  const raw = env.ARGOCD_APP_PARAMETERS;
  if (raw !== undefined && raw.trim() !== "") {
    let list;
    try {
      list = JSON.parse(raw);
    } catch (err) {
      throw new PluginError(
        `ARGOCD_APP_PARAMETERS is not valid JSON: ${err.message}`,
      );
    }
    if (!Array.isArray(list)) {
      throw new PluginError(
        "ARGOCD_APP_PARAMETERS must be a JSON array of parameters",
      );
    }
    for (const p of list) {
      if (!p || typeof p !== "object" || typeof p.name !== "string") {
        throw new PluginError(
          `ARGOCD_APP_PARAMETERS: every parameter needs a name, got ${JSON.stringify(p)}`,
        );
      }
      const spec = PARAMS[p.name];
      if (!spec) {
        throw new PluginError(
          `unknown parameter "${p.name}" (known: ${Object.keys(PARAMS).join(", ")})`,
        );
      }
      const value = p[spec.type];
      if (spec.type === "string" && typeof value === "string")
        out[p.name] = value;
      else if (
        spec.type === "array" &&
        Array.isArray(value) &&
        value.every((v) => typeof v === "string")
      ) {
        out[p.name] = value;
      } else if (
        spec.type === "map" &&
        value &&
        typeof value === "object" &&
        !Array.isArray(value) &&
        Object.values(value).every((v) => typeof v === "string")
      ) {
        out[p.name] = value;
      } else {
        throw new PluginError(
          `parameter "${p.name}" takes a ${spec.type} value (\`${spec.type}:\` in spec.source.plugin.parameters)`,
        );
      }
    }
  }
  return validate(out);
}

function validate(p) {
  if (!RENDER_MODES.includes(p.render)) {
    throw new PluginError(
      `parameter render: "${p.render}" is not one of ${RENDER_MODES.join(", ")}`,
    );
  }
  if (!MODES.includes(p.mode)) {
    throw new PluginError(
      `parameter mode: "${p.mode}" is not one of ${MODES.join(", ")}`,
    );
  }
  const bool = String(p["fail-on-lint"]).trim().toLowerCase();
  if (["true", "1", "yes", "on"].includes(bool)) p["fail-on-lint"] = true;
  else if (["false", "0", "no", "off", ""].includes(bool))
    p["fail-on-lint"] = false;
  else {
    throw new PluginError(
      `parameter fail-on-lint: "${p["fail-on-lint"]}" is not true or false`,
    );
  }
  for (const [k, v] of Object.entries(p.set)) {
    if (k === "" || /[\n\r=]/.test(k) || /[\n\r]/.test(v)) {
      throw new PluginError(
        `parameter set: invalid entry ${JSON.stringify(k)}`,
      );
    }
  }
  if (p.release !== "" && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(p.release)) {
    throw new PluginError(
      `parameter release: "${p.release}" is not a valid Helm release name`,
    );
  }
  return p;
}

// ---------------------------------------------------------------------------------------------
// Paths: every file a parameter names must stay inside the repository

/** The repository root: the working directory minus ARGOCD_APP_SOURCE_PATH. */
function repoRoot(cwd, env) {
  const source = (env.ARGOCD_APP_SOURCE_PATH ?? "").replace(
    /^\.?\/+|\/+$/g,
    "",
  );
  if (source === "" || source === ".") return cwd;
  const depth = source.split("/").filter((s) => s && s !== ".").length;
  let root = cwd;
  for (let i = 0; i < depth; i++) root = path.dirname(root);
  return path.join(root, source) === cwd ? root : cwd;
}

function insideRepo(param, value, cwd, root) {
  if (value.includes("\0"))
    throw new PluginError(`parameter ${param}: invalid path`);
  if (path.isAbsolute(value)) {
    throw new PluginError(
      `parameter ${param}: "${value}" must be a path relative to the app directory`,
    );
  }
  const abs = path.resolve(cwd, value);
  const rel = path.relative(root, abs);
  if (rel.startsWith("..") || path.isAbsolute(rel)) {
    throw new PluginError(
      `parameter ${param}: "${value}" points outside the repository`,
    );
  }
  // Symlinks in the repository must not lead out of it either.
  if (fs.existsSync(abs)) {
    const real = fs.realpathSync(abs);
    const realRel = path.relative(fs.realpathSync(root), real);
    if (realRel.startsWith("..") || path.isAbsolute(realRel)) {
      throw new PluginError(
        `parameter ${param}: "${value}" resolves outside the repository (symlink)`,
      );
    }
  }
  return abs;
}

// ---------------------------------------------------------------------------------------------
// Running tools

function which(name, env) {
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // next
    }
  }
  return null;
}

/** The environment renderers get: PATH, proxies and CAs; a private HOME; no kubeconfig or plugins. */
function toolEnv(env, scratch) {
  const home = path.join(scratch, "home");
  const noPlugins = path.join(scratch, "no-plugins");
  fs.mkdirSync(home, { recursive: true });
  fs.mkdirSync(noPlugins, { recursive: true });
  const out = {};
  for (const name of [
    "PATH",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
  ]) {
    if (env[name] !== undefined) out[name] = env[name];
  }
  return Object.assign(out, {
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, ".config"),
    XDG_CACHE_HOME: path.join(home, ".cache"),
    XDG_DATA_HOME: path.join(home, ".local", "share"),
    KUBECONFIG: path.join(home, "no-kubeconfig"),
    KUSTOMIZE_PLUGIN_HOME: noPlugins,
    HELM_PLUGINS: noPlugins,
    HELM_NO_PLUGINS: "1",
    HELM_CACHE_HOME: path.join(home, "helm-cache"),
    HELM_CONFIG_HOME: path.join(home, "helm-config"),
    HELM_DATA_HOME: path.join(home, "helm-data"),
    NO_COLOR: "1",
  });
}

function run(bin, args, { cwd, env, deadline, label }) {
  const timeout = Math.max(1000, deadline - Date.now());
  const result = spawnSync(bin, args, {
    cwd,
    env,
    encoding: "utf8",
    maxBuffer: 512 * 1024 * 1024,
    timeout,
    killSignal: "SIGKILL",
  });
  if (result.error) {
    if (result.error.code === "ETIMEDOUT") {
      throw new PluginError(
        `${label} timed out after ${Math.round(timeout / 1000)} s (NETREACH_TIMEOUT_SECONDS)`,
      );
    }
    if (result.error.code === "ENOENT" || result.error.code === "EACCES") {
      throw new PluginError(
        `${label}: cannot run ${bin} (${result.error.code})`,
      );
    }
    throw new PluginError(`${label} failed: ${result.error.message}`);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Rendering

function listManifestFiles(dir, skip) {
  const out = [];
  const walk = (abs, rel) => {
    const entries = fs.readdirSync(abs, { withFileTypes: true });
    for (const e of entries) {
      if (e.name.startsWith(".") || e.name === "node_modules") continue;
      const childAbs = path.join(abs, e.name);
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(childAbs, childRel);
      else if (
        e.isFile() &&
        MANIFEST_EXTENSIONS.includes(path.extname(e.name).toLowerCase()) &&
        !skip.has(childAbs)
      ) {
        out.push(childRel);
      }
    }
  };
  walk(dir, "");
  // Byte order of the paths, like netreach reads directories.
  return out.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** Concatenates plain manifests into one YAML stream. */
export function concatManifests(cwd, files) {
  let out = "";
  for (const rel of files) {
    let text = fs.readFileSync(path.join(cwd, rel), "utf8");
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text.trim() === "") continue;
    if (!text.endsWith("\n")) text += "\n";
    out += (out === "" ? "" : "---\n") + text;
  }
  return out;
}

function detect(cwd) {
  const names = new Set(fs.readdirSync(cwd));
  if (KUSTOMIZATION_FILES.some((f) => names.has(f))) return "kustomize";
  if (names.has("Chart.yaml")) return "helm";
  return "none";
}

function render(ctx) {
  const { params, cwd, env } = ctx;
  let kind = params.render === "auto" ? detect(cwd) : params.render;
  if (kind === "kustomize" && detect(cwd) !== "kustomize") {
    throw new PluginError(
      "render=kustomize: the app directory has no kustomization.yaml",
    );
  }
  if (kind === "helm" && !fs.existsSync(path.join(cwd, "Chart.yaml"))) {
    throw new PluginError("render=helm: the app directory has no Chart.yaml");
  }
  if (kind === "none") {
    const files = listManifestFiles(cwd, ctx.notManifests);
    if (files.length === 0) {
      throw new PluginError(
        "no manifests: the app directory has no .yaml, .yml or .json files besides the netreach files",
      );
    }
    return { kind, text: concatManifests(cwd, files), files };
  }
  if (kind === "kustomize") {
    let bin = env.NETREACH_KUBECTL || which("kubectl", env);
    let args = ["kustomize", "."];
    if (!bin) {
      bin = which("kustomize", env);
      args = ["build", "."];
    }
    if (!bin) {
      throw new PluginError(
        "this app is a Kustomization but neither kubectl nor kustomize is on PATH of the plugin sidecar (or set NETREACH_KUBECTL)",
      );
    }
    if (path.basename(bin).startsWith("kustomize")) args = ["build", "."];
    const label = `${path.basename(bin)} ${args.join(" ")}`;
    const r = run(bin, args, {
      cwd,
      env: ctx.toolEnv,
      deadline: ctx.deadline,
      label,
    });
    if (r.status !== 0) {
      throw new PluginError(`${label} failed (exit code ${r.status})`, {
        detail: tail(r.stderr),
      });
    }
    return { kind, text: r.stdout };
  }
  // helm
  const bin = env.NETREACH_HELM || which("helm", env);
  if (!bin) {
    throw new PluginError(
      "this app is a Helm chart (Chart.yaml) but helm is not on PATH of the plugin sidecar (or set NETREACH_HELM)",
    );
  }
  const release = params.release || env.ARGOCD_APP_NAME || "release";
  const args = ["template", release, ".", "--include-crds"];
  if (env.ARGOCD_APP_NAMESPACE)
    args.push("--namespace", env.ARGOCD_APP_NAMESPACE);
  for (const v of params.values) args.push("--values", v);
  for (const [k, v] of Object.entries(params.set))
    args.push("--set", `${k}=${v}`);
  const label = "helm template";
  const r = run(bin, args, {
    cwd,
    env: ctx.toolEnv,
    deadline: ctx.deadline,
    label,
  });
  if (r.status !== 0) {
    throw new PluginError(`helm template failed (exit code ${r.status})`, {
      detail: tail(r.stderr),
    });
  }
  return { kind, text: r.stdout };
}

// ---------------------------------------------------------------------------------------------
// Checking

function netreachCommand(env) {
  const bin = env.NETREACH_BIN || which("netreach", env);
  if (!bin) {
    throw new PluginError(
      "netreach CLI not found: install the netreach npm package in the sidecar or set NETREACH_BIN",
    );
  }
  return /\.[cm]?js$/.test(bin)
    ? { bin: process.execPath, prefix: [bin] }
    : { bin, prefix: [] };
}

function tail(text, lines = MAX_MESSAGE_LINES) {
  const all = (text ?? "").trimEnd().split("\n");
  const cut =
    all.length > lines ? [`… (${all.length - lines} more lines)`] : [];
  return [...cut, ...all.slice(-lines)].join("\n");
}

function runNetreach(ctx, label, args) {
  const { bin, prefix } = ctx.netreach;
  const r = run(bin, [...prefix, ...args], {
    cwd: ctx.checkCwd,
    env: { ...ctx.toolEnv, NETREACH_KUBECTL: "", NETREACH_HELM: "" },
    deadline: ctx.deadline,
    label: `netreach ${label}`,
  });
  const output = [r.stdout, r.stderr].filter((s) => s && s.trim()).join("\n");
  // Temporary paths (absolute, or relative to the app directory) are cut from the messages.
  const relScratch = path.relative(ctx.checkCwd, ctx.scratch) + path.sep;
  return {
    label,
    status: r.status,
    output: output
      .split(ctx.scratch + path.sep)
      .join("")
      .split(relScratch)
      .join(""),
  };
}

function check(ctx, rendered) {
  const { params, cwd, env } = ctx;
  // What netreach reads: the very files that were concatenated (so findings point at them), or
  // the renderer's output written to a temporary file.
  // netreach runs in the app directory; the temporary directory's prefix is cut from its
  // messages, so they name `helm-template.yaml:LINE` / `kustomize-build.yaml:LINE`.
  let targets;
  ctx.checkCwd = cwd;
  if (rendered.kind === "none") {
    targets = rendered.files;
  } else {
    const name =
      rendered.kind === "helm" ? "helm-template.yaml" : "kustomize-build.yaml";
    fs.writeFileSync(path.join(ctx.scratch, name), rendered.text);
    targets = [path.join(ctx.scratch, name)];
  }
  const common = ["--render", "none", "--no-color"];
  if (env.ARGOCD_APP_NAMESPACE)
    common.push("--namespace", env.ARGOCD_APP_NAMESPACE);

  const results = [];
  const checkArgs = [];
  if (ctx.expectations)
    checkArgs.push("--expect", path.relative(cwd, ctx.expectations));
  if (ctx.lock) checkArgs.push("--lock", path.relative(cwd, ctx.lock));
  if (checkArgs.length) {
    results.push(
      runNetreach(ctx, "check", [
        "check",
        ...targets,
        ...common,
        ...checkArgs,
        "--format",
        "text",
      ]),
    );
  }
  if (params["fail-on-lint"]) {
    results.push(
      runNetreach(ctx, "lint", [
        "lint",
        ...targets,
        ...common,
        "--fail-on",
        "lint-error,input-error",
      ]),
    );
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// Main

function hasObjects(text) {
  return text
    .split("\n")
    .some(
      (line) =>
        line.trim() !== "" &&
        !line.trim().startsWith("#") &&
        line.trim() !== "---",
    );
}

export function main({ env = process.env, cwd = process.cwd() } = {}) {
  const started = Date.now();
  const budget = Number(env.NETREACH_TIMEOUT_SECONDS || 75);
  const app = env.ARGOCD_APP_NAME ? `app ${env.ARGOCD_APP_NAME}` : "app";
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "netreach-cmp-"));
  try {
    const params = readParameters(env);
    const { mode } = params;
    const root = repoRoot(cwd, env);
    const optionalFile = (name) => {
      const abs = insideRepo(name, params[name], cwd, root);
      const explicit = params[name] !== PARAMS[name].default;
      if (fs.existsSync(abs)) return abs;
      if (explicit) {
        throw new PluginError(
          `parameter ${name}: ${params[name]} does not exist`,
        );
      }
      return null;
    };
    const ctx = {
      params,
      cwd,
      env,
      root,
      scratch,
      deadline:
        started + (Number.isFinite(budget) && budget > 0 ? budget : 75) * 1000,
      toolEnv: toolEnv(env, scratch),
      expectations: optionalFile("expectations"),
      lock: optionalFile("lock"),
    };
    for (const v of params.values) insideRepo("values", v, cwd, root);
    ctx.notManifests = new Set([ctx.expectations, ctx.lock].filter(Boolean));
    ctx.notManifests.add(path.resolve(cwd, params.expectations));
    ctx.notManifests.add(path.resolve(cwd, params.lock));

    const rendered = render(ctx);
    if (!hasObjects(rendered.text)) {
      // Never hand Argo CD an empty stream: with prune it would delete every resource.
      throw new PluginError(
        `the ${rendered.kind === "none" ? "manifests are" : `${rendered.kind} output is`} empty; refusing to generate nothing`,
      );
    }
    let results = [];
    if (ctx.expectations || ctx.lock || params["fail-on-lint"]) {
      ctx.netreach = netreachCommand(env);
      results = check(ctx, rendered);
    }
    const failed = results.filter((r) => r.status !== 0);
    for (const r of results) {
      if (r.status === 0 && r.output)
        process.stderr.write(`netreach ${r.label}: ${tail(r.output, 5)}\n`);
    }
    if (failed.length) {
      const what = failed
        .map((r) =>
          r.status === 1
            ? r.label === "lint"
              ? "lint errors or invalid objects"
              : "expectations, lock or manifest validity failed"
            : `netreach ${r.label} could not run (exit code ${r.status})`,
        )
        .join("; ");
      const details = failed.map((r) => tail(r.output)).join("\n");
      if (mode === "warn") {
        process.stderr.write(
          `netreach: WARNING (mode warn, ${app}): ${what} — the manifests are generated anyway\n${details}\n`,
        );
      } else {
        process.stderr.write(
          `netreach: ${app} blocked (mode enforce): ${what}; nothing was generated\n${details}\n` +
            "Fix the manifests, or change the expectations / regenerate the lock (netreach snapshot) in the same commit; parameter mode=warn lets it through.\n",
        );
        return failed.every((r) => r.status === 1) ? 1 : 2;
      }
    }
    process.stdout.write(rendered.text);
    return 0;
  } catch (err) {
    if (!(err instanceof PluginError)) throw err;
    process.stderr.write(
      `netreach: ${app}: ${err.message}; nothing was generated${err.detail ? `\n${err.detail}` : ""}\n`,
    );
    return err.code;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

const invokedDirectly =
  process.argv[1] &&
  path.resolve(process.argv[1]) === new URL(import.meta.url).pathname;
if (invokedDirectly) {
  try {
    process.exitCode = main();
  } catch (err) {
    process.stderr.write(`netreach: internal error: ${err.stack ?? err}\n`);
    process.exitCode = 2;
  }
}
