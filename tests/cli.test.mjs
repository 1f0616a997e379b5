// The `netreach` CLI, run for real (`node npm/bin/netreach.js ...`) against the plain-YAML
// example app (examples/shop/{base,head}): every command and format, exit codes and
// `--fail-on`, bad input, `--output`, colour and help.
//
//   node --test tests/cli.test.mjs
//
// Rendering (Kustomize, Helm) is in cli-render.test.mjs, git revisions in cli-git.test.mjs, the
// byte-for-byte agreement with the native core in cli-conformance.test.mjs.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import {
  CLI,
  EXAMPLES,
  REPO_ROOT,
  baseEnv,
  describeRun,
  runCli,
  tempDir,
} from "./helpers/cli.mjs";

const BASE = "examples/shop/base";
const HEAD = "examples/shop/head";

async function ok(args, options) {
  const result = await runCli(args, options);
  assert.equal(result.code, 0, describeRun(args, result));
  return result;
}

async function fails(args, code, options) {
  const result = await runCli(args, options);
  assert.equal(result.code, code, describeRun(args, result));
  return result;
}

const ANSI = new RegExp(String.raw`\u001b\[`);

let scratch;
before(() => {
  scratch = tempDir("netreach-cli-");
});
after(() => scratch?.remove());

/** A directory with the head example plus extra files. */
function headWith(name, files) {
  const dir = path.join(scratch.dir, name);
  cpSync(path.join(EXAMPLES, "shop", "head"), dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

describe("analyze", () => {
  test("text: one line per allowed connection", async () => {
    const { stdout, stderr } = await ok(["analyze", HEAD]);
    const lines = stdout.trimEnd().split("\n");
    assert.ok(lines.length > 20, stdout);
    for (const line of lines) assert.match(line, /^\S.* => \S.* : \S.*$/);
    assert.ok(
      lines.includes(
        "shop-web/Deployment/storefront => shop-core/Deployment/catalog : TCP 50051",
      ),
      stdout,
    );
    assert.ok(
      lines.some((l) =>
        l.startsWith(
          "monitoring/Deployment/prometheus => shop-data/StatefulSet/postgres : ",
        ),
      ),
      "the head exposure is in the analysis",
    );
    assert.equal(
      stderr,
      "",
      "no progress output when stderr is not a terminal",
    );
  });

  test("json: the analysis contract, one line", async () => {
    const { stdout } = await ok(["analyze", "--format", "json", HEAD]);
    assert.ok(stdout.endsWith("}\n"));
    assert.equal(stdout.trimEnd().split("\n").length, 1, "compact JSON");
    const analysis = JSON.parse(stdout);
    assert.deepEqual(Object.keys(analysis), ["endpoints", "connections"]);
    const ids = analysis.endpoints.map((e) => e.id);
    assert.ok(ids.includes("shop-core/CronJob/catalog-reindex"));
    assert.ok(ids.some((id) => id.startsWith("external:")));
    const postgres = analysis.endpoints.find(
      (e) => e.id === "shop-data/StatefulSet/postgres",
    );
    assert.equal(postgres.origin.path, `${HEAD}/workloads.yaml`);
    const c = analysis.connections.find(
      (c) =>
        c.from === "shop-core/Deployment/catalog" &&
        c.to === "shop-data/StatefulSet/postgres",
    );
    assert.deepEqual(c.ports, [{ protocol: "TCP", ranges: [[5432, 5432]] }]);
  });

  test("markdown, csv and dot", async () => {
    const md = await ok(["analyze", "-f", "md", HEAD]);
    assert.match(md.stdout, /^## netreach/);
    const csv = await ok(["analyze", "--format", "csv", HEAD]);
    const rows = csv.stdout.trimEnd().split("\n");
    assert.ok(rows.length > 20);
    assert.match(rows[0], /from/i);
    const dot = await ok(["analyze", "--format", "dot", HEAD]);
    assert.match(dot.stdout, /^digraph/m);
  });

  test("several PATHs and files; a file named twice is read once", async () => {
    const files = ["namespaces.yaml", "policies.yaml", "workloads.yaml"].map(
      (f) => `${HEAD}/${f}`,
    );
    const split = await ok(["analyze", "--format", "json", ...files, files[0]]);
    const whole = await ok(["analyze", "--format", "json", HEAD]);
    const conns = (s) => JSON.parse(s).connections;
    assert.deepEqual(conns(split.stdout), conns(whole.stdout));
  });

  test("standard input with -", async () => {
    const text = ["namespaces", "workloads", "policies"]
      .map((f) => readFileSync(path.join(REPO_ROOT, HEAD, `${f}.yaml`), "utf8"))
      .join("\n---\n");
    const { stdout } = await ok(["analyze", "--format", "json", "-"], {
      input: text,
    });
    const analysis = JSON.parse(stdout);
    assert.equal(
      analysis.endpoints.find((e) => e.id === "shop-data/StatefulSet/postgres")
        .origin.path,
      "<stdin>",
    );
  });

  test("--namespace sets the namespace of objects without one", async () => {
    const dir = path.join(scratch.dir, "no-namespace");
    cpSync(path.join(EXAMPLES, "shop", "base"), dir, { recursive: true });
    writeFileSync(
      path.join(dir, "solo.yaml"),
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: solo\n  labels: {app: solo}\nspec:\n  containers: [{name: c, image: x}]\n",
    );
    const plain = await ok(["analyze", "--format", "json", dir]);
    assert.ok(
      JSON.parse(plain.stdout).endpoints.some(
        (e) => e.id === "default/Pod/solo",
      ),
    );
    const named = await ok([
      "analyze",
      "--format",
      "json",
      "--namespace",
      "team-a",
      dir,
    ]);
    assert.ok(
      JSON.parse(named.stdout).endpoints.some(
        (e) => e.id === "team-a/Pod/solo",
      ),
    );
  });

  test("paths are reported relative to the current directory", async () => {
    const { stdout } = await ok(
      ["analyze", "--format", "json", path.join(REPO_ROOT, HEAD)],
      { cwd: path.join(REPO_ROOT, "examples") },
    );
    const e = JSON.parse(stdout).endpoints.find((e) => e.origin);
    assert.match(e.origin.path, /^shop\/head\/[a-z]+\.yaml$/);
  });
});

describe("diff", () => {
  test("text (default): the exposure and the breakage", async () => {
    const { stdout } = await ok(["diff", BASE, HEAD]);
    assert.match(stdout, /^netreach: NetworkPolicy reachability changes\n=+\n/);
    assert.match(stdout, /Newly allowed \(exposure\)/);
    assert.match(stdout, /Newly blocked \(breakage\)/);
    assert.match(stdout, /prometheus/);
    assert.doesNotMatch(stdout, ANSI);
  });

  test("json: the full report", async () => {
    const { stdout } = await ok(["diff", "--format", "json", BASE, HEAD]);
    const report = JSON.parse(stdout);
    assert.equal(report.schemaVersion, 1);
    assert.ok(report.summary.exposures >= 1, JSON.stringify(report.summary));
    assert.ok(report.summary.breakages >= 3, JSON.stringify(report.summary));
    assert.equal(report.summary.addedEndpoints, 1);
    assert.equal(report.summary.inputErrors, 0);
    assert.ok(report.diff.changes.length > 0);
  });

  test("markdown, sarif, csv, dot", async () => {
    const md = await ok([
      "diff",
      "--format",
      "markdown",
      "--title",
      "Shop PR",
      BASE,
      HEAD,
    ]);
    assert.match(md.stdout, /Shop PR/);
    const sarif = JSON.parse(
      (await ok(["diff", "--format", "sarif", BASE, HEAD])).stdout,
    );
    assert.equal(sarif.version, "2.1.0");
    const csv = await ok(["diff", "--format", "csv", BASE, HEAD]);
    assert.ok(csv.stdout.split("\n").length > 3);
    const dot = await ok(["diff", "--format", "dot", BASE, HEAD]);
    assert.match(dot.stdout, /^digraph/m);
  });

  test("--max-chars truncates the markdown", async () => {
    const full = await ok(["diff", "--format", "markdown", BASE, HEAD]);
    const cut = await ok([
      "diff",
      "--format",
      "markdown",
      "--max-chars",
      "1500",
      BASE,
      HEAD,
    ]);
    assert.ok(cut.stdout.length < full.stdout.length);
    assert.ok(cut.stdout.length <= 1501, `${cut.stdout.length} chars`);
  });

  test("no change: exit 0 even with every gate", async () => {
    const { stdout } = await ok([
      "diff",
      "--fail-on",
      "exposure,breakage,lint-error,input-error",
      HEAD,
      HEAD,
    ]);
    assert.match(stdout, /No reachability changes\./);
  });
});

describe("--fail-on and exit codes", () => {
  test("exposure trips: exit 1, the reason on stderr", async () => {
    const r = await fails(["diff", "--fail-on", "exposure", BASE, HEAD], 1);
    assert.match(r.stderr, /failing: \d+ exposures? \(--fail-on exposure\)/);
    assert.match(r.stdout, /Newly allowed/, "the report is still printed");
  });

  test("breakage trips; gates combine by comma or by repeating", async () => {
    await fails(["diff", "--fail-on", "breakage", BASE, HEAD], 1);
    const r = await fails(
      [
        "diff",
        "--fail-on",
        "input-error",
        "--fail-on",
        "breakage,exposure",
        BASE,
        HEAD,
      ],
      1,
    );
    assert.match(r.stderr, /exposure.*breakage|breakage.*exposure/);
  });

  test("reverse direction: head → base has breakages but still exposures", async () => {
    const r = await runCli(["diff", "--format", "json", HEAD, BASE]);
    const s = JSON.parse(r.stdout).summary;
    assert.ok(s.exposures > 0 && s.breakages > 0);
  });

  test("input-error passes on clean input, none disables, default is no gate", async () => {
    await ok(["diff", "--fail-on", "input-error", BASE, HEAD]);
    await ok(["diff", "--fail-on", "none", BASE, HEAD]);
    await ok(["diff", BASE, HEAD]);
  });

  test("a gate the command does not have, or an unknown one, is a usage error", async () => {
    const r = await fails(["analyze", "--fail-on", "exposure", HEAD], 2);
    assert.match(r.stderr, /--fail-on exposure is not a gate of analyze/);
    await fails(["diff", "--fail-on", "explosions", BASE, HEAD], 2);
  });

  test("usage errors exit 2 with a pointer to --help", async () => {
    for (const args of [
      [],
      ["frobnicate"],
      ["--frobnicate"],
      ["analyze"],
      ["analyze", "--bogus", HEAD],
      ["analyze", "--format", "xml", HEAD],
      ["diff", BASE],
      ["diff", BASE, HEAD, HEAD],
      ["diff", "--path", "x", BASE, HEAD],
      ["explain", HEAD, "--from", "a"],
      ["explain", HEAD, "--from", "a", "--to", "b", "--port", "70000"],
      ["explain", HEAD, "--from", "a", "--to", "b", "--protocol", "ICMP"],
      ["analyze", "--render", "magic", HEAD],
      ["analyze", "--namespace"],
      ["analyze", "--cluster-cidr", "10.0.0.0", HEAD],
      ["analyze", "--cluster-cidr", "10.0.0.0/33", HEAD],
    ]) {
      const r = await fails(args, 2);
      assert.match(r.stderr, /netreach: error: |Usage:/, describeRun(args, r));
      assert.equal(r.stdout, "", describeRun(args, r));
    }
    const r = await fails(["diff", "--format", "yaml", BASE, HEAD], 2);
    assert.match(r.stderr, /unknown format "yaml" for diff/);
    assert.match(r.stderr, /netreach diff --help/);
  });
});

describe("bad input", () => {
  test("a missing path: exit 2 naming it", async () => {
    const r = await fails(["analyze", "examples/shop/nope"], 2);
    assert.match(r.stderr, /no such file or directory: examples\/shop\/nope/);
    await fails(["diff", BASE, "does/not/exist"], 2);
  });

  test("a malformed YAML file among good ones: the report is still produced, with a diagnostic", async () => {
    const dir = headWith("malformed", {
      "zz-broken.yaml":
        "apiVersion: v1\nkind: Pod\nmetadata: {name: [unclosed\n",
    });
    const args = ["diff", "--format", "json", BASE, dir];
    const r = await ok(args);
    const report = JSON.parse(r.stdout);
    const broken = report.diagnostics.filter((d) =>
      d.location.path.endsWith("zz-broken.yaml"),
    );
    assert.ok(broken.length >= 1, JSON.stringify(report.diagnostics));
    assert.equal(broken[0].severity, "error");
    assert.ok(report.summary.inputErrors >= 1);
    assert.ok(report.summary.exposures >= 1, "the good files were analysed");
    assert.match(r.stderr, /zz-broken\.yaml:\d+.*error/, "named on stderr too");
    const gated = await fails([...args, "--fail-on", "input-error"], 1);
    assert.match(gated.stderr, /input errors?/);
    // analyze's text output has no room for diagnostics: they go to stderr.
    const a = await ok(["analyze", dir]);
    assert.match(a.stderr, /zz-broken\.yaml/);
  });

  test("a file that is not UTF-8 is named and skipped, not a crash", async () => {
    const dir = headWith("binary", {
      "blob.yaml": Buffer.from([
        0x6b, 0x69, 0x6e, 0x64, 0x3a, 0x20, 0xff, 0xfe, 0x00, 0x01,
      ]),
    });
    const r = await ok(["diff", "--format", "json", BASE, dir]);
    assert.match(r.stderr, /blob\.yaml: not valid UTF-8/);
    assert.ok(JSON.parse(r.stdout).summary.exposures >= 1);
    const gated = await fails(["analyze", dir, "--fail-on", "input-error"], 1);
    assert.match(gated.stderr, /1 input error/);
    const lint = await runCli(["lint", dir]);
    assert.match(lint.stdout, /1 input error/);
  });

  test("a byte order mark is dropped", async () => {
    const dir = path.join(scratch.dir, "bom");
    cpSync(path.join(EXAMPLES, "shop", "head"), dir, { recursive: true });
    const file = path.join(dir, "workloads.yaml");
    writeFileSync(file, `\ufeff${readFileSync(file, "utf8")}`);
    const withBom = await ok(["analyze", "--format", "json", dir]);
    const without = await ok(["analyze", "--format", "json", HEAD]);
    assert.deepEqual(
      JSON.parse(withBom.stdout).connections,
      JSON.parse(without.stdout).connections,
    );
  });

  test("hidden entries and node_modules are skipped, other extensions ignored", async () => {
    const junk =
      "apiVersion: v1\nkind: Pod\nmetadata: {name: junk, namespace: shop-web}\nspec:\n  containers: [{name: c, image: x}]\n";
    const dir = headWith("skips", { "notes.txt": "not yaml: [" });
    for (const sub of [".hidden", "node_modules"]) {
      cpSync(path.join(EXAMPLES, "shop", "head"), path.join(dir, sub), {
        recursive: true,
      });
      writeFileSync(path.join(dir, sub, "junk.yaml"), junk);
    }
    writeFileSync(path.join(dir, ".junk.yaml"), junk);
    const r = await ok(["analyze", "--format", "json", dir]);
    const ids = JSON.parse(r.stdout).endpoints.map((e) => e.id);
    assert.ok(!ids.includes("shop-web/Pod/junk"), ids.join(" "));
    // named explicitly, a hidden file is read
    const named = await ok([
      "analyze",
      "--format",
      "json",
      path.join(dir, ".junk.yaml"),
    ]);
    assert.ok(
      JSON.parse(named.stdout).endpoints.some(
        (e) => e.id === "shop-web/Pod/junk",
      ),
    );
  });

  test("an unknown endpoint in explain: exit 2 with a hint", async () => {
    const r = await fails(
      ["explain", HEAD, "--from", "shop-web/nope", "--to", "shop-core/cart"],
      2,
    );
    assert.match(r.stderr, /shop-web\/nope/);
    assert.match(r.stderr, /hint: /);
  });
});

describe("explain", () => {
  test("allowed, with the deciding rule and its file:line on each side", async () => {
    const r = await ok([
      "explain",
      HEAD,
      "--from",
      "monitoring/prometheus",
      "--to",
      "shop-data/postgres",
      "--port",
      "5432",
    ]);
    assert.match(
      r.stdout,
      /^ALLOWED: monitoring\/Deployment\/prometheus -> shop-data\/StatefulSet\/postgres on TCP 5432\n/,
    );
    assert.match(r.stdout, /NetworkPolicy shop-data\/postgres ingress\[0\]/);
    assert.match(r.stdout, /at examples\/shop\/head\/policies\.yaml:\d+/);
  });

  test("denied in base; --expect sets the exit code", async () => {
    const args = [
      "explain",
      BASE,
      "--from",
      "monitoring/prometheus",
      "--to",
      "shop-data/postgres",
      "--port",
      "5432",
    ];
    const r = await ok(args);
    assert.match(r.stdout, /^DENIED: /);
    await ok([...args, "--expect", "denied"]);
    const f = await fails([...args, "--expect", "allowed"], 1);
    assert.match(f.stderr, /expected allowed, but DENIED/);
  });

  test("json; UDP; an IP address as destination", async () => {
    const r = await ok([
      "explain",
      HEAD,
      "--from",
      "shop-core/payments",
      "--to",
      "203.0.113.7",
      "--port",
      "443",
      "--format",
      "json",
    ]);
    const e = JSON.parse(r.stdout);
    assert.equal(e.allowed, true);
    assert.equal(e.to, "203.0.113.7");
    assert.ok(
      e.egress.decisions.some(
        (d) => d.policy === "shop-core/payments" && d.location,
      ),
    );
    const udp = await ok([
      "explain",
      HEAD,
      "--from",
      "shop-core/payments",
      "--to",
      "203.0.113.7",
      "--port",
      "443",
      "--protocol",
      "udp",
      "--format",
      "json",
    ]);
    assert.equal(JSON.parse(udp.stdout).allowed, false);
  });
});

describe("lint", () => {
  test("text, json and sarif agree on the counts", async () => {
    const text = await runCli(["lint", HEAD]);
    assert.ok([0, 1].includes(text.code), describeRun(["lint", HEAD], text));
    assert.match(
      text.stdout,
      /(No problems found|lint errors?, .* lint warnings?, .* input errors?) in 4 files\.\n$/,
    );
    const json = await runCli(["lint", "--format", "json", HEAD]);
    const report = JSON.parse(json.stdout);
    assert.deepEqual(Object.keys(report), [
      "schemaVersion",
      "tool",
      "summary",
      "diagnostics",
      "lint",
      "skipped",
    ]);
    assert.equal(text.code, report.summary.lintErrors > 0 ? 1 : 0);
    for (const finding of report.lint) {
      assert.ok(
        text.stdout.includes(`[${finding.code}]`),
        `${finding.code} is in the text output`,
      );
    }
    const sarif = JSON.parse(
      (await runCli(["lint", "--format", "sarif", HEAD])).stdout,
    );
    assert.equal(sarif.runs[0].results.length >= report.lint.length, true);
  });

  test("finds a selector that matches nothing; default gate is lint-error,input-error", async () => {
    const dir = headWith("lint", {
      "extra-policy.yaml": `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ghost, namespace: shop-web}
spec:
  podSelector: {matchLabels: {app: no-such-app}}
  ingress: [{}]
`,
      "broken.yaml": "kind: [\n",
    });
    const r = await fails(["lint", dir], 1);
    assert.match(
      r.stdout,
      /extra-policy\.yaml:\d+: NetworkPolicy shop-web\/ghost: spec\.podSelector: warning: /,
    );
    assert.match(r.stdout, /broken\.yaml:\d+: .*error: /);
    assert.match(r.stderr, /failing: .*input error/);
    await ok(["lint", "--fail-on", "none", dir]);
    await fails(
      ["lint", "--fail-on", "lint-warning", "--render", "none", dir],
      1,
    );
  });
});

test("--cluster-cidr (repeatable) reaches the core's lint", async () => {
  const args = ["lint", "--format", "json", "--cluster-cidr", "fd00::/8"];
  const codes = async (extra) =>
    JSON.parse((await runCli([...args, ...extra, HEAD])).stdout).lint.map(
      (l) => l.code,
    );
  assert.ok(!(await codes([])).includes("ipblock-overlaps-cluster-cidr"));
  assert.ok(
    (await codes(["--cluster-cidr", "203.0.113.0/24"])).includes(
      "ipblock-overlaps-cluster-cidr",
    ),
  );
});

describe("--output", () => {
  test("writes the report to the file and a summary line to stdout", async () => {
    const file = path.join(scratch.dir, "report.md");
    const r = await ok([
      "diff",
      "--format",
      "markdown",
      "-o",
      file,
      BASE,
      HEAD,
    ]);
    assert.match(
      r.stdout,
      /^netreach: wrote .*report\.md \(markdown\): \d+ exposures?, \d+ breakages?, 1 added \/ 0 removed workloads; .*input errors?\n$/,
    );
    const direct = await ok(["diff", "--format", "markdown", BASE, HEAD]);
    assert.equal(readFileSync(file, "utf8"), direct.stdout);
  });

  test("the gate still applies; analyze, lint and explain write files too", async () => {
    const file = path.join(scratch.dir, "gated.json");
    const r = await fails(
      [
        "diff",
        "--format",
        "json",
        "--output",
        file,
        "--fail-on",
        "exposure",
        BASE,
        HEAD,
      ],
      1,
    );
    assert.equal(r.stdout.split("\n").length, 2);
    assert.equal(JSON.parse(readFileSync(file, "utf8")).schemaVersion, 1);
    const a = await ok([
      "analyze",
      "-o",
      path.join(scratch.dir, "a.txt"),
      HEAD,
    ]);
    assert.match(
      a.stdout,
      /^netreach: wrote .*a\.txt \(text\): \d+ workloads, \d+ connections;/,
    );
    const e = await ok([
      "explain",
      HEAD,
      "--from",
      "shop-web/storefront",
      "--to",
      "shop-core/catalog",
      "-o",
      path.join(scratch.dir, "e.txt"),
    ]);
    assert.match(e.stdout, /: ALLOWED: shop-web\/Deployment\/storefront -> /);
  });

  test("without --format, the output file's extension chooses it", async () => {
    const sarif = path.join(scratch.dir, "lint.sarif");
    const r = await ok(["lint", "--fail-on", "none", "-o", sarif, HEAD]);
    assert.match(r.stdout, /\(sarif\)/);
    assert.equal(JSON.parse(readFileSync(sarif, "utf8")).version, "2.1.0");
    const md = path.join(scratch.dir, "diff.md");
    await ok(["diff", "-o", md, BASE, HEAD]);
    assert.match(readFileSync(md, "utf8"), /^## netreach/);
    // --format wins; an extension the command has no format for falls back to the default
    const other = path.join(scratch.dir, "x.json");
    await ok(["diff", "--format", "csv", "-o", other, BASE, HEAD]);
    assert.doesNotMatch(readFileSync(other, "utf8"), /^\{/);
    const html = path.join(scratch.dir, "x.html");
    const t = await ok(["diff", "-o", html, BASE, HEAD]);
    assert.match(t.stdout, /\(text\)/);
  });

  test("an unwritable output is exit 2", async () => {
    const file = path.join(scratch.dir, "no", "such", "dir.txt");
    const r = await fails(["analyze", "-o", file, HEAD], 2);
    assert.match(r.stderr, /cannot write .*dir\.txt: no such directory/);
    assert.equal(r.stdout, "");
  });
});

describe("colour", () => {
  // `script` gives the CLI a real terminal; skip where util-linux script is missing.
  let hasScript = true;
  try {
    execFileSync("script", ["--version"], { stdio: "ignore" });
  } catch {
    hasScript = false;
  }

  function onTty(args, env) {
    const command = [process.execPath, CLI, ...args]
      .map((a) => `'${a.replace(/'/g, "'\\''")}'`)
      .join(" ");
    try {
      return execFileSync("script", ["-q", "-e", "-c", command, "/dev/null"], {
        cwd: REPO_ROOT,
        env: baseEnv({ TERM: "xterm", ...env }),
        encoding: "utf8",
      });
    } catch (error) {
      return error.stdout ?? "";
    }
  }

  test(
    "colour on a terminal, none with NO_COLOR or --no-color",
    { skip: !hasScript },
    () => {
      const args = ["diff", BASE, HEAD];
      assert.match(onTty(args, {}), ANSI);
      assert.doesNotMatch(onTty(args, { NO_COLOR: "1" }), ANSI);
      assert.doesNotMatch(onTty([...args, "--no-color"], {}), ANSI);
      assert.doesNotMatch(onTty(args, { TERM: "dumb" }), ANSI);
    },
  );

  test(
    "progress on stderr on a terminal; with --verbose otherwise",
    { skip: !hasScript },
    async () => {
      assert.match(
        onTty(["analyze", "--no-color", HEAD], {}),
        /netreach: analysing 4 files/,
      );
      const r = await ok(["analyze", "--verbose", HEAD]);
      assert.match(r.stderr, /netreach: analysing 4 files \(\d+ KB\)…/);
      assert.doesNotMatch(r.stdout, /analysing/);
    },
  );

  test("no colour when not a terminal", async () => {
    const r = await ok(["lint", "--fail-on", "none", HEAD]);
    assert.doesNotMatch(r.stdout + r.stderr, ANSI);
  });
});

describe("help and version", () => {
  for (const command of ["analyze", "diff", "explain", "lint"]) {
    test(`${command} --help / -h / help ${command}`, async () => {
      const long = await ok([command, "--help"]);
      assert.match(long.stdout, new RegExp(`^Usage: netreach ${command} `));
      assert.match(long.stdout, /Exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 /);
      assert.equal((await ok([command, "-h", "--bogus"])).stdout, long.stdout);
      assert.equal((await ok(["help", command])).stdout, long.stdout);
    });
  }

  test("netreach --help lists the commands and exit codes; --version", async () => {
    const r = await ok(["--help"]);
    for (const command of ["analyze", "diff", "explain", "lint"]) {
      assert.match(r.stdout, new RegExp(`netreach ${command} `));
    }
    assert.match(r.stdout, /Exit codes:/);
    const pkg = JSON.parse(
      readFileSync(path.join(REPO_ROOT, "npm", "package.json"), "utf8"),
    );
    assert.equal((await ok(["--version"])).stdout, `netreach ${pkg.version}\n`);
  });
});
