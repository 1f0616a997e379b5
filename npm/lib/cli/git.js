// Reading a revision of the current git repository without touching the working tree.
//
// Plain YAML is read straight from the object database (`git ls-tree` + `git cat-file --batch`).
// A directory that needs rendering (Kustomize, Helm) needs files on disk: the revision is
// extracted into a private temporary directory with `git archive REV | tar -x` — the chart's
// directory for Helm, the whole tree for Kustomize (overlays usually refer to `../base`).
// `WORKTREE` names the working tree: the files git would commit (tracked, plus untracked ones that
// are not ignored), read from disk.

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

import { CliError } from "./errors.js";
import {
  byteOrder,
  decodeUtf8,
  displayPath,
  isManifestName,
  isSkippedName,
} from "./files.js";
import { renderHelm, renderKustomize, rendererFor } from "./render.js";
import { warnNested } from "./sources.js";

/** The revision name meaning "the working tree". */
export const WORKTREE = "WORKTREE";

/** A repository handle: runs git at its top level. */
export function openRepo(cwd) {
  const probe = spawnSync("git", ["rev-parse", "--show-toplevel"], {
    cwd,
    encoding: "utf8",
    windowsHide: true,
  });
  if (probe.error) {
    throw new CliError(
      `cannot run git (${probe.error.code ?? probe.error.message})`,
      {
        hint: "install git (https://git-scm.com/downloads) to compare revisions, or compare two directories: netreach diff BASE HEAD",
      },
    );
  }
  if (probe.status !== 0) {
    throw new CliError(`not inside a git repository: ${cwd}`, {
      hint: "run netreach diff --git inside the repository, or compare two directories: netreach diff BASE HEAD",
    });
  }
  const toplevel = path.resolve(probe.stdout.trim());
  return { toplevel, cwd, extracted: new Map() };
}

/** Runs git at the repository's top level; returns stdout as a Buffer. */
function git(repo, args, { input, allowFailure = false } = {}) {
  const result = spawnSync(
    "git",
    ["-c", "core.fsmonitor=false", "--literal-pathspecs", ...args],
    {
      cwd: repo.toplevel,
      input,
      maxBuffer: 1024 * 1024 * 1024,
      windowsHide: true,
      env: { ...process.env, GIT_TERMINAL_PROMPT: "0" },
    },
  );
  if (result.error) {
    throw new CliError(`git ${args[0]} failed: ${result.error.message}`);
  }
  if (result.status !== 0 && !allowFailure) {
    throw new CliError(`git ${args[0]} failed`, {
      detail: result.stderr.toString("utf8").trim(),
    });
  }
  return result;
}

/** The commit a revision names; a CliError naming it when there is none. */
export function resolveCommit(repo, rev) {
  const result = git(
    repo,
    ["rev-parse", "--verify", "--quiet", "--end-of-options", `${rev}^{commit}`],
    { allowFailure: true },
  );
  if (result.status !== 0) {
    throw new CliError(`unknown revision: ${rev}`, {
      hint: "name a commit, branch or tag of this repository (git log --oneline shows them); fetch it first in a shallow CI checkout",
    });
  }
  return result.stdout.toString("utf8").trim();
}

/**
 * A `--path` argument as a path relative to the repository's top level (`""` for the top
 * level itself), with `label` the way the user names it.
 */
export function repoPath(repo, arg) {
  const abs = path.resolve(repo.cwd, arg);
  const rel = path.relative(repo.toplevel, abs).split(path.sep).join("/");
  if (rel === ".." || rel.startsWith("../") || path.isAbsolute(rel)) {
    throw new CliError(
      `--path ${arg} is outside the repository ${repo.toplevel}`,
    );
  }
  return { arg, rel, label: displayPath(repo.cwd, abs) };
}

function isUnder(file, rel) {
  return rel === "" || file === rel || file.startsWith(`${rel}/`);
}

/** Whether a file found below a directory argument is read (same rules as on disk). */
function wantedBelow(file, rel) {
  const below = rel === "" ? file : file.slice(rel.length + 1);
  const parts = below.split("/");
  const name = parts.pop();
  if (parts.some((dir) => isSkippedName(dir, true))) return false;
  return !isSkippedName(name, false) && isManifestName(name);
}

/** Names directly inside directory `rel`, from a list of file paths. */
function namesIn(files, rel) {
  const names = new Set();
  for (const f of files) {
    if (!isUnder(f, rel) || f === rel) continue;
    const below = rel === "" ? f : f.slice(rel.length + 1);
    names.add(below.split("/")[0]);
  }
  return names;
}

/** `git ls-tree -r`: the blobs at `commit` under `rels`. */
function listTree(repo, commit, rels) {
  const specs = rels.includes("") ? [] : rels;
  const out = git(repo, [
    "ls-tree",
    "-r",
    "-z",
    "--full-tree",
    commit,
    "--",
    ...specs,
  ]);
  const entries = [];
  for (const record of out.stdout.toString("utf8").split("\0")) {
    if (!record) continue;
    const tab = record.indexOf("\t");
    const [mode, type, object] = record.slice(0, tab).split(" ");
    entries.push({ mode, type, object, path: record.slice(tab + 1) });
  }
  return entries;
}

