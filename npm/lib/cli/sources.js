// One side of the input: the files named on the command line (directories read recursively or
// rendered), or a git revision. Every side becomes a list of `{path, text}` for the core, plus
// the files that could not be read.

import fs from "node:fs";
import path from "node:path";

import { CliError } from "./errors.js";
import { decodeUtf8, displayPath, readFiles, walkManifests } from "./files.js";
import { openRepo, readRevision, repoPath } from "./git.js";
import {
  KUSTOMIZATION_FILES,
  renderHelm,
  renderKustomize,
  rendererFor,
} from "./render.js";

/**
 * @typedef {{path: string, text: string}} SourceFile
 * @typedef {{path: string, message: string}} Problem
 * @typedef {{files: SourceFile[], problems: Problem[]}} Side
 */

/**
 * Reads PATH arguments from disk (`-` is standard input).
 * @returns {Side}
 */
export function readPaths(args, context) {
  const files = [];
  const problems = [];
  const alreadyRead = new Set();
  const taken = new Set();
  const add = (more) => {
    for (const f of more) {
      if (taken.has(f.path)) continue;
      taken.add(f.path);
      files.push(f);
    }
  };
  for (const arg of args) {
    if (arg === "-") {
      const decoded = decodeUtf8(fs.readFileSync(0));
      if (decoded.problem)
        problems.push({ path: "<stdin>", message: decoded.problem });
      else add([{ path: "<stdin>", text: decoded.text }]);
      continue;
    }
    const abs = path.resolve(context.cwd, arg);
    const label = displayPath(context.cwd, abs);
    let st;
    try {
      st = fs.statSync(abs);
    } catch (error) {
      throw new CliError(
        error.code === "ENOENT"
          ? `no such file or directory: ${arg}`
          : `cannot read ${arg}: ${error.code ?? error.message}`,
      );
    }
    if (st.isDirectory()) {
      let names;
      try {
        names = new Set(fs.readdirSync(abs));
      } catch (error) {
        throw new CliError(
          `cannot read directory ${arg}: ${error.code ?? error.message}`,
        );
      }
      const renderer = rendererFor(context.options.render, names, label);
      if (renderer === "kustomize") {
        add(renderKustomize(abs, label, context));
        continue;
      }
      if (renderer === "helm") {
        add(renderHelm(abs, label, context));
        continue;
      }
      const found = walkManifests(abs, (p, message) =>
        problems.push({ path: displayPath(context.cwd, p), message }),
      );
      if (found.length === 0) {
        context.warn(`${label}: no .yaml, .yml or .json files found`);
      }
      const read = readFiles(found, context.cwd, alreadyRead);
      warnNested(
        read.files.map((f) => f.path),
        label,
        context,
      );
      add(read.files);
      problems.push(...read.problems);
    } else {
      if (
        context.options.render === "kustomize" ||
        context.options.render === "helm"
      ) {
        rendererFor(context.options.render, new Set(), label); // throws: not a directory
      }
      const read = readFiles([abs], context.cwd, alreadyRead);
      add(read.files);
      problems.push(...read.problems);
    }
  }
  return { files, problems };
}

/**
 * A plain directory that contains a Kustomization or a chart further down is probably meant to
 * be rendered: say how, once per such directory. `files` and `root` are display paths.
 */
export function warnNested(files, root, context) {
  if (context.options.render !== "auto") return;
  const dirs = new Set();
  for (const file of files) {
    const name = path.posix.basename(file);
    const dir = path.posix.dirname(file);
    if (
      dir !== root &&
      (KUSTOMIZATION_FILES.includes(name) || name === "Chart.yaml")
    ) {
      dirs.add(dir);
    }
  }
  // Only the outermost: an overlay's bases are not worth a warning each.
  const sorted = [...dirs].sort();
  const top = sorted.filter(
    (d) => !sorted.some((other) => other !== d && d.startsWith(`${other}/`)),
  );
  const shown = top.slice(0, 5);
  for (const dir of shown) {
    context.warn(
      `${dir} looks like a Kustomization or Helm chart but was read as plain YAML; name it as a PATH to render it`,
    );
  }
  if (top.length > shown.length) {
    context.warn(`… and ${top.length - shown.length} more such directories`);
  }
}

/**
 * Reads the same `--path`s at two revisions of the current repository.
 * @returns {{base: Side, head: Side}}
 */
export function readGitSides(baseRev, headRev, pathArgs, context) {
  const repo = openRepo(context.cwd);
  const paths = (pathArgs.length ? pathArgs : ["."]).map((p) =>
    repoPath(repo, p),
  );
  const base = readRevision(repo, baseRev, paths, {
    ...context,
    side: "base ",
  });
  const head = readRevision(repo, headRev, paths, {
    ...context,
    side: "head ",
  });
  for (const arg of pathArgs) {
    const inBase = !base.missing.includes(arg);
    const inHead = !head.missing.includes(arg);
    if (!inBase && !inHead) {
      throw new CliError(
        `--path ${arg} matches no file at ${baseRev} or at ${headRev}`,
      );
    }
    if (!inBase)
      context.log(`${arg} does not exist at ${baseRev}: that side is empty`);
    if (!inHead)
      context.log(`${arg} does not exist at ${headRev}: that side is empty`);
  }
  return { base, head };
}
