// `netreach diff --git`: real temporary repositories with a base and a head commit, read
// without touching the working tree; with and without --path, WORKTREE, subdirectories,
// Kustomize and Helm directories inside the repository, and the errors.
//
//   node --test tests/cli-git.test.mjs

import assert from "node:assert/strict";
import { readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import {
  EXAMPLES,
  baseEnv,
  describeRun,
  runCli,
  tempDir,
} from "./helpers/cli.mjs";
import { applyStep, makeRepo } from "./helpers/git-repo.mjs";
import { ensureK8sTools } from "./tools/k8s-tools.mjs";

const shop = (side) => path.join(EXAMPLES, "shop", side);

let repo;
let env;
/** The summary of `diff examples/shop/base examples/shop/head`, the expected answer. */
let expected;

before(async () => {
  const tools = await ensureK8sTools();
  env = baseEnv({
    PATH: `${tools.binDir}${path.delimiter}${process.env.PATH}`,
  });
  repo = makeRepo([
    {
      message: "base",
      copy: {
        "deploy/app": shop("base"),
        "deploy/kustomize": path.join(EXAMPLES, "shop-kustomize", "base"),
        "charts/shop": path.join(EXAMPLES, "shop-helm", "base"),
      },
      files: {
        "README.md": "# app\n",
        ".github/workflows/ci.yaml": "on: push\njobs: {}\n",
      },
    },
    {
      message: "head",
      copy: {
        "deploy/app": shop("head"),
        "deploy/kustomize": path.join(EXAMPLES, "shop-kustomize", "head"),
        "charts/shop": path.join(EXAMPLES, "shop-helm", "head"),
      },
      files: {
        "deploy/new/extra.yaml":
          "apiVersion: v1\nkind: Namespace\nmetadata: {name: extra}\n",
      },
    },
  ]);
  const plain = await runCli([
    "diff",
    "--format",
    "json",
    shop("base"),
    shop("head"),
  ]);
  expected = summaryOf(plain.stdout);
});

after(() => repo?.remove());

function summaryOf(json) {
  const { summary } = JSON.parse(json);
  delete summary.skippedDocuments;
  delete summary.namespaces; // deploy/new adds a Namespace in some runs
  return summary;
}

async function diffGit(args, { cwd = repo.dir, code = 0 } = {}) {
  const full = ["diff", "--git", "--format", "json", ...args];
  const result = await runCli(full, { cwd, env });
  assert.equal(result.code, code, describeRun(full, result));
  return result;
}

describe("diff --git", () => {
  test("BASE_REV HEAD_REV with --path: same as comparing the directories", async () => {
    const [base, head] = repo.commits;
    const status = repo.git(["status", "--porcelain"]);
    const r = await diffGit([base, head, "--path", "deploy/app"]);
    assert.deepEqual(summaryOf(r.stdout), expected);
    const report = JSON.parse(r.stdout);
    const origins = report.analysis.endpoints
      .filter((e) => e.origin)
      .map((e) => e.origin.path);
    assert.ok(
      origins.every((p) => p.startsWith("deploy/app/")),
      origins.join(" "),
    );
    assert.equal(
      repo.git(["status", "--porcelain"]),
      status,
      "the working tree is untouched",
    );
    // branch-style revision names and a trailing slash work the same
    const again = await diffGit(["main~1", "main", "--path", "deploy/app/"]);
    assert.equal(again.stdout, r.stdout);
  });

  test("without --path: the whole tree (hidden directories skipped)", async () => {
    const [base, head] = repo.commits;
    const r = await diffGit([base, head, "--render", "none"]);
    const report = JSON.parse(r.stdout);
    const paths = new Set(report.diagnostics.map((d) => d.location.path));
    assert.ok(
      ![...paths].some((p) => p.startsWith(".github")),
      [...paths].join(" "),
    );
    // plain app + the Kustomize tree read as plain YAML: at least the app's exposure
    assert.ok(report.summary.exposures >= 1);
  });

  test("from a subdirectory, paths are relative to it", async () => {
    const [base, head] = repo.commits;
    const r = await diffGit([base, head], {
      cwd: path.join(repo.dir, "deploy", "app"),
    });
    assert.deepEqual(summaryOf(r.stdout), expected);
    const origins = JSON.parse(r.stdout)
      .analysis.endpoints.filter((e) => e.origin)
      .map((e) => e.origin.path);
    assert.ok(origins.includes("workloads.yaml"), origins.join(" "));
  });

  test("WORKTREE (explicit or omitted) reads the working tree, uncommitted changes included", async () => {
    const [base] = repo.commits;
    const explicit = await diffGit([base, "WORKTREE", "--path", "deploy/app"]);
    assert.deepEqual(summaryOf(explicit.stdout), expected);
    const omitted = await diffGit([base, "--path", "deploy/app"]);
    assert.equal(omitted.stdout, explicit.stdout);
    // An uncommitted revert of the head policies: the exposure is gone, the breakage stays.
    const clone = makeRepo([
      { copy: { "deploy/app": shop("base") } },
      { copy: { "deploy/app": shop("head") } },
    ]);
    try {
      applyStep(clone.dir, {
        copy: {
          "deploy/app/policies.yaml": path.join(shop("base"), "policies.yaml"),
        },
        files: {
          "deploy/app/untracked.yaml":
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: untracked}\n",
        },
      });
      const r = await diffGit([clone.commits[0], "--path", "deploy/app"], {
        cwd: clone.dir,
      });
      const report = JSON.parse(r.stdout);
      assert.equal(report.summary.exposures, 0, JSON.stringify(report.summary));
      assert.ok(report.summary.breakages >= 3);
      assert.ok(
        report.summary.namespaces >= 5,
        "untracked, unignored files are read",
      );
      const committed = await diffGit([clone.commits[0], clone.commits[1]], {
        cwd: clone.dir,
      });
      assert.ok(
        JSON.parse(committed.stdout).summary.exposures >= 1,
        "commits are read from git, not disk",
      );
    } finally {
      clone.remove();
    }
  });

  test("a path that exists only in head: base is empty", async () => {
    const [base, head] = repo.commits;
    const r = await diffGit([
      base,
      head,
      "--path",
      "deploy/new",
      "--path",
      "deploy/app",
    ]);
    assert.deepEqual(summaryOf(r.stdout), expected);
  });

  test("a Kustomize directory inside the repository is rendered at each revision", async () => {
    const [base, head] = repo.commits;
    const tmp = tempDir();
    try {
      const full = [
        "diff",
        "--git",
        "--format",
        "json",
        base,
        head,
        "--path",
        "deploy/kustomize",
      ];
      const r = await runCli(full, {
        cwd: repo.dir,
        env: { ...env, TMPDIR: tmp.dir },
      });
      assert.equal(r.code, 0, describeRun(full, r));
      assert.deepEqual(summaryOf(r.stdout), expected);
      const origin = JSON.parse(r.stdout).analysis.endpoints.find(
        (e) => e.origin,
      ).origin;
      assert.equal(origin.path, "deploy/kustomize (kustomize build)");
      assert.deepEqual(
        readdirSync(tmp.dir),
        [],
        "temporary extraction directories are removed",
      );
    } finally {
      tmp.remove();
    }
  });

  test("a Helm chart inside the repository is rendered at each revision", async () => {
    const [base, head] = repo.commits;
    const r = await diffGit([
      base,
      head,
      "--path",
      "charts/shop",
      "--release",
      "shop",
    ]);
    assert.deepEqual(summaryOf(r.stdout), expected);
    const origins = JSON.parse(r.stdout).analysis.endpoints.filter(
      (e) => e.origin,
    );
    assert.ok(
      origins.some(
        (e) => e.origin.path === "charts/shop/templates/postgres.yaml",
      ),
    );
  });

  test("--fail-on works as for directories; text output by default", async () => {
    const [base, head] = repo.commits;
    const args = [
      "diff",
      "--git",
      base,
      head,
      "--path",
      "deploy/app",
      "--fail-on",
      "exposure",
    ];
    const r = await runCli(args, { cwd: repo.dir, env });
    assert.equal(r.code, 1, describeRun(args, r));
    assert.match(r.stdout, /^netreach: NetworkPolicy reachability changes/);
  });

  test("unknown revision: exit 2 naming it", async () => {
    const r = await diffGit(["no-such-branch", "--path", "deploy/app"], {
      code: 2,
    });
    assert.match(r.stderr, /unknown revision: no-such-branch/);
    const r2 = await diffGit([repo.commits[0], "deadbeef"], { code: 2 });
    assert.match(r2.stderr, /unknown revision: deadbeef/);
  });

  test("--path matching nothing at either revision, or outside the repository: exit 2", async () => {
    const [base, head] = repo.commits;
    const r = await diffGit([base, head, "--path", "nowhere"], { code: 2 });
    assert.match(r.stderr, /--path nowhere matches no file/);
    const out = await diffGit([base, head, "--path", ".."], { code: 2 });
    assert.match(out.stderr, /outside the repository/);
  });

  test("not a git repository: exit 2", async () => {
    const tmp = tempDir();
    try {
      writeFileSync(path.join(tmp.dir, "a.yaml"), "");
      const r = await diffGit(["HEAD~1", "HEAD"], { cwd: tmp.dir, code: 2 });
      assert.match(r.stderr, /not inside a git repository/);
    } finally {
      tmp.remove();
    }
  });
});
