// `netreach check` and `netreach snapshot`, run for real against the example app
// (examples/shop/{base,head} and examples/shop/netreach.yaml): exit codes, formats, defaults
// in the current directory, the lock round trip, and unusable expectations or lock files.
//
//   node --test tests/cli-check.test.mjs

import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import {
  EXAMPLES,
  REPO_ROOT,
  describeRun,
  runCli,
  tempDir,
} from "./helpers/cli.mjs";

const BASE = path.join(EXAMPLES, "shop", "base");
const HEAD = path.join(EXAMPLES, "shop", "head");
const EXPECT = path.join(EXAMPLES, "shop", "netreach.yaml");

async function exits(args, code, options) {
  const result = await runCli(args, options);
  assert.equal(result.code, code, describeRun(args, result));
  return result;
}

let scratch;
before(() => {
  scratch = tempDir("netreach-check-");
});
after(() => scratch?.remove());

describe("check: expectations", () => {
  test("the base holds every expectation: exit 0", async () => {
    const { stdout } = await exits(["check", BASE, "--expect", EXPECT], 0);
    assert.match(stdout, /^netreach check: PASS: \d+ expectations passed/);
  });

  test("the head breaks expectations: exit 1, the broken one named with file:line", async () => {
    const { stdout, stderr } = await exits(
      ["check", HEAD, "--expect", EXPECT],
      1,
    );
    assert.match(stdout, /^netreach check: FAIL: 4 of \d+ expectations failed/);
    assert.match(stdout, /Broken expectations/);
    assert.match(
      stdout,
      /✗ storefront reaches cart {2}\(.*netreach\.yaml:\d+\)/,
    );
    assert.match(
      stdout,
      /shop-web\/Deployment\/storefront → shop-core\/Deployment\/cart/,
    );
    // The deciding policy, with file:line.
    assert.match(stdout, /examples\/shop\/head\/[\w.-]+\.yaml:\d+/);
    assert.match(stderr, /failing: 4 of \d+ expectations failed/);
  });

  test("json and markdown formats", async () => {
    const { stdout } = await exits(
      ["check", HEAD, "--expect", EXPECT, "--format", "json"],
      1,
    );
    const result = JSON.parse(stdout);
    assert.equal(result.schemaVersion, 1);
    assert.equal(result.passed, false);
    assert.equal(result.lock, null);
    assert.equal(result.summary.expectationsFailed, 4);
    const broken = result.expectations.results.filter((r) => !r.passed);
    assert.equal(broken[0].name, "storefront reaches cart");

    const md = await exits(["check", HEAD, "--expect", EXPECT, "-f", "md"], 1);
    assert.match(md.stdout, /^### ❌ netreach check/);
    assert.match(md.stdout, /\*\*storefront reaches cart\*\*/);
  });

  test("netreach.yaml in the current directory is the default", async () => {
    const dir = path.join(scratch.dir, "defaults");
    mkdirSync(dir, { recursive: true });
    copyFileSync(EXPECT, path.join(dir, "netreach.yaml"));
    const { stdout } = await exits(["check", HEAD], 1, { cwd: dir });
    assert.match(stdout, /storefront reaches cart {2}\(netreach\.yaml:\d+\)/);
  });
});

describe("snapshot and check --lock", () => {
  let lockFile;
  before(() => {
    lockFile = path.join(scratch.dir, "netreach.lock.json");
  });

  test("snapshot writes the lock to stdout, or to --output", async () => {
    const { stdout } = await exits(["snapshot", BASE], 0);
    const lock = JSON.parse(stdout);
    assert.equal(lock.version, 1);
    assert.ok(lock.endpoints.length > 5);
    assert.ok(lock.connections.length > 5);
    const written = await exits(["snapshot", BASE, "--output", lockFile], 0);
    assert.match(
      written.stdout,
      /^netreach: wrote .*netreach\.lock\.json: \d+ endpoints, \d+ connections\n$/,
    );
    assert.equal(readFileSync(lockFile, "utf8"), stdout);
  });

  test("the same input checks clean against its lock: exit 0", async () => {
    const { stdout } = await exits(["check", BASE, "--lock", lockFile], 0);
    assert.match(stdout, /matches the lock/);
  });

  test("the head drifts from the base's lock: exit 1, rendered like a diff", async () => {
    const { stdout, stderr } = await exits(
      ["check", HEAD, "--lock", lockFile],
      1,
    );
    assert.match(stdout, /Lock drift/);
    assert.match(
      stdout,
      /^ {2}\+ monitoring\/Deployment\/prometheus → shop-data\/StatefulSet\/postgres: TCP 5432$/m,
    );
    assert.match(stdout, /^ {2}- .*shop-core\/Deployment\/cart: TCP 50051$/m);
    assert.match(stderr, /lock drift/);
    const json = await exits(
      ["check", HEAD, "--lock", lockFile, "--expect", EXPECT, "-f", "json"],
      1,
    );
    const result = JSON.parse(json.stdout);
    assert.equal(result.lock.clean, false);
    assert.ok(result.summary.lockExposures >= 1);
  });

  test("netreach.lock.json in the current directory is the default", async () => {
    const { stdout } = await exits(["check", HEAD], 1, { cwd: scratch.dir });
    assert.match(stdout, /Lock drift/);
  });
});

describe("check: unusable input (exit 2)", () => {
  test("a bad expectations file is reported as file:line", async () => {
    const bad = path.join(scratch.dir, "bad.yaml");
    writeFileSync(
      bad,
      "version: 1\nexpectations:\n  - name: x\n    from: a/b\n    to: c/d\n    allow: 53\n",
    );
    const { stderr } = await exits(["check", BASE, "--expect", bad], 2, {
      cwd: scratch.dir,
    });
    assert.match(stderr, /error: bad\.yaml:\d+: /);
    const syntax = path.join(scratch.dir, "syntax.yaml");
    writeFileSync(syntax, "version: 1\nexpectations: [\n");
    const result = await exits(["check", BASE, "--expect", syntax], 2, {
      cwd: scratch.dir,
    });
    assert.match(result.stderr, /error: syntax\.yaml:\d+: /);
  });

  test("a bad lock file is reported as file:line", async () => {
    const bad = path.join(scratch.dir, "bad.lock.json");
    writeFileSync(bad, '{\n  "version": 1,\n  "endpoints": 3\n}\n');
    const { stderr } = await exits(["check", BASE, "--lock", bad], 2, {
      cwd: scratch.dir,
    });
    assert.match(stderr, /error: bad\.lock\.json:\d+: /);
    assert.match(stderr, /netreach snapshot/);
  });

  test("missing files", async () => {
    let r = await exits(["check", BASE, "--expect", "nope.yaml"], 2, {
      cwd: scratch.dir,
    });
    assert.match(r.stderr, /no such expectations file: nope\.yaml/);
    r = await exits(["check", BASE, "--lock", "nope.json"], 2, {
      cwd: scratch.dir,
    });
    assert.match(r.stderr, /no such lock file: nope\.json/);
    r = await exits(["check", "does-not-exist", "--expect", EXPECT], 2);
    assert.match(r.stderr, /no such file or directory: does-not-exist/);
    r = await exits(["snapshot", "does-not-exist"], 2);
    assert.match(r.stderr, /no such file or directory/);
  });

  test("neither file given nor found", async () => {
    const { stderr } = await exits(["check", BASE], 2, { cwd: REPO_ROOT });
    assert.match(stderr, /nothing to check/);
    const none = await exits(["check", "--expect", EXPECT], 2);
    assert.match(none.stderr, /check needs at least one PATH/);
  });

  test("help", async () => {
    const main = await exits(["--help"], 0);
    assert.match(main.stdout, /netreach check PATH/);
    assert.match(main.stdout, /netreach snapshot PATH/);
    const check = await exits(["check", "--help"], 0);
    assert.match(check.stdout, /--expect FILE/);
    assert.match(check.stdout, /--lock FILE/);
    const snapshot = await exits(["snapshot", "--help"], 0);
    assert.match(snapshot.stdout, /--output/);
  });
});
