// End-to-end tests of the GitHub Action: `node action/dist/index.js` run exactly as the runner
// runs it — inputs as `INPUT_<NAME>` variables, a real-shaped event payload, GITHUB_OUTPUT and
// GITHUB_STEP_SUMMARY files, a real temporary git repository as the workspace, and the GitHub
// REST API served by tests/helpers/github-api-server.mjs on 127.0.0.1.
//
//   node --test tests/action.test.mjs
//
// The committed bundle is what runs, so these tests also prove that action/dist works on its
// own; a separate test rebuilds it into a temporary directory and compares bytes, so a stale
// dist fails here (and in .github/workflows/dist.yml).

import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { startGitHubApiServer } from "./helpers/github-api-server.mjs";
import { ensureK8sTools } from "./tools/k8s-tools.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const ACTION = path.join(ROOT, "action");
const DIST = path.join(ACTION, "dist", "index.js");
const EXAMPLES = path.join(ROOT, "examples");
const OWNER_REPO = "acme/shop";
const PR = 7;
const MARKER = "<!-- netreach:comment -->";

let scratch;
let api;
let tools;

before(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), "netreach-action-"));
  tools = await ensureK8sTools();
  api = await startGitHubApiServer();
});

after(async () => {
  if (api) await api.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// A workspace: a git repository with a base and a head commit

function git(cwd, ...args) {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "Test",
      GIT_AUTHOR_EMAIL: "test@example.com",
      GIT_COMMITTER_NAME: "Test",
      GIT_COMMITTER_EMAIL: "test@example.com",
      GIT_CONFIG_NOSYSTEM: "1",
      HOME: scratch,
    },
  }).trim();
}

/** Replaces the contents of `dir` with `from` (a directory to copy, or {name: text}). */
function fill(dir, from) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  if (typeof from === "string") cpSync(from, dir, { recursive: true });
  else {
    for (const [name, text] of Object.entries(from)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), text);
    }
  }
}

/**
 * A repository whose first commit has `base` under `sub` and whose second has `head` there.
 * @returns {{dir: string, base: string, head: string}}
 */
function makeRepo(name, base, head, sub = "deploy") {
  const dir = path.join(scratch, name);
  mkdirSync(dir, { recursive: true });
  git(dir, "init", "-q", "-b", "main");
  writeFileSync(path.join(dir, "README.md"), "# shop\n");
  fill(path.join(dir, sub), base);
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "base");
  const baseSha = git(dir, "rev-parse", "HEAD");
  fill(path.join(dir, sub), head);
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "--allow-empty", "-m", "head");
  return { dir, base: baseSha, head: git(dir, "rev-parse", "HEAD") };
}

function pullRequestEvent(repo, number = PR, { fork = false } = {}) {
  return {
    action: "synchronize",
    number,
    pull_request: {
      number,
      html_url: `https://github.test/${OWNER_REPO}/pull/${number}`,
      state: "open",
      title: "catalog: nightly re-index; cart: rename label",
      base: { ref: "main", sha: repo.base, repo: { full_name: OWNER_REPO } },
      head: {
        ref: "feature",
        sha: repo.head,
        repo: { full_name: fork ? "someone/shop" : OWNER_REPO },
      },
    },
    repository: {
      full_name: OWNER_REPO,
      name: "shop",
      owner: { login: "acme" },
    },
    sender: { login: "someone" },
  };
}

// ---------------------------------------------------------------------------------------------
// Running the Action as the runner does

let runCount = 0;

/**
 * @param {object} args
 * @param {string} args.cwd the workspace
 * @param {Record<string, string>} [args.inputs] by input name (`fail-on`)
 * @param {object} [args.event]
 * @param {string} [args.eventName]
 * @param {Record<string, string>} [args.env] extra environment
 * @param {string[]} [args.path] extra PATH entries (kubectl, helm)
 */
function runAction({
  cwd,
  inputs = {},
  event,
  eventName = "pull_request",
  env = {},
  path: extraPath = [],
}) {
  const id = ++runCount;
  const dir = path.join(scratch, `run-${id}`);
  mkdirSync(dir, { recursive: true });
  const files = {
    event: path.join(dir, "event.json"),
    output: path.join(dir, "output"),
    summary: path.join(dir, "summary.md"),
    temp: path.join(dir, "temp"),
  };
  mkdirSync(files.temp);
  writeFileSync(files.event, JSON.stringify(event ?? {}));
  writeFileSync(files.output, "");
  writeFileSync(files.summary, "");
  const fullEnv = {
    PATH: [...extraPath, process.env.PATH].join(path.delimiter),
    HOME: scratch,
    GITHUB_ACTIONS: "true",
    CI: "true",
    GITHUB_EVENT_NAME: eventName,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_REPOSITORY: OWNER_REPO,
    GITHUB_WORKSPACE: cwd,
    GITHUB_SERVER_URL: "https://github.test",
    GITHUB_API_URL: api.url,
    GITHUB_RUN_ID: "4242",
    GITHUB_RUN_ATTEMPT: "1",
    GITHUB_ACTION: "netreach",
    GITHUB_SHA: event?.pull_request?.head?.sha ?? "",
    RUNNER_TEMP: files.temp,
    INPUT_TOKEN: "ghs_testtoken",
    ...env,
  };
  for (const [name, value] of Object.entries(inputs)) {
    fullEnv[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] = value;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DIST], {
      cwd,
      env: fullEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code) => {
      resolve({
        code,
        stdout,
        stderr,
        outputs: parseOutputs(readFileSync(files.output, "utf8")),
        summary: readFileSync(files.summary, "utf8"),
        temp: files.temp,
      });
    });
  });
}

