// Real temporary git repositories for tests: a sequence of commits, each a set of files.

import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const GIT_ENV = {
  GIT_AUTHOR_NAME: "netreach tests",
  GIT_AUTHOR_EMAIL: "tests@netreach.invalid",
  GIT_COMMITTER_NAME: "netreach tests",
  GIT_COMMITTER_EMAIL: "tests@netreach.invalid",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
};

/** Runs git in `dir` with a fixed identity and no user or system configuration. */
export function git(dir, args, input) {
  return execFileSync("git", args, {
    cwd: dir,
    env: { ...process.env, ...GIT_ENV },
    input,
    encoding: "utf8",
    stdio: ["pipe", "pipe", "pipe"],
  });
}

/**
 * Creates a repository and makes one commit per step. A step is
 * `{message, copy?: {[repoPath]: sourceDirOrFile}, files?: {[repoPath]: text|Buffer|null}}`:
 * `copy` replaces `repoPath` with a copy of a directory or file, `files` writes (null deletes).
 * @returns {{dir: string, commits: string[], git: (args: string[]) => string, remove: () => void}}
 */
export function makeRepo(steps) {
  const dir = mkdtempSync(path.join(tmpdir(), "netreach-git-"));
  git(dir, ["init", "-q", "-b", "main"]);
  const commits = [];
  for (const step of steps) {
    applyStep(dir, step);
    git(dir, ["add", "-A"]);
    git(dir, [
      "-c",
      "commit.gpgsign=false",
      "commit",
      "-q",
      "--allow-empty",
      "-m",
      step.message ?? `commit ${commits.length + 1}`,
    ]);
    commits.push(git(dir, ["rev-parse", "HEAD"]).trim());
  }
  return {
    dir,
    commits,
    git: (args) => git(dir, args),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Applies a step's changes to a working tree (also usable for uncommitted changes). */
export function applyStep(dir, step) {
  for (const [to, from] of Object.entries(step.copy ?? {})) {
    const target = path.join(dir, to);
    rmSync(target, { recursive: true, force: true });
    mkdirSync(path.dirname(target), { recursive: true });
    cpSync(from, target, { recursive: true });
  }
  for (const [file, content] of Object.entries(step.files ?? {})) {
    const target = path.join(dir, file);
    if (content === null) {
      rmSync(target, { recursive: true, force: true });
      continue;
    }
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
}
