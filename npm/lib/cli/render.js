// Rendering Kustomize directories and Helm charts into plain manifests, with the tools the user
// already has: `kubectl kustomize` (or `kustomize build`) and `helm template`.
//
// Security: rendering runs code paths that repository content controls, so the tools get as
// little as possible. Kustomize plugins (exec, KRM functions, alpha plugins) are never enabled
// and the load restrictor keeps its default; Helm runs with no post-renderer, with
// `HELM_NO_PLUGINS=1` and an empty plugin directory; both get a minimal environment (no
// KUBECONFIG, a private HOME, no cluster access needed).

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

import { CliError } from "./errors.js";
import { decodeUtf8 } from "./files.js";

/** Files whose presence makes a directory a Kustomization (`kustomize build` accepts these). */
export const KUSTOMIZATION_FILES = Object.freeze([
  "kustomization.yaml",
  "kustomization.yml",
  "Kustomization",
]);

export const RENDER_MODES = Object.freeze([
  "auto",
  "none",
  "kustomize",
  "helm",
]);

/**
 * Which renderer a directory needs, judged by the names of the files directly in it:
 * `kustomize`, `helm` or `null`. A directory with both a kustomization and a Chart.yaml is a
 * Kustomization (it can inflate charts itself).
 */
export function detectRenderer(names) {
  if (KUSTOMIZATION_FILES.some((f) => names.has(f))) return "kustomize";
  if (names.has("Chart.yaml")) return "helm";
  return null;
}

/** The renderer for a directory under `--render MODE`, or an error when forced and impossible. */
export function rendererFor(mode, names, dirLabel) {
  if (mode === "none") return null;
  const found = detectRenderer(names);
  if (mode === "auto") return found;
  const ok =
    mode === "kustomize"
      ? KUSTOMIZATION_FILES.some((f) => names.has(f))
      : names.has("Chart.yaml");
  if (!ok) {
    const wanted =
      mode === "kustomize" ? "a kustomization.yaml" : "a Chart.yaml";
    throw new CliError(
      `--render ${mode}: ${dirLabel} is not a directory with ${wanted}`,
      { hint: "use --render auto to read plain YAML directories as they are" },
    );
  }
  return mode;
}

// ---------------------------------------------------------------------------------------------
// Finding the tools

const INSTALL = {
  kubectl:
    "install kubectl (https://kubernetes.io/docs/tasks/tools/) or kustomize (https://kubectl.docs.kubernetes.io/installation/kustomize/), pass --kubectl PATH or set NETREACH_KUBECTL, or read the YAML as is with --render none",
  helm: "install Helm (https://helm.sh/docs/intro/install/), pass --helm PATH or set NETREACH_HELM, or read the YAML as is with --render none",
};