/** GITHUB_OUTPUT: `name<<DELIMITER\nvalue\nDELIMITER\n` records (and `name=value` lines). */
function parseOutputs(text) {
  const outputs = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const heredoc = line.match(/^([^=<]+)<<(.+)$/);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const value = [];
      while (lines[++i] !== delimiter) {
        assert.ok(i < lines.length, `unterminated output ${name}`);
        value.push(lines[i]);
      }
      outputs[name] = value.join("\n");
    } else if (line.includes("=")) {
      outputs[line.slice(0, line.indexOf("="))] = line.slice(
        line.indexOf("=") + 1,
      );
    }
  }
  return outputs;
}

const commands = (stdout, kind) =>
  stdout.split("\n").filter((l) => l.startsWith(`::${kind}`));
const posts = () => api.requests.filter((r) => r.method === "POST");
const patches = () => api.requests.filter((r) => r.method === "PATCH");
const commentsOn = (issue) => api.comments.filter((c) => c.issue === issue);

/** Text outside inline code spans: where Markdown and HTML are live on GitHub. */
function outsideCode(markdown) {
  return markdown.replace(/(`+)[\s\S]*?\1/g, "`…`");
}

function explain(result) {
  return `exit ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}

// ---------------------------------------------------------------------------------------------

describe("action.yml and the bundle", () => {
  test("action.yml declares node24, dist/index.js, branding, and documents every input and output", async () => {
    const yml = readFileSync(path.join(ACTION, "action.yml"), "utf8");
    assert.match(
      yml,
      /^runs:\n {2}using: node24\n {2}main: dist\/index\.js\n/m,
    );
    assert.match(yml, /^branding:\n {2}icon: \S+\n {2}color: \S+\n/m);
    const section = (name) => {
      const start = yml.indexOf(`\n${name}:\n`);
      const rest = yml.slice(start + name.length + 3);
      const end = rest.search(/\n\S/);
      return rest.slice(0, end === -1 ? undefined : end);
    };
    const entries = (text) => {
      const out = {};
      for (const block of text.split(/\n(?= {2}[a-z])/)) {
        const name = block.match(/^ {2}([a-z-]+):/)?.[1];
        if (!name) continue;
        const def = block.match(/\n {4}default: (.*)/)?.[1];
        out[name] = {
          description: /\n {4}description:/.test(block),
          default:
            def === undefined ? undefined : def.replace(/^"(.*)"$/, "$1"),
        };
      }
      return out;
    };
    const { DEFAULTS } = await import("../action/src/inputs.js");
    const inputs = entries(section("inputs"));
    assert.deepEqual(Object.keys(inputs).sort(), Object.keys(DEFAULTS).sort());
    for (const [name, spec] of Object.entries(inputs)) {
      assert.ok(spec.description, `input ${name} has a description`);
      assert.equal(spec.default, DEFAULTS[name], `default of input ${name}`);
    }
    const outputs = entries(section("outputs"));
    const source = readdirSync(path.join(ACTION, "src"))
      .map((f) => readFileSync(path.join(ACTION, "src", f), "utf8"))
      .join("\n");
    const set = [...source.matchAll(/setOutput\("([a-z-]+)"/g)].map(
      (m) => m[1],
    );
    assert.deepEqual(Object.keys(outputs).sort(), [...new Set(set)].sort());
    for (const [name, spec] of Object.entries(outputs))
      assert.ok(spec.description, `output ${name}`);
  });

  test("action/dist is what action/build.mjs makes from the sources (byte for byte)", () => {
    const out = mkdtempSync(path.join(scratch, "dist-"));
    execFileSync(
      process.execPath,
      [path.join(ACTION, "build.mjs"), "--outdir", out],
      { cwd: ROOT, stdio: "pipe" },
    );
    const committed = readdirSync(path.join(ACTION, "dist")).sort();
    assert.deepEqual(readdirSync(out).sort(), committed, "the same files");
    for (const name of committed) {
      const a = readFileSync(path.join(ACTION, "dist", name));
      const b = readFileSync(path.join(out, name));
      assert.ok(
        a.equals(b),
        `action/dist/${name} is stale: run \`node action/build.mjs\``,
      );
    }
  });
});

describe("pull request on the shop example (plain YAML)", () => {
  let repo;
  before(() => {
    repo = makeRepo(
      "shop",
      path.join(EXAMPLES, "shop", "base"),
      path.join(EXAMPLES, "shop", "head"),
    );
  });

  test("the first run creates exactly one comment; the second updates it", async () => {
    const event = pullRequestEvent(repo);
    const first = await runAction({
      cwd: repo.dir,
      inputs: { paths: "deploy" },
      event,
    });
    assert.equal(first.code, 0, explain(first));
    assert.equal(posts().length, 1, "one POST");
    assert.equal(commentsOn(PR).length, 1);
    const post = posts()[0];
    assert.equal(post.path, `/repos/${OWNER_REPO}/issues/${PR}/comments`);
    assert.equal(post.headers.authorization, "Bearer ghs_testtoken");
    assert.equal(post.headers["x-github-api-version"], "2022-11-28");
    assert.match(post.headers.accept, /application\/vnd\.github\+json/);

    const body = commentsOn(PR)[0].body;
    assert.ok(body.startsWith(MARKER), "the marker comes first");
    assert.ok(body.length <= 65_536);
    assert.match(body, /prometheus/);
    assert.match(body, /postgres/);
    assert.match(body, /cart/);
    assert.match(body, /catalog-reindex/);
    assert.equal(
      first.outputs["comment-url"],
      `https://github.test/${OWNER_REPO}/pull/${PR}#issuecomment-${commentsOn(PR)[0].id}`,
    );
    assert.ok(Number(first.outputs.exposures) >= 1, "exposures");
    assert.ok(Number(first.outputs.breakages) >= 3, "breakages");
    assert.equal(first.outputs["added-workloads"], "1");
    assert.equal(first.outputs["removed-workloads"], "0");
    assert.equal(first.outputs["input-errors"], "0");
    assert.equal(first.outputs.changed, "true");
    const json = JSON.parse(readFileSync(first.outputs["report-json"], "utf8"));
    assert.equal(json.schemaVersion, 1);
    assert.equal(json.summary.exposures, Number(first.outputs.exposures));
    assert.ok(
      first.outputs["report-json"].startsWith(first.temp),
      "report-json is under RUNNER_TEMP",
    );
    for (const file of ["report.json", "comment.md", "context.json"]) {
      assert.ok(existsSync(path.join(first.outputs["report-dir"], file)), file);
    }
    // The summary holds the whole report (no marker, no truncation here).
    assert.match(first.summary, /prometheus/);
    assert.ok(!first.summary.includes(MARKER));

    const second = await runAction({
      cwd: repo.dir,
      inputs: { paths: "deploy" },
      event,
    });
    assert.equal(second.code, 0, explain(second));
    assert.equal(posts().length, 1, "still one POST");
    assert.equal(patches().length, 1, "one PATCH");
    assert.equal(
      patches()[0].path,
      `/repos/${OWNER_REPO}/issues/comments/${commentsOn(PR)[0].id}`,
    );
    assert.equal(commentsOn(PR).length, 1);
    assert.equal(second.outputs["comment-url"], first.outputs["comment-url"]);
  });

  test("the comment names the exposure and the breakage", () => {
    const lines = commentsOn(PR)[0].body.split("\n");
    const line = (...words) =>
      lines.findIndex((l) => words.every((w) => l.includes(w)));
    // prometheus → postgres is newly allowed; storefront/checkout → cart and cart → redis blocked.
    const exposure = line("postgres", "prometheus");
    const cartBlocked = line("cart", "storefront");
    const redisBlocked = line("redis", "cart");
    assert.ok(exposure >= 0, "a line names prometheus and postgres");
    assert.ok(cartBlocked >= 0, "a line names storefront and cart");
    assert.ok(redisBlocked >= 0, "a line names cart and redis");
    assert.ok(exposure < cartBlocked, "exposures come before breakages");
  });

  test("fail-on: exposure fails the step with a one-line reason; without a gate it passes", async () => {
    const gated = await runAction({
      cwd: repo.dir,
      inputs: { paths: "deploy", "fail-on": "exposure", comment: "off" },
      event: pullRequestEvent(repo),
    });
    assert.equal(gated.code, 1, explain(gated));
    const errors = commands(gated.stdout, "error");
    assert.equal(errors.length, 1, gated.stdout);
    assert.match(
      errors[0],
      /^::error::netreach: \d+ newly allowed connections? \(fail-on: exposure\)$/,
    );
    assert.ok(
      Number(gated.outputs.exposures) >= 1,
      "outputs are still written",
    );

    const both = await runAction({
      cwd: repo.dir,
      inputs: {
        paths: "deploy",
        "fail-on": "exposure,\nbreakage",
        comment: "off",
      },
      event: pullRequestEvent(repo),
    });
    assert.equal(both.code, 1);
    assert.match(
      commands(both.stdout, "error")[0],
      /newly allowed.*newly blocked.*\(fail-on: exposure, breakage\)/,
    );

    const lint = await runAction({
      cwd: repo.dir,
      inputs: { paths: "deploy", "fail-on": "input-error", comment: "off" },
      event: pullRequestEvent(repo),
    });
    assert.equal(lint.code, 0, explain(lint));
  });

  test("comment: new adds a second comment; comment: off posts nothing", async () => {
    const before = posts().length;
    const off = await runAction({
      cwd: repo.dir,
      inputs: { paths: "deploy", comment: "off" },
      event: pullRequestEvent(repo),
    });
    assert.equal(off.code, 0);
    assert.equal(posts().length, before);
    assert.equal(off.outputs["comment-url"], "");
    const fresh = await runAction({
      cwd: repo.dir,
      inputs: { paths: "deploy", comment: "new" },
      event: pullRequestEvent(repo, 8),
    });
    assert.equal(fresh.code, 0);
    const again = await runAction({
      cwd: repo.dir,
      inputs: { paths: "deploy", comment: "new" },
      event: pullRequestEvent(repo, 8),
    });
    assert.equal(again.code, 0);
    assert.equal(commentsOn(8).length, 2);
  });

  test("the sticky comment is found on a later page of a long thread", async () => {
    const busy = await startGitHubApiServer({
      issue: 9,
      comments: [
        ...Array.from({ length: 120 }, (_, i) => ({
          body: `chatter ${i}`,
          user: { login: "dev", type: "User" },
        })),
        { body: `${MARKER}\nold report` },
        ...Array.from({ length: 40 }, (_, i) => ({
          body: `more ${i}`,
          user: { login: "dev", type: "User" },
        })),
      ],
    });
    try {
      const result = await runAction({
        cwd: repo.dir,
        inputs: { paths: "deploy" },
        event: pullRequestEvent(repo, 9),
        env: { GITHUB_API_URL: busy.url },
      });
      assert.equal(result.code, 0, explain(result));
      const gets = busy.requests.filter((r) => r.method === "GET");
      assert.equal(gets.length, 2, "two pages of 100");
      assert.equal(busy.requests.filter((r) => r.method === "POST").length, 0);
      const patch = busy.requests.find((r) => r.method === "PATCH");
      assert.equal(
        patch.path,
        `/repos/${OWNER_REPO}/issues/comments/${busy.comments[120].id}`,
      );
      assert.match(busy.comments[120].body, /prometheus/);
    } finally {
      await busy.close();
    }
  });

  test("a read-only token (fork PR) turns the comment into a warning; summary and gate still work", async () => {
    const readOnly = await startGitHubApiServer({
      forbid: { POST: 403, PATCH: 403 },
    });
    try {
      const result = await runAction({
        cwd: repo.dir,
        inputs: { paths: "deploy" },
        event: pullRequestEvent(repo, 11, { fork: true }),
        env: { GITHUB_API_URL: readOnly.url },
      });
      assert.equal(result.code, 0, explain(result));
      const warnings = commands(result.stdout, "warning");
      assert.ok(
        warnings.some(
          (w) =>
            w.startsWith("::warning::") &&
            /403/.test(w) &&
            /fork/.test(w) &&
            /mode: comment/.test(w),
        ),
        result.stdout,
      );
      assert.match(result.summary, /prometheus/);
      assert.equal(result.outputs["comment-url"], "");

      const gated = await runAction({
        cwd: repo.dir,
        inputs: { paths: "deploy", "fail-on": "breakage" },
        event: pullRequestEvent(repo, 11, { fork: true }),
        env: { GITHUB_API_URL: readOnly.url },
      });
      assert.equal(gated.code, 1, "the gate still trips");

      readOnly.forbid("GET", 404);
      const hidden = await runAction({
        cwd: repo.dir,
        inputs: { paths: "deploy" },
        event: pullRequestEvent(repo, 11, { fork: true }),
        env: { GITHUB_API_URL: readOnly.url },
      });
      assert.equal(hidden.code, 0, explain(hidden));
      assert.ok(commands(hidden.stdout, "warning").some((w) => /404/.test(w)));
    } finally {
      await readOnly.close();
    }
  });

  test("lint findings become annotations at file and line", async () => {
    const result = await runAction({
      cwd: repo.dir,
      inputs: { paths: "deploy", comment: "off" },
      event: pullRequestEvent(repo),
    });
    const annotations = [
      ...commands(result.stdout, "warning"),
      ...commands(result.stdout, "error"),
      ...commands(result.stdout, "notice"),
    ];
    const located = annotations.filter((a) =>
      /file=deploy\/[a-z]+\.yaml,line=\d+/.test(a),
    );
    assert.ok(located.length >= 1, result.stdout);
    for (const a of located) assert.match(a, /title=netreach [^:,]+/);
  });

  test("push events compare before..after and post no comment", async () => {
    const before = api.requests.length;
    const result = await runAction({
      cwd: repo.dir,
      eventName: "push",
      event: {
        ref: "refs/heads/main",
        before: repo.base,
        after: repo.head,
        repository: { full_name: OWNER_REPO },
      },
      inputs: { paths: "deploy" },
    });
    assert.equal(result.code, 0, explain(result));
    assert.equal(api.requests.length, before, "no API calls");
    assert.ok(Number(result.outputs.exposures) >= 1);
  });
});

describe("escaping and size", () => {
  test("manifest text never reaches the comment as live HTML", async () => {
    const head = {
      ...Object.fromEntries(
        readdirSync(path.join(EXAMPLES, "shop", "head")).map((f) => [
          f,
          readFileSync(path.join(EXAMPLES, "shop", "head", f), "utf8"),
        ]),
      ),
      "evil.yaml": [
        "apiVersion: v1",
        'kind: "<img src=x onerror=alert(1)>"',
        "metadata:",
        '  name: "<script>alert(1)</script>"',
        "---",
        "apiVersion: networking.k8s.io/v1",
        "kind: NetworkPolicy",
        "metadata:",
        '  name: "<b>bold</b>"',
        "  namespace: shop-data",
        "spec:",
        "  podSelector:",
        "    matchLabels:",
        '      app: "@acme/security"',
        "",
      ].join("\n"),
    };
    const repo = makeRepo("evil", path.join(EXAMPLES, "shop", "base"), head);
    const server = await startGitHubApiServer();
    try {
      const result = await runAction({
        cwd: repo.dir,
        inputs: { paths: "deploy" },
        event: pullRequestEvent(repo),
        env: { GITHUB_API_URL: server.url },
      });
      assert.equal(result.code, 0, explain(result));
      const body = server.comments[0].body;
      assert.match(body, /onerror/, "the hostile kind is reported");
      for (const text of [body, result.summary]) {
        const live = outsideCode(text);
        assert.doesNotMatch(live, /<img|<script|<b>/i);
        assert.doesNotMatch(live, /@acme/, "no live mention");
      }
      // An invalid object in head is an input error: counted, and annotated.
      assert.ok(
        Number(result.outputs["input-errors"]) >= 1,
        JSON.stringify(result.outputs),
      );
    } finally {
      await server.close();
    }
  });

  test("a huge change keeps the comment under 65,536 characters and points to the summary", async () => {
    // 16 namespaces × 40 workloads, all isolated in base; head admits the internet to every
    // workload's port: 640 workloads change, each a separate destination.
    const objects = [];
    const open = [];
    for (let i = 0; i < 16; i++) {
      const ns = `team-${String(i).padStart(2, "0")}-with-a-rather-long-namespace-name`;
      objects.push(
        `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n`,
      );
      objects.push(
        [
          "apiVersion: networking.k8s.io/v1",
          "kind: NetworkPolicy",
          "metadata:",
          "  name: default-deny",
          `  namespace: ${ns}`,
          "spec:",
          "  podSelector: {}",
          "  policyTypes: [Ingress, Egress]",
          "",
        ].join("\n"),
      );
      for (let j = 0; j < 40; j++) {
        const name = `service-${String(j).padStart(3, "0")}-with-a-long-descriptive-name`;
        objects.push(
          [
            "apiVersion: apps/v1",
            "kind: Deployment",
            "metadata:",
            `  name: ${name}`,
            `  namespace: ${ns}`,
            "spec:",
            "  selector:",
            "    matchLabels:",
            `      app: ${name}`,
            "  template:",
            "    metadata:",
            "      labels:",
            `        app: ${name}`,
            "    spec:",
            "      containers:",
            "        - name: app",
            "          image: example/app:1",
            "          ports:",
            "            - name: http",
            `              containerPort: ${8000 + j}`,
            "",
          ].join("\n"),
        );
      }
      open.push(
        [
          "apiVersion: networking.k8s.io/v1",
          "kind: NetworkPolicy",
          "metadata:",
          "  name: allow-from-internet",
          `  namespace: ${ns}`,
          "spec:",
          "  podSelector: {}",
          "  ingress:",
          "    - from:",
          "        - ipBlock:",
          "            cidr: 0.0.0.0/0",
          "      ports:",
          "        - port: http",
          "",
        ].join("\n"),
      );
    }
    const base = { "workloads.yaml": objects.join("---\n") };
    const head = { ...base, "open.yaml": open.join("---\n") };
    const repo = makeRepo("huge", base, head);
    const server = await startGitHubApiServer();
    try {
      const result = await runAction({
        cwd: repo.dir,
        inputs: { paths: "deploy" },
        event: pullRequestEvent(repo),
        env: { GITHUB_API_URL: server.url },
      });
      assert.equal(result.code, 0, explain(result));
      assert.equal(result.outputs.exposures, "640");
      const body = server.comments[0].body;
      assert.ok(body.length <= 65_536, `comment is ${body.length} characters`);
      assert.ok(body.startsWith(MARKER));
      assert.ok(
        body
          .trimEnd()
          .endsWith(
            "The full report is in the [job summary](https://github.test/acme/shop/actions/runs/4242) of this run.",
          ),
        body.slice(-600),
      );
      assert.ok(
        Buffer.byteLength(result.summary) <= 1_048_576,
        "the summary stays under 1 MiB",
      );
      assert.ok(
        result.summary.length > 2 * body.length,
        "the summary holds the rest",
      );
      assert.ok(!result.summary.includes(MARKER));

      // Hundreds of lint warnings: 10 annotations, and one notice for the rest.
      const warnings = commands(result.stdout, "warning");
      assert.equal(warnings.length, 10, result.stdout);
      const notices = commands(result.stdout, "notice");
      assert.ok(notices.length <= 10);
      assert.match(
        notices.at(-1),
        /^::notice title=netreach%3A more findings::netreach: \d+ more findings? not annotated/,
      );
    } finally {
      await server.close();
    }
  });
});

describe("no reachability change", () => {
  let repo;
  before(() => {
    const shop = path.join(EXAMPLES, "shop", "base");
    const base = Object.fromEntries(
      readdirSync(shop).map((f) => [
        f,
        readFileSync(path.join(shop, f), "utf8"),
      ]),
    );
    const head = {
      ...base,
      "workloads.yaml": `# reformatted, same objects\n${base["workloads.yaml"]}`,
    };
    repo = makeRepo("quiet", base, head);
  });

  test("comment-on-no-change: false posts nothing when there is no comment yet", async () => {
    const server = await startGitHubApiServer();
    try {
      const result = await runAction({
        cwd: repo.dir,
        inputs: { paths: "deploy" },
        event: pullRequestEvent(repo),
        env: { GITHUB_API_URL: server.url },
      });
      assert.equal(result.code, 0, explain(result));
      assert.equal(
        server.requests.filter((r) => r.method === "POST").length,
        0,
      );
      assert.equal(result.outputs.changed, "false");
      assert.equal(result.outputs.exposures, "0");
      assert.equal(result.outputs.breakages, "0");
      assert.equal(result.outputs["comment-url"], "");
      assert.match(result.summary, /No reachability changes/);
    } finally {
      await server.close();
    }
  });

  test("an existing sticky comment is updated to say there are no changes", async () => {
    const server = await startGitHubApiServer({
      comments: [{ body: `${MARKER}\n**3 newly allowed** (stale)` }],
    });
    try {
      const result = await runAction({
        cwd: repo.dir,
        inputs: { paths: "deploy" },
        event: pullRequestEvent(repo),
        env: { GITHUB_API_URL: server.url },
      });
      assert.equal(result.code, 0, explain(result));
      assert.equal(
        server.requests.filter((r) => r.method === "POST").length,
        0,
      );
      assert.equal(
        server.requests.filter((r) => r.method === "PATCH").length,
        1,
      );
      assert.match(server.comments[0].body, /No reachability changes/);
      assert.doesNotMatch(server.comments[0].body, /stale/);
      assert.ok(result.outputs["comment-url"].includes("#issuecomment-"));
    } finally {
      await server.close();
    }
  });

  test("comment-on-no-change: true posts the comment anyway", async () => {
    const server = await startGitHubApiServer();
    try {
      const result = await runAction({
        cwd: repo.dir,
        inputs: { paths: "deploy", "comment-on-no-change": "true" },
        event: pullRequestEvent(repo),
        env: { GITHUB_API_URL: server.url },
      });
      assert.equal(result.code, 0, explain(result));
      assert.equal(server.comments.length, 1);
      assert.match(server.comments[0].body, /No reachability changes/);
    } finally {
      await server.close();
    }
  });
});

describe("shallow checkouts", () => {
  let origin;
  before(() => {
    origin = makeRepo(
      "origin",
      path.join(EXAMPLES, "shop", "base"),
      path.join(EXAMPLES, "shop", "head"),
    );
  });

  function shallowClone(name) {
    const dir = path.join(scratch, name);
    git(
      scratch,
      "clone",
      "-q",
      "--depth",
      "1",
      "--no-local",
      `file://${origin.dir}`,
      dir,
    );
    assert.equal(git(dir, "rev-parse", "--is-shallow-repository"), "true");
    assert.throws(
      () => git(dir, "cat-file", "-e", `${origin.base}^{commit}`),
      "the base commit is missing",
    );
    return dir;
  }

  test("a missing base commit is fetched from origin", async () => {
    const dir = shallowClone("shallow");
    const result = await runAction({
      cwd: dir,
      inputs: { paths: "deploy", comment: "off" },
      event: pullRequestEvent(origin),
    });
    assert.equal(result.code, 0, explain(result));
    assert.match(result.stdout, /fetching from origin/);
    assert.ok(Number(result.outputs.exposures) >= 1);
    assert.ok(Number(result.outputs.breakages) >= 3);
    assert.equal(
      git(dir, "status", "--porcelain"),
      "",
      "the work tree is untouched",
    );
  });

  test("when the base cannot be fetched, the step fails with the fetch-depth fix", async () => {
    const dir = shallowClone("shallow-offline");
    git(
      dir,
      "remote",
      "set-url",
      "origin",
      `file://${path.join(scratch, "no-such-repository")}`,
    );
    const result = await runAction({
      cwd: dir,
      inputs: { paths: "deploy", comment: "off" },
      event: pullRequestEvent(origin),
    });
    assert.equal(result.code, 1, explain(result));
    const error = commands(result.stdout, "error").join("\n");
    assert.match(error, /shallow/);
    assert.match(error, /fetch-depth: 0/);
  });
});

describe("rendered manifests", () => {
  test("a Kustomize repository gives the same changes as the plain YAML", async () => {
    const repo = makeRepo(
      "kustomize",
      path.join(EXAMPLES, "shop-kustomize", "base"),
      path.join(EXAMPLES, "shop-kustomize", "head"),
    );
    const plain = makeRepo(
      "kustomize-plain",
      path.join(EXAMPLES, "shop", "base"),
      path.join(EXAMPLES, "shop", "head"),
    );
    const server = await startGitHubApiServer();
    try {
      const env = { GITHUB_API_URL: server.url };
      const rendered = await runAction({
        cwd: repo.dir,
        inputs: { paths: "deploy" },
        event: pullRequestEvent(repo),
        env,
        path: [tools.binDir],
      });
      assert.equal(rendered.code, 0, explain(rendered));
      assert.match(rendered.stdout, /kustomize/);
      const reference = await runAction({
        cwd: plain.dir,
        inputs: { paths: "deploy", comment: "off" },
        event: pullRequestEvent(plain),
        env,
      });
      for (const name of [
        "exposures",
        "breakages",
        "added-workloads",
        "removed-workloads",
      ]) {
        assert.equal(rendered.outputs[name], reference.outputs[name], name);
      }
      assert.match(server.comments[0].body, /postgres/);
    } finally {
      await server.close();
    }
  });

  test("a Helm chart gives the same changes as the plain YAML", async () => {
    const repo = makeRepo(
      "helm",
      path.join(EXAMPLES, "shop-helm", "base"),
      path.join(EXAMPLES, "shop-helm", "head"),
      "chart",
    );
    const plain = makeRepo(
      "helm-plain",
      path.join(EXAMPLES, "shop", "base"),
      path.join(EXAMPLES, "shop", "head"),
    );
    const server = await startGitHubApiServer();
    try {
      const env = { GITHUB_API_URL: server.url };
      const rendered = await runAction({
        cwd: repo.dir,
        inputs: { paths: "chart", render: "helm", release: "shop" },
        event: pullRequestEvent(repo),
        env,
        path: [tools.binDir],
      });
      assert.equal(rendered.code, 0, explain(rendered));
      const reference = await runAction({
        cwd: plain.dir,
        inputs: { paths: "deploy", comment: "off" },
        event: pullRequestEvent(plain),
        env,
      });
      for (const name of [
        "exposures",
        "breakages",
        "added-workloads",
        "removed-workloads",
      ]) {
        assert.equal(rendered.outputs[name], reference.outputs[name], name);
      }
      assert.match(server.comments[0].body, /postgres/);
    } finally {
      await server.close();
    }
  });

  test("render: kustomize on a plain directory fails with the reason", async () => {
    const repo = makeRepo(
      "not-kustomize",
      path.join(EXAMPLES, "shop", "base"),
      path.join(EXAMPLES, "shop", "head"),
    );
    const result = await runAction({
      cwd: repo.dir,
      inputs: { paths: "deploy", render: "kustomize", comment: "off" },
      event: pullRequestEvent(repo),
      path: [tools.binDir],
    });
    assert.equal(result.code, 1);
    assert.match(commands(result.stdout, "error").join("\n"), /kustomization/);
  });
});

describe("expectations and the lock", () => {
  const CHECK_PR = 31;
  let repo;
  before(() => {
    repo = makeRepo(
      "shop-check",
      path.join(EXAMPLES, "shop", "base"),
      path.join(EXAMPLES, "shop", "head"),
    );
    // netreach.yaml at the repository root; the lock approves the base's reachability.
    cpSync(
      path.join(EXAMPLES, "shop", "netreach.yaml"),
      path.join(repo.dir, "netreach.yaml"),
    );
    const lock = execFileSync(
      process.execPath,
      [
        path.join(ROOT, "npm", "bin", "netreach.js"),
        "snapshot",
        path.join(EXAMPLES, "shop", "base"),
      ],
      { encoding: "utf8" },
    );
    writeFileSync(path.join(repo.dir, "netreach.lock.json"), lock);
    git(repo.dir, "add", "-A");
    git(repo.dir, "commit", "-q", "--amend", "-m", "head");
    repo.head = git(repo.dir, "rev-parse", "HEAD");
  });

  test("broken expectations and lock drift head the comment and the summary", async () => {
    const result = await runAction({
      cwd: repo.dir,
      inputs: { paths: "deploy" },
      event: pullRequestEvent(repo, CHECK_PR),
    });
    assert.equal(result.code, 0, explain(result));
    assert.equal(result.outputs["expectations-failed"], "4");
    assert.equal(result.outputs["lock-drift"], "true");
    assert.equal(result.outputs.changed, "true");
    const [comment] = commentsOn(CHECK_PR);
    assert.ok(comment, "a comment was posted");
    const body = comment.body;
    assert.ok(
      body.startsWith(`${MARKER}\n### ❌ netreach check`),
      body.slice(0, 200),
    );
    assert.ok(body.length <= 65_536);
    const broken = body.indexOf("storefront reaches cart");
    const drift = body.indexOf("#### Lock drift");
    const report = body.indexOf("## netreach");
    assert.ok(broken > 0, "names the broken expectation");
    assert.ok(drift > broken, "drift after the broken expectations");
    assert.ok(report > drift, "the reachability report comes after the check");
    assert.match(body, /```diff\n/);
    assert.ok(
      result.summary.startsWith("### ❌ netreach check"),
      result.summary.slice(0, 200),
    );
    assert.ok(!result.summary.includes(MARKER));
  });

  test("fail-on: expectation and lock fail the step; without them it passes", async () => {
    const gated = await runAction({
      cwd: repo.dir,
      inputs: { paths: "deploy", "fail-on": "expectation", comment: "off" },
      event: pullRequestEvent(repo, CHECK_PR),
    });
    assert.equal(gated.code, 1, explain(gated));
    assert.match(
      commands(gated.stdout, "error")[0],
      /^::error::netreach: 4 failed expectations \(fail-on: expectation\)$/,
    );
    const lock = await runAction({
      cwd: repo.dir,
      inputs: { paths: "deploy", "fail-on": "lock", comment: "off" },
      event: pullRequestEvent(repo, CHECK_PR),
    });
    assert.equal(lock.code, 1, explain(lock));
    assert.match(
      commands(lock.stdout, "error")[0],
      /^::error::netreach: \d+ changes? from the lock file \(fail-on: lock\)$/,
    );
    const off = await runAction({
      cwd: repo.dir,
      inputs: {
        paths: "deploy",
        "fail-on": "expectation, lock",
        expectations: "none",
        lock: "none",
        comment: "off",
      },
      event: pullRequestEvent(repo, CHECK_PR),
    });
    assert.equal(off.code, 0, explain(off));
    assert.equal(off.outputs["expectations-failed"], "0");
    assert.equal(off.outputs["lock-drift"], "false");
  });

  test("a named file missing at head, or an unusable one, fails with the reason", async () => {
    const missing = await runAction({
      cwd: repo.dir,
      inputs: { paths: "deploy", expectations: "nope.yaml", comment: "off" },
      event: pullRequestEvent(repo, CHECK_PR),
    });
    assert.equal(missing.code, 1);
    assert.match(commands(missing.stdout, "error")[0], /nope\.yaml/);
    const bad = await runAction({
      cwd: repo.dir,
      inputs: { paths: "deploy", lock: "README.md", comment: "off" },
      event: pullRequestEvent(repo, CHECK_PR),
    });
    assert.equal(bad.code, 1);
    assert.match(commands(bad.stdout, "error")[0], /README\.md:1: /);
  });
});

describe("inputs", () => {
  test("paths takes globs and lists; a path that matches nothing in head is an error", async () => {
    const repo = makeRepo(
      "globs",
      path.join(EXAMPLES, "shop", "base"),
      path.join(EXAMPLES, "shop", "head"),
    );
    const globbed = await runAction({
      cwd: repo.dir,
      inputs: { paths: "deploy/*.yaml", comment: "off" },
      event: pullRequestEvent(repo),
    });
    assert.equal(globbed.code, 0, explain(globbed));
    const listed = await runAction({
      cwd: repo.dir,
      inputs: {
        paths:
          "deploy/namespaces.yaml, deploy/workloads.yaml\ndeploy/policies.yaml\ndeploy/services.yaml",
        comment: "off",
      },
      event: pullRequestEvent(repo),
    });
    assert.equal(listed.code, 0, explain(listed));
    assert.equal(globbed.outputs.exposures, listed.outputs.exposures);
    assert.equal(globbed.outputs.breakages, listed.outputs.breakages);

    const missing = await runAction({
      cwd: repo.dir,
      inputs: { paths: "nowhere", comment: "off" },
      event: pullRequestEvent(repo),
    });
    assert.equal(missing.code, 1);
    assert.match(commands(missing.stdout, "error")[0], /nowhere/);
  });

  test("a bad input value names the input", async () => {
    const repo = makeRepo(
      "bad-input",
      path.join(EXAMPLES, "shop", "base"),
      path.join(EXAMPLES, "shop", "head"),
    );
    const result = await runAction({
      cwd: repo.dir,
      inputs: { "fail-on": "exposures" },
      event: pullRequestEvent(repo),
    });
    assert.equal(result.code, 1);
    assert.match(commands(result.stdout, "error")[0], /fail-on.*exposures/);
  });
});

describe("mode: comment (the fork-PR workflow_run pattern)", () => {
  let repo;
  let saved;
  before(async () => {
    repo = makeRepo(
      "fork-flow",
      path.join(EXAMPLES, "shop", "base"),
      path.join(EXAMPLES, "shop", "head"),
    );
    const server = await startGitHubApiServer({
      forbid: { POST: 403, PATCH: 403 },
    });
    try {
      const analysed = await runAction({
        cwd: repo.dir,
        inputs: { paths: "deploy", comment: "off" },
        event: pullRequestEvent(repo, 21, { fork: true }),
        env: { GITHUB_API_URL: server.url },
      });
      assert.equal(analysed.code, 0, explain(analysed));
      assert.equal(server.requests.length, 0, "comment: off makes no API call");
      // actions/download-artifact puts the files into the workspace of the second workflow.
      saved = path.join(scratch, "comment-workspace");
      cpSync(
        analysed.outputs["report-dir"],
        path.join(saved, "netreach-report"),
        { recursive: true },
      );
    } finally {
      await server.close();
    }
  });

  const workflowRun = (headSha) => ({
    action: "completed",
    workflow_run: {
      id: 99,
      event: "pull_request",
      head_sha: headSha,
      html_url: `https://github.test/${OWNER_REPO}/actions/runs/99`,
      pull_requests: [],
    },
    repository: { full_name: OWNER_REPO },
  });

  test("posts the saved comment after checking the PR's head", async () => {
    const server = await startGitHubApiServer({
      pulls: { 21: { head: { sha: repo.head } } },
    });
    try {
      const result = await runAction({
        cwd: saved,
        eventName: "workflow_run",
        event: workflowRun(repo.head),
        inputs: { mode: "comment" },
        env: { GITHUB_API_URL: server.url },
      });
      assert.equal(result.code, 0, explain(result));
      assert.ok(
        server.requests.some(
          (r) =>
            r.method === "GET" && r.path === `/repos/${OWNER_REPO}/pulls/21`,
        ),
      );
      assert.equal(server.comments.length, 1);
      assert.equal(server.comments[0].issue, 21);
      assert.ok(server.comments[0].body.startsWith(MARKER));
      assert.match(server.comments[0].body, /prometheus/);
      assert.match(result.outputs["comment-url"], /issuecomment/);

      const again = await runAction({
        cwd: saved,
        eventName: "workflow_run",
        event: workflowRun(repo.head),
        inputs: { mode: "comment" },
        env: { GITHUB_API_URL: server.url },
      });
      assert.equal(again.code, 0);
      assert.equal(server.comments.length, 1, "updated, not duplicated");
    } finally {
      await server.close();
    }
  });

  test("a hostile comment key in the artifact cannot break out of the marker", async () => {
    const dir = path.join(scratch, "hostile-workspace");
    cpSync(saved, dir, { recursive: true });
    const file = path.join(dir, "netreach-report", "context.json");
    const context = JSON.parse(readFileSync(file, "utf8"));
    writeFileSync(
      file,
      JSON.stringify({
        ...context,
        commentKey: "x --><img src=x onerror=alert(1)><!--",
      }),
    );
    const server = await startGitHubApiServer({
      pulls: { 21: { head: { sha: repo.head } } },
    });
    try {
      const result = await runAction({
        cwd: dir,
        eventName: "workflow_run",
        event: workflowRun(repo.head),
        inputs: { mode: "comment" },
        env: { GITHUB_API_URL: server.url },
      });
      assert.equal(result.code, 0, explain(result));
      assert.ok(server.comments[0].body.startsWith(`${MARKER}\n`));
      assert.doesNotMatch(server.comments[0].body, /<img/);
    } finally {
      await server.close();
    }
  });

  test("refuses an artifact that names a PR whose head is another commit", async () => {
    const server = await startGitHubApiServer({
      pulls: { 21: { head: { sha: repo.base } } },
    });
    try {
      const result = await runAction({
        cwd: saved,
        eventName: "workflow_run",
        event: workflowRun(repo.head),
        inputs: { mode: "comment" },
        env: { GITHUB_API_URL: server.url },
      });
      assert.equal(result.code, 1, explain(result));
      assert.equal(server.comments.length, 0);
      assert.match(commands(result.stdout, "error")[0], /not commenting/);
    } finally {
      await server.close();
    }
  });
});

describe("units", () => {
  test("globs: * and ? stay in a segment, ** spans segments, {a,b} and [..] work", async () => {
    const { globToRegExp, isGlob } = await import("../action/src/glob.js");
    const yes = (g, p) =>
      assert.ok(globToRegExp(g).test(p), `${g} matches ${p}`);
    const no = (g, p) =>
      assert.ok(!globToRegExp(g).test(p), `${g} does not match ${p}`);
    yes("deploy/*.yaml", "deploy/a.yaml");
    no("deploy/*.yaml", "deploy/x/a.yaml");
    yes("deploy/**/*.yaml", "deploy/a.yaml");
    yes("deploy/**/*.yaml", "deploy/x/y/a.yaml");
    yes("**/overlays/prod", "apps/shop/overlays/prod");
    yes("k8s/*.{yaml,yml}", "k8s/a.yml");
    yes("env-[ab]/x.yaml", "env-b/x.yaml");
    no("env-[!ab]/x.yaml", "env-a/x.yaml");
    yes("a?.yaml", "ab.yaml");
    no("a?.yaml", "a/.yaml");
    no("deploy/*.yaml", "deploy.yaml");
    assert.ok(isGlob("a/*.yaml") && !isGlob("a/b.yaml"));
  });

  test("list inputs split on newlines and commas; `set` only on newlines", async () => {
    const { splitList } = await import("../action/src/inputs.js");
    assert.deepEqual(splitList(" a, b\n\nc \n# comment\n"), ["a", "b", "c"]);
    assert.deepEqual(splitList("x={a,b}\ny=1,z=2", { commas: false }), [
      "x={a,b}",
      "y=1,z=2",
    ]);
  });

  test("annotations: 10 per kind, head input errors first, then new findings, then a notice", async () => {
    const { selectAnnotations } = await import("../action/src/annotations.js");
    const finding = (severity, i, extra = {}) => ({
      code: `c${i}`,
      severity,
      message: `m${i}`,
      location: { path: "deploy/a.yaml", line: i + 1, document: 0 },
      ...extra,
    });
    const report = {
      diagnostics: [
        finding("error", 100, { side: "base" }),
        finding("error", 101, { side: "head" }),
      ],
      lint: [
        ...Array.from({ length: 12 }, (_, i) =>
          finding("error", i, { new: i % 2 === 0 }),
        ),
        ...Array.from({ length: 3 }, (_, i) =>
          finding("warning", 20 + i, { new: true }),
        ),
        ...Array.from({ length: 11 }, (_, i) =>
          finding("info", 40 + i, { new: true }),
        ),
      ],
    };
    const files = new Map([["deploy/a.yaml", "deploy/a.yaml"]]);
    const { annotations, omitted } = selectAnnotations(report, files);
    const errors = annotations.filter((a) => a.kind === "error");
    assert.equal(errors.length, 10);
    assert.match(
      errors[0].properties.title,
      /c101 \(input error\)/,
      "the head input error leads",
    );
    assert.ok(
      !annotations.some((a) => a.message.startsWith("m100")),
      "base problems are not annotated",
    );
    assert.deepEqual(
      errors.slice(1, 7).map((a) => a.message),
      ["m0", "m2", "m4", "m6", "m8", "m10"],
      "new findings before old ones",
    );
    assert.equal(annotations.filter((a) => a.kind === "warning").length, 3);
    assert.equal(
      annotations.filter((a) => a.kind === "notice").length,
      9,
      "one notice slot kept",
    );
    assert.deepEqual(omitted, { error: 3, warning: 0, notice: 2 });
    assert.deepEqual(errors[1].properties, {
      title: "netreach c0",
      file: "deploy/a.yaml",
      startLine: 1,
    });
  });
});