/** Reads blobs by object id in one `git cat-file --batch`. */
function readBlobs(repo, objects) {
  if (objects.length === 0) return [];
  const out = git(repo, ["cat-file", "--batch"], {
    input: `${objects.join("\n")}\n`,
  }).stdout;
  const blobs = [];
  let pos = 0;
  for (let i = 0; i < objects.length; i++) {
    const eol = out.indexOf(0x0a, pos);
    const header = out.subarray(pos, eol).toString("utf8").split(" ");
    pos = eol + 1;
    if (header[1] === "missing" || header.length < 3) {
      blobs.push(null);
      continue;
    }
    const size = Number(header[2]);
    blobs.push(out.subarray(pos, pos + size));
    pos += size + 1;
  }
  return blobs;
}

/** Extracts `rel` (or the whole tree) of `commit` into a private directory; returns its root. */
function extract(repo, commit, rel, context) {
  let entry = repo.extracted.get(commit);
  if (!entry) {
    entry = {
      root: context.scratchDir(`git-${commit.slice(0, 12)}-`),
      done: [],
    };
    repo.extracted.set(commit, entry);
  }
  if (entry.done.some((d) => isUnder(rel, d))) return entry.root;
  context.log(
    `extracting ${rel || "the whole tree"} at ${commit.slice(0, 12)}…`,
    {
      verboseOnly: true,
    },
  );
  const archive = git(repo, [
    "archive",
    "--format=tar",
    commit,
    ...(rel ? ["--", rel] : []),
  ]).stdout;
  const tar = spawnSync("tar", ["-x", "-f", "-", "-C", entry.root], {
    input: archive,
    maxBuffer: 64 * 1024 * 1024,
    windowsHide: true,
  });
  if (tar.error || tar.status !== 0) {
    throw new CliError(
      `cannot extract ${rel || "the tree"} at ${commit.slice(0, 12)} with tar`,
      {
        detail: tar.error?.message ?? tar.stderr.toString("utf8").trim(),
      },
    );
  }
  entry.done.push(rel);
  return entry.root;
}

/**
 * Reads `paths` (see {@link repoPath}) at `rev` (a revision name, or WORKTREE).
 * @returns {{files: {path: string, text: string}[], problems: {path: string, message: string}[], missing: string[]}}
 */
export function readRevision(repo, rev, paths, context) {
  const worktree = rev === WORKTREE;
  const commit = worktree ? null : resolveCommit(repo, rev);
  const rels = paths.map((p) => p.rel);
  const listing = worktree
    ? listWorktree(repo, rels)
    : listTree(repo, commit, rels).filter((e) => e.type === "blob");
  const listed = listing.map((e) => e.path);
  const files = [];
  const problems = [];
  const missing = [];
  const taken = new Set();
  for (const p of paths) {
    const under = listing.filter((e) => isUnder(e.path, p.rel));
    if (under.length === 0) {
      missing.push(p.arg);
      continue;
    }
    const isFile = under.length === 1 && under[0].path === p.rel;
    if (!isFile) {
      const renderer = rendererFor(
        context.options.render,
        namesIn(listed, p.rel),
        p.label,
      );
      if (renderer) {
        let root = repo.toplevel;
        if (!worktree) {
          root = extract(
            repo,
            commit,
            renderer === "kustomize" ? "" : p.rel,
            context,
          );
        }
        const dir = path.join(root, ...p.rel.split("/").filter(Boolean));
        const render = renderer === "kustomize" ? renderKustomize : renderHelm;
        for (const f of render(dir, p.label, context)) {
          if (taken.has(f.path)) continue;
          taken.add(f.path);
          files.push(f);
        }
        continue;
      }
    }
    const chosen = under
      .filter((e) => isFile || wantedBelow(e.path, p.rel))
      .filter((e) => {
        if (e.mode !== "120000") return true;
        context.log(`${e.path} at ${rev} is a symbolic link: skipped`, {
          verboseOnly: true,
        });
        return false;
      })
      .map((e) => ({
        ...e,
        name: displayPath(repo.cwd, path.join(repo.toplevel, e.path)),
      }))
      .filter((e) => !taken.has(e.name))
      .sort((a, b) => byteOrder(a.name, b.name));
    if (!isFile && context.side === "head ") {
      warnNested(
        chosen.map((e) => e.name),
        p.label,
        context,
      );
    }
    const blobs = worktree
      ? chosen.map((e) => readDisk(path.join(repo.toplevel, e.path)))
      : readBlobs(
          repo,
          chosen.map((e) => e.object),
        );
    chosen.forEach((e, i) => {
      taken.add(e.name);
      if (blobs[i] === null) {
        problems.push({ path: e.name, message: "cannot read; skipped" });
        return;
      }
      const decoded = decodeUtf8(blobs[i]);
      if (decoded.problem)
        problems.push({ path: e.name, message: decoded.problem });
      else files.push({ path: e.name, text: decoded.text });
    });
  }
  return { files, problems, missing };
}

function readDisk(abs) {
  try {
    return fs.readFileSync(abs);
  } catch {
    return null;
  }
}

/** The working tree as git would commit it: tracked files that exist, plus untracked unignored. */
function listWorktree(repo, rels) {
  const specs = rels.includes("") ? [] : rels;
  const out = git(repo, [
    "ls-files",
    "-z",
    "--cached",
    "--others",
    "--exclude-standard",
    "--full-name",
    "--",
    ...specs,
  ]);
  const seen = new Set();
  const entries = [];
  for (const file of out.stdout.toString("utf8").split("\0")) {
    if (!file || seen.has(file)) continue;
    seen.add(file);
    let st;
    try {
      st = fs.lstatSync(path.join(repo.toplevel, file));
    } catch {
      continue; // deleted in the working tree
    }
    if (!st.isFile()) continue; // symlinks (as in a commit), submodules
    entries.push({ path: file, mode: "100644", type: "blob" });
  }
  return entries;
}
