// Regenerates the sample PR comment in action/README.md from the real bundle: builds a
// temporary git repository whose base and head commits hold examples/shop/base and
// examples/shop/head, runs `node action/dist/index.js` on it as a pull_request (no comment is
// posted: `comment: off`) and pastes the comment it saved between the README's
// `<!-- sample-comment:start -->` and `<!-- sample-comment:end -->` lines.
//
//   node action/sample-comment.mjs

import { execFileSync, spawnSync } from "node:child_process";
import {
  cpSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ACTION = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(ACTION);
const README = path.join(ACTION, "README.md");
const START = "<!-- sample-comment:start -->";
const END = "<!-- sample-comment:end -->";

const scratch = mkdtempSync(path.join(tmpdir(), "netreach-sample-"));
try {
  const repo = path.join(scratch, "repo");
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: "netreach",
    GIT_AUTHOR_EMAIL: "netreach@example.com",
    GIT_COMMITTER_NAME: "netreach",
    GIT_COMMITTER_EMAIL: "netreach@example.com",
  };
  const git = (...args) =>
    execFileSync("git", args, { cwd: repo, env, encoding: "utf8" }).trim();
  const side = (name) => {
    rmSync(path.join(repo, "deploy"), { recursive: true, force: true });
    cpSync(
      path.join(ROOT, "examples", "shop", name),
      path.join(repo, "deploy"),
      { recursive: true },
    );
    git("add", "-A");
    git("commit", "-q", "-m", name);
    return git("rev-parse", "HEAD");
  };
  execFileSync("git", ["init", "-q", "-b", "main", repo]);
  const base = side("base");
  const head = side("head");

  const event = path.join(scratch, "event.json");
  writeFileSync(
    event,
    JSON.stringify({
      pull_request: { number: 1, base: { sha: base }, head: { sha: head } },
    }),
  );
  const temp = path.join(scratch, "temp");
  writeFileSync(path.join(scratch, "output"), "");
  writeFileSync(path.join(scratch, "summary.md"), "");
  const run = spawnSync(
    process.execPath,
    [path.join(ACTION, "dist", "index.js")],
    {
      cwd: repo,
      env: {
        PATH: process.env.PATH,
        HOME: scratch,
        GITHUB_EVENT_NAME: "pull_request",
        GITHUB_EVENT_PATH: event,
        GITHUB_WORKSPACE: repo,
        GITHUB_REPOSITORY: "netreach/example",
        GITHUB_OUTPUT: path.join(scratch, "output"),
        GITHUB_STEP_SUMMARY: path.join(scratch, "summary.md"),
        GITHUB_ACTION: "netreach",
        RUNNER_TEMP: temp,
        INPUT_PATHS: "deploy",
        INPUT_COMMENT: "off",
      },
      encoding: "utf8",
    },
  );
  if (run.status !== 0)
    throw new Error(`the Action failed:\n${run.stdout}${run.stderr}`);
  const comment = readFileSync(
    path.join(temp, "netreach-netreach", "comment.md"),
    "utf8",
  ).trimEnd();

  const readme = readFileSync(README, "utf8");
  const from = readme.indexOf(START);
  const to = readme.indexOf(END);
  if (from === -1 || to < from)
    throw new Error(`${README} lacks the ${START} … ${END} block`);
  const block = [
    START,
    "<!-- prettier-ignore-start -->",
    "",
    comment,
    "",
    "<!-- prettier-ignore-end -->",
    "",
  ].join("\n");
  writeFileSync(README, readme.slice(0, from) + block + readme.slice(to));
  console.log(
    `action/README.md: sample comment updated (${comment.length} characters)`,
  );
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
