// One side of the comparison: the files of a commit that the `paths` input selects, read (and
// rendered with Kustomize or Helm) by the CLI's own reader, `npm/lib/cli/git.js`, so the
// Action and `netreach diff --git` read a revision the same way: plain YAML/JSON straight from
// git objects, Kustomize directories and Helm charts rendered from a `git archive` copy in a
// private temporary directory, with the tools' configuration and plugins shut out.
//
// The Action adds two things on top: glob patterns in `paths` (expanded against the commit's
// tree), and knowing which reported paths are real files of the repository — only those get
// `file=`/`line=` on annotations (lines of rendered output would point at the wrong place).

import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import path from "node:path";
import { openRepo, readRevision, repoPath } from "../../npm/lib/cli/git.js";
import { toolEnv } from "../../npm/lib/cli/render.js";
import { globToRegExp, isGlob } from "./glob.js";

const MANIFEST = /\.(ya?ml|json)$/i;

/** A problem reading or rendering one side; `side` says which. */
export class SideError extends Error {
  constructor(side, message) {
    super(message);
    this.side = side;
  }
}

/**
 * The `paths` input as arguments for the CLI reader (relative to `cwd`), globs expanded against
 * `tree` (a commit's `git ls-tree`). A glob that matches nothing is kept, so it is reported.
 * @param {string[]} paths
 * @param {string} prefix `cwd` inside the repository (`""` or `"dir/"`)
 * @param {Map<string, {type: string}>} tree
 */
export function expandPaths(paths, prefix, tree) {
  const out = [];
  for (const given of paths) {
    if (path.isAbsolute(given)) {
      throw new Error(
        `paths: \`${given}\` is absolute; give paths relative to the repository`,
      );
    }
    if (!isGlob(given)) {
      out.push(given);
      continue;
    }
    const re = globToRegExp(
      path.posix.normalize(path.posix.join(prefix, given)),
    );
    const hits = [];
    for (const [key, entry] of tree) {
      if (!re.test(key)) continue;
      if (
        entry.type === "tree" ||
        (entry.type === "blob" && MANIFEST.test(key))
      )
        hits.push(key);
    }
    hits.sort();
    // A match inside a matched directory is read with that directory.
    const kept = hits.filter(
      (h) => !hits.some((d) => d !== h && h.startsWith(`${d}/`)),
    );
    if (kept.length === 0) out.push(given);
    for (const hit of kept)
      out.push(
        path.posix.relative(prefix.replace(/\/$/, "") || ".", hit) || ".",
      );
  }
  return [...new Set(out)];
}

/** Git's object id of a blob with these bytes (SHA-1, or SHA-256 for 64-hex ids). */
function blobId(bytes, like) {
  const hash = createHash(like.length === 64 ? "sha256" : "sha1");
  hash.update(`blob ${bytes.length}\0`);
  hash.update(bytes);
  return hash.digest("hex");
}

/**
 * The reported paths that are byte-for-byte files of the commit, mapped to their
 * repository-relative path (what annotations need).
 */
export function realFiles(files, prefix, tree) {
  const real = new Map();
  for (const f of files) {
    const repoRel = path.posix.normalize(path.posix.join(prefix, f.path));
    const entry = tree.get(repoRel);
    if (entry?.type !== "blob") continue;
    if (blobId(Buffer.from(f.text, "utf8"), entry.oid) === entry.oid)
      real.set(f.path, repoRel);
  }
  return real;
}

/**
 * A reader for both sides of one run.
 * @param {object} args
 * @param {string} args.cwd the working directory (GITHUB_WORKSPACE)
 * @param {ReturnType<import("./inputs.js").readInputs>} args.inputs
 * @param {string} args.scratch a private temporary directory
 * @param {(message: string) => void} args.log
 */
export function sideReader({ cwd, inputs, scratch, log }) {
  const repo = openRepo(cwd);
  let env;
  const context = {
    cwd,
    env: process.env,
    options: {
      render: inputs.render,
      release: inputs.release,
      helmNamespace: inputs.namespace || undefined,
      values: inputs.values,
      set: inputs.set,
    },
    log: (message, extra) => {
      if (!extra?.verboseOnly) log(message);
    },
    warn: (message) => log(`warning: ${message}`),
    scratchDir: (prefix) => mkdtempSync(path.join(scratch, prefix)),
    toolEnv: () =>
      (env ??= toolEnv(process.env, mkdtempSync(path.join(scratch, "tools-")))),
  };
  return {
    /**
     * @param {"base"|"head"} side
     * @param {string} commit
     * @param {string[]} args from expandPaths
     * @returns {{files: {path: string, text: string}[], missing: string[], problems: {path: string, message: string}[]}}
     */
    read(side, commit, args) {
      try {
        const paths = args.map((arg) => repoPath(repo, arg));
        return readRevision(repo, commit, paths, {
          ...context,
          side: `${side} `,
        });
      } catch (error) {
        const detail = error.detail ? `\n${error.detail}` : "";
        const hint = error.hint ? ` (${error.hint})` : "";
        throw new SideError(side, `${side}: ${error.message}${hint}${detail}`);
      }
    },
  };
}