function isExecutable(file) {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `name` looked up on `PATH` (with `PATHEXT` on Windows), or null. */
export function which(name, env) {
  const exts =
    process.platform === "win32"
      ? (env.PATHEXT ?? ".EXE;.CMD;.BAT").split(";")
      : [""];
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return null;
}

/** An explicitly named tool: a path, or a bare name looked up on PATH. */
function explicitTool(value, source, tool, env, cwd) {
  const found =
    value.includes("/") || value.includes(path.sep)
      ? isExecutable(path.resolve(cwd, value))
        ? path.resolve(cwd, value)
        : null
      : which(value, env);
  if (!found) {
    throw new CliError(`${tool} not found at ${value} (from ${source})`, {
      hint: INSTALL[tool],
    });
  }
  return found;
}

/**
 * The Kustomize command: `{bin, args(dir)}` for `kubectl kustomize DIR`, or `kustomize build DIR`
 * when only kustomize is installed (or `--kubectl` names a kustomize binary).
 */
export function kustomizeCommand(options, env, cwd) {
  let bin;
  if (options.kubectl)
    bin = explicitTool(options.kubectl, "--kubectl", "kubectl", env, cwd);
  else if (env.NETREACH_KUBECTL)
    bin = explicitTool(
      env.NETREACH_KUBECTL,
      "NETREACH_KUBECTL",
      "kubectl",
      env,
      cwd,
    );
  else bin = which("kubectl", env) ?? which("kustomize", env);
  if (!bin) {
    throw new CliError(
      "kubectl not found: Kustomize directories are built with `kubectl kustomize` (or `kustomize build`)",
      { hint: INSTALL.kubectl },
    );
  }
  const standalone = /^kustomize/i.test(path.basename(bin));
  return {
    bin,
    label: standalone ? "kustomize build" : "kubectl kustomize",
    args: (dir) => (standalone ? ["build", dir] : ["kustomize", dir]),
  };
}

/** The Helm binary. */
export function helmCommand(options, env, cwd) {
  let bin;
  if (options.helm)
    bin = explicitTool(options.helm, "--helm", "helm", env, cwd);
  else if (env.NETREACH_HELM)
    bin = explicitTool(env.NETREACH_HELM, "NETREACH_HELM", "helm", env, cwd);
  else bin = which("helm", env);
  if (!bin) {
    throw new CliError(
      "helm not found: Helm charts are rendered with `helm template`",
      { hint: INSTALL.helm },
    );
  }
  return { bin, label: "helm template" };
}

// ---------------------------------------------------------------------------------------------
// Running them

const PASSED_THROUGH = [
  "PATH",
  "PATHEXT",
  "SystemRoot",
  "TMPDIR",
  "TEMP",
  "TMP",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "http_proxy",
  "https_proxy",
  "no_proxy",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
];

/**
 * The environment renderers run with: nothing of the user's configuration (kubeconfig, Helm
 * repositories and plugins, Kustomize plugins) apart from PATH, proxies and CA certificates.
 * @param {string} scratch a private, writable directory
 */
export function toolEnv(env, scratch) {
  const home = path.join(scratch, "home");
  const noPlugins = path.join(scratch, "no-plugins");
  fs.mkdirSync(home, { recursive: true });
  fs.mkdirSync(noPlugins, { recursive: true });
  const out = {};
  for (const name of PASSED_THROUGH) {
    if (env[name] !== undefined) out[name] = env[name];
  }
  Object.assign(out, {
    HOME: home,
    USERPROFILE: home,
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
  });
  return out;
}

function run(bin, args, label, target, context) {
  context.log(`running ${[bin, ...args].join(" ")}`, { verboseOnly: true });
  const result = spawnSync(bin, args, {
    env: context.toolEnv(),
    maxBuffer: 1024 * 1024 * 1024,
    timeout: 10 * 60 * 1000,
    windowsHide: true,
  });
  if (result.error) {
    if (result.error.code === "ENOENT" || result.error.code === "EACCES") {
      throw new CliError(`${label}: cannot run ${bin} (${result.error.code})`);
    }
    throw new CliError(`${label} ${target} failed: ${result.error.message}`);
  }
  if (result.status !== 0) {
    const stderr = decodeUtf8(result.stderr).text ?? "";
    const detail = stderr.trim().split("\n").slice(-30).join("\n");
    throw new CliError(
      `${label} ${target} failed (${result.signal ? `signal ${result.signal}` : `exit code ${result.status}`})`,
      { detail },
    );
  }
  const decoded = decodeUtf8(result.stdout);
  if (decoded.problem) {
    throw new CliError(`${label} ${target}: output is ${decoded.problem}`);
  }
  return decoded.text;
}

/**
 * Builds a Kustomization. The output has no per-file origin, so it becomes one file named
 * `DIR (kustomize build)`; lines in findings are lines of that output.
 * @param {string} absDir the directory on disk (possibly extracted from git)
 * @param {string} label how the user names it (relative to the current directory)
 */
export function renderKustomize(absDir, label, context) {
  const command = kustomizeCommand(context.options, context.env, context.cwd);
  context.log(`rendering ${context.side}${label} (${command.label})…`);
  const text = run(
    command.bin,
    command.args(absDir),
    command.label,
    label,
    context,
  );
  return [{ path: `${label} (kustomize build)`, text }];
}

/**
 * Renders a chart with `helm template RELEASE DIR`. Helm marks each document with
 * `# Source: CHART/templates/x.yaml`; the documents become one file per template, named like
 * the template (`DIR/templates/x.yaml`), so findings point at the right template — at lines of
 * its rendered output.
 */
export function renderHelm(absDir, label, context) {
  const command = helmCommand(context.options, context.env, context.cwd);
  const { options } = context;
  const args = ["template", options.release, absDir, "--skip-tests"];
  if (options.helmNamespace) args.push("--namespace", options.helmNamespace);
  for (const file of options.values)
    args.push("--values", path.resolve(context.cwd, file));
  for (const pair of options.set) args.push("--set", pair);
  context.log(`rendering ${context.side}${label} (${command.label})…`);
  const text = run(command.bin, args, command.label, label, context);
  return splitHelmOutput(text, label);
}

/** Groups `helm template` output by its `# Source:` comments into per-template files. */
export function splitHelmOutput(text, label) {
  const groups = new Map();
  const documents = text.split(/^---[ \t]*$\n?/m);
  for (const doc of documents) {
    if (doc.trim() === "") continue;
    const source = /^# Source: (.+?)[ \t]*$/m.exec(doc)?.[1];
    let name = `${label} (helm template)`;
    if (source) {
      const rest = source.split("/").slice(1).join("/");
      name = path.posix.join(label, rest || source);
    }
    if (!groups.has(name)) groups.set(name, []);
    groups.get(name).push(doc.endsWith("\n") ? doc : `${doc}\n`);
  }
  return [...groups].map(([name, docs]) => ({
    path: name,
    text: docs.map((d) => `---\n${d}`).join(""),
  }));
}
