// The JS API contract, run against one build of the WebAssembly core:
//
//   node --test test/api.test.mjs                          # the Node entry (node.js)
//   NETREACH_TARGET=browser node --test test/api.test.mjs  # the browser entry in headless Chromium
//
// Needs npm/pkg (scripts/build-wasm.sh). Result shapes are checked key by key against the
// interfaces in index.d.ts, so the hand-written types cannot drift from the Rust output.

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import {
  PACKAGE_DIR,
  declaredKeys,
  openTarget,
  readDir,
} from "./api-target.mjs";

const target = await openTarget();
const { api } = target;
after(() => target.close());

const base = readDir("examples/shop/base");
const head = readDir("examples/shop/head");
const PROMETHEUS = "monitoring/Deployment/prometheus";
const POSTGRES = "shop-data/StatefulSet/postgres";

/** Asserts `value` has exactly the members index.d.ts declares for `name` (all required ones, no others). */
function assertKeys(value, name, where = name) {
  assert.equal(typeof value, "object", `${where} is an object`);
  assert.notEqual(value, null, `${where} is not null`);
  const { required, optional } = declaredKeys(name);
  const keys = Object.keys(value);
  const undeclared = keys.filter((k) => !required.has(k) && !optional.has(k));
  assert.deepEqual(
    undeclared,
    [],
    `${where} has members index.d.ts does not declare in ${name}`,
  );
  const missing = [...required].filter((k) => !keys.includes(k));
  assert.deepEqual(
    missing,
    [],
    `${where} lacks members index.d.ts declares required in ${name}`,
  );
}

function assertPortSet(ports, where) {
  assert.ok(Array.isArray(ports), `${where} is an array`);
  for (const entry of ports) {
    assertKeys(entry, "PortEntry", where);
    assert.ok(
      ["TCP", "UDP", "SCTP"].includes(entry.protocol),
      `${where}: protocol ${entry.protocol}`,
    );
    for (const range of entry.ranges) {
      assert.ok(
        Array.isArray(range) && range.length === 2,
        `${where}: a range is [lo, hi]`,
      );
      assert.ok(
        Number.isInteger(range[0]) &&
          range[0] >= 1 &&
          range[0] <= range[1] &&
          range[1] <= 65535,
      );
    }
  }
}

function assertLocation(location, where) {
  assertKeys(location, "Location", where);
  assert.ok(location.line >= 1, `${where}: one-based line`);
  if (location.object)
    assertKeys(location.object, "ObjectRef", `${where}.object`);
}

function assertDiagnostic(d, name, where) {
  assertKeys(d, name, where);
  assert.ok(["info", "warning", "error"].includes(d.severity));
  assertLocation(d.location, `${where}.location`);
}

/** Every object in a report, checked against its interface. */
function assertReportShape(report) {
  assertKeys(report, "Report", "report");
  assert.equal(report.schemaVersion, 1);
  assertKeys(report.tool, "Tool", "report.tool");
  assertKeys(report.summary, "Summary", "report.summary");
  assertKeys(report.analysis, "Analysis", "report.analysis");
  for (const [i, e] of report.analysis.endpoints.entries()) {
    assertKeys(e, "Endpoint", `endpoints[${i}]`);
    if (e.origin) assertKeys(e.origin, "Origin", `endpoints[${i}].origin`);
  }
  for (const [i, c] of report.analysis.connections.entries()) {
    assertKeys(c, "Connection", `connections[${i}]`);
    assertPortSet(c.ports, `connections[${i}].ports`);
  }
  if (report.diff) {
    assertKeys(report.diff, "Diff", "report.diff");
    for (const [i, c] of report.diff.changes.entries()) {
      assertKeys(c, "Change", `changes[${i}]`);
      for (const k of ["before", "after", "added", "removed"])
        assertPortSet(c[k], `changes[${i}].${k}`);
    }
  }
  report.diagnostics.forEach((d, i) =>
    assertDiagnostic(d, "SidedDiagnostic", `diagnostics[${i}]`),
  );
  report.lint.forEach((d, i) =>
    assertDiagnostic(d, "LintFinding", `lint[${i}]`),
  );
  for (const [i, s] of report.skipped.entries()) {
    assertKeys(s, "Skipped", `skipped[${i}]`);
    s.examples.forEach((l, j) =>
      assertLocation(l, `skipped[${i}].examples[${j}]`),
    );
  }
}

function assertExplanationShape(x) {
  assertKeys(x, "Explanation", "explanation");
  assertPortSet(x.allowedPorts, "explanation.allowedPorts");
  for (const side of ["egress", "ingress"]) {
    assertKeys(x[side], "SideExplanation", side);
    for (const [i, d] of x[side].decisions.entries()) {
      assertKeys(d, "Decision", `${side}.decisions[${i}]`);
      assertPortSet(d.ports, `${side}.decisions[${i}].ports`);
      if (d.location)
        assertLocation(d.location, `${side}.decisions[${i}].location`);
    }
  }
}

/** A CheckResult, checked against its interfaces. */
function assertCheckShape(result) {
  assertKeys(result, "CheckResult", "check");
  assert.equal(result.schemaVersion, 1);
  assertKeys(result.summary, "CheckSummary", "check.summary");
  if (result.expectations) {
    assertKeys(result.expectations, "ExpectationResults", "expectations");
    for (const [i, r] of result.expectations.results.entries()) {
      assertKeys(r, "ExpectationResult", `results[${i}]`);
      assertLocation(r.location, `results[${i}].location`);
      r.unmatched.forEach((u, j) =>
        assertKeys(u, "Unmatched", `results[${i}].unmatched[${j}]`),
      );
      for (const [j, v] of r.violations.entries()) {
        assertKeys(v, "Violation", `results[${i}].violations[${j}]`);
        for (const k of ["allowed", "missing", "unexpected"])
          if (v[k]) assertPortSet(v[k], `violations[${j}].${k}`);
        if (v.explanation) assertExplanationShape(v.explanation);
      }
    }
  }
  if (result.lock) {
    assertKeys(result.lock, "LockDrift", "lock");
    assertKeys(result.lock.diff, "Diff", "lock.diff");
    for (const [i, c] of result.lock.diff.changes.entries()) {
      assertKeys(c, "Change", `lock.diff.changes[${i}]`);
    }
  }
  result.diagnostics.forEach((d, i) =>
    assertDiagnostic(d, "Diagnostic", `check.diagnostics[${i}]`),
  );
}

/** Runs `fn`, which must throw (or reject with) an Error with these properties. */
async function assertThrows(fn, expected) {
  let error;
  try {
    await fn();
  } catch (e) {
    error = e;
  }
  assert.ok(error, "expected an error");
  assert.ok(error instanceof Error, `a JS Error, not ${typeof error}`);
  assert.equal(error.name, "NetreachError");
  for (const [key, value] of Object.entries(expected)) {
    if (value instanceof RegExp)
      assert.match(String(error[key]), value, `error.${key}`);
    else
      assert.deepEqual(
        error[key],
        value,
        `error.${key} (message: ${error.message})`,
      );
  }
  return error;
}

describe(`netreach API (${target.name} build)`, () => {
  let shop;
  before(async () => {
    shop = await api.report({ base, head });
  });

  test("version() is the package version and the report's tool version", async () => {
    const version = await api.version();
    const pkg = JSON.parse(
      fs.readFileSync(path.join(PACKAGE_DIR, "package.json"), "utf8"),
    );
    assert.match(version, /^\d+\.\d+\.\d+/);
    assert.equal(version, pkg.version);
    assert.deepEqual(shop.tool, { name: "netreach", version });
  });

  test("report() on examples/shop finds the pull request's exposures and breakages", () => {
    assert.ok(shop.summary.exposures > 0, "exposures");
    assert.ok(shop.summary.breakages > 0, "breakages");
    assert.equal(shop.summary.inputErrors, 0);
    const change = shop.diff.changes.find(
      (c) => c.from === PROMETHEUS && c.to === POSTGRES,
    );
    assert.ok(change, `${PROMETHEUS} -> ${POSTGRES} changed`);
    assert.equal(change.kind, "exposure");
    assert.deepEqual(change.added, [
      { protocol: "TCP", ranges: [[5432, 5432]] },
    ]);
    assert.equal(
      shop.summary.exposures,
      shop.diff.changes.filter((c) => c.added.length > 0).length,
    );
  });

  test("report() has exactly the keys index.d.ts documents, all the way down", async () => {
    assert.deepEqual(Object.keys(shop), [
      "schemaVersion",
      "tool",
      "summary",
      "analysis",
      "diff",
      "diagnostics",
      "lint",
      "skipped",
      "notes",
    ]);
    assertReportShape(shop);
    // Without a base there is no diff.
    const single = await api.report({ head });
    assert.equal("diff" in single, false);
    assertReportShape(single);
    // Labels are a plain object, not a Map (one shared json_compatible serializer).
    const endpoint = shop.analysis.endpoints.find((e) => e.id === POSTGRES);
    assert.equal(Object.getPrototypeOf(endpoint.labels), Object.prototype);
    assert.equal(endpoint.labels.app, "postgres");
  });

  test("renderReport(json) is the same data as report()", async () => {
    const json = await api.renderReport({ base, head }, "json");
    assert.deepEqual(JSON.parse(json), shop);
    assert.ok(json.includes("\n  "), "pretty by default");
    const compact = await api.renderReport({ base, head }, "json", {
      pretty: false,
    });
    assert.ok(!compact.includes("\n"));
    assert.deepEqual(JSON.parse(compact), shop);
  });

  test("renderReports() renders several formats of one computation", async () => {
    const request = { base, head };
    const [markdown, json] = await api.renderReports(request, [
      "markdown",
      "json",
    ]);
    assert.equal(markdown, await api.renderReport(request, "markdown"));
    assert.equal(json, await api.renderReport(request, "json"));
  });

  test("renderReport(analysis-json) is the {endpoints, connections} contract", async () => {
    const text = await api.renderReport({ head }, "analysis-json", {
      pretty: false,
    });
    const analysis = JSON.parse(text);
    assert.deepEqual(Object.keys(analysis), ["endpoints", "connections"]);
    assertKeys(analysis, "Analysis", "analysis-json");
    const single = await api.report({ head });
    assert.deepEqual(analysis, single.analysis);
    const ids = analysis.endpoints.map((e) => e.id);
    for (const c of analysis.connections) {
      assert.ok(
        ids.includes(c.from) && ids.includes(c.to),
        `${c.from} -> ${c.to} are endpoints`,
      );
      assertPortSet(c.ports, `${c.from} -> ${c.to}`);
    }
    const scrape = analysis.connections.find(
      (c) => c.from === PROMETHEUS && c.to === POSTGRES,
    );
    assert.deepEqual(scrape.ports, [
      {
        protocol: "TCP",
        ranges: [
          [5432, 5432],
          [9187, 9187],
        ],
      },
    ]);
  });

  test("renderReport() renders every format, with Markdown options", async () => {
    const request = { base, head };
    const markdown = await api.renderReport(request, "markdown", {
      marker: "<!-- netreach:test -->",
      title: "Reachability",
    });
    assert.ok(
      markdown.startsWith("<!-- netreach:test -->\n"),
      markdown.slice(0, 80),
    );
    assert.ok(markdown.includes("Reachability"));
    assert.ok(markdown.includes("prometheus"));
    assert.equal(
      await api.renderReport(request, "MD", {
        marker: "<!-- netreach:test -->",
        title: "Reachability",
      }),
      markdown,
    );
    const small = await api.renderReport(request, "md", {
      maxChars: 1500,
      fullReportHint: "See the job summary.",
    });
    assert.ok(
      new TextEncoder().encode(small).length <= 1500,
      `cut to maxChars (${small.length})`,
    );
    assert.ok(small.includes("See the job summary."));
    const text = await api.renderReport(request, "text");
    assert.ok(text.includes(PROMETHEUS) || text.includes("prometheus"));
    const sarif = JSON.parse(await api.renderReport(request, "sarif"));
    assert.equal(sarif.version, "2.1.0");
    assert.match(await api.renderReport(request, "csv"), /^[^\n]*,/);
    assert.match(await api.renderReport(request, "dot"), /^(strict )?digraph/);
    const connections = await api.renderReport({ head }, "connections");
    assert.ok(
      connections
        .split("\n")
        .includes(`${PROMETHEUS} => ${POSTGRES} : TCP 5432,9187`),
      connections,
    );
  });

  test("explain() gives the verdict and the deciding rules on both sides", async () => {
    const query = { from: PROMETHEUS, to: POSTGRES, port: 5432 };
    const after = await api.explain({ files: head, query });
    assertExplanationShape(after);
    assert.equal(after.allowed, true);
    assert.equal(after.protocol, "TCP");
    assert.equal(after.port, 5432);
    assert.equal(after.ingress.isolated, true);
    const rule = after.ingress.decisions.find(
      (d) => d.kind === "networkPolicyRule" && d.matchesQuery,
    );
    assert.ok(rule, "an ingress rule allows it");
    assert.match(rule.location.path, /examples\/shop\/head\/policies\.yaml$/);
    assert.match(rule.location.field, /^spec\.ingress\[\d+\]/);

    const before = await api.explain({ files: base, query });
    assertExplanationShape(before);
    assert.equal(before.allowed, false);
    assert.equal(before.ingress.allowed, false);
    assert.match(before.summary, /cannot reach/);

    // Short names resolve; without a port every port is covered; explicit undefined is absent.
    const any = await api.explain({
      files: head,
      options: undefined,
      query: {
        from: "monitoring/prometheus",
        to: "postgres",
        protocol: undefined,
      },
    });
    assert.equal(any.from, PROMETHEUS);
    assert.equal(any.to, POSTGRES);
    assert.equal("port" in any, false);
    assert.deepEqual(any.allowedPorts, [
      {
        protocol: "TCP",
        ranges: [
          [5432, 5432],
          [9187, 9187],
        ],
      },
    ]);
  });

  test("unusable requests throw an Error with kind, field and file", async () => {
    let e = await assertThrows(() => api.report({ base }), {
      kind: "invalid-request",
      message: /missing field `head`/,
    });
    assert.equal(e.field, undefined);
    assert.equal(e.file, undefined);
    assert.equal(e.line, undefined);

    e = await assertThrows(
      () => api.report({ head: [head[0], { path: "broken.yaml", text: 42 }] }),
      {
        kind: "invalid-request",
        field: "head[1].text",
        file: "broken.yaml",
        message: /head\[1\]\.text.*expected a string/,
      },
    );
    assert.equal(
      e.line,
      undefined,
      "no line: the request, not the file's text, is wrong",
    );

    await assertThrows(() => api.report("kind: Pod"), {
      kind: "invalid-request",
      message: /expected an object, got a string/,
    });
    await assertThrows(() => api.report({ head, optoins: {} }), {
      kind: "invalid-request",
      field: "optoins",
    });
    await assertThrows(
      () => api.report({ head, options: { namespaces: "shop" } }),
      {
        kind: "invalid-option",
        field: "options.namespaces",
        message: /unknown field `namespaces`/,
      },
    );
    await assertThrows(
      () => api.report({ head, options: { clusterCidrs: "10.0.0.0/8" } }),
      {
        kind: "invalid-option",
        field: "options.clusterCidrs",
      },
    );
    await assertThrows(() => api.renderReport({ head }, "html"), {
      kind: "unknown-format",
      message: /"html".*analysis-json/,
    });
    await assertThrows(() => api.renderReport({ head }, undefined), {
      kind: "unknown-format",
    });
    await assertThrows(
      () => api.renderReport({ head }, "md", { maxchars: 10 }),
      { kind: "invalid-option", field: "maxchars" },
    );
    await assertThrows(
      () => api.renderReport({ head }, "md", { maxChars: "big" }),
      { kind: "invalid-option", field: "maxChars" },
    );
    await assertThrows(
      () => api.explain({ files: head, query: { from: PROMETHEUS } }),
      {
        kind: "invalid-request",
        field: "query",
        message: /missing field `to`/,
      },
    );
    await assertThrows(
      () =>
        api.explain({
          files: head,
          query: { from: PROMETHEUS, to: POSTGRES, protocol: "HTTP" },
        }),
      {
        kind: "invalid-request",
        field: "query.protocol",
      },
    );
  });

  test("explain() errors name the endpoint problem", async () => {
    await assertThrows(
      () =>
        api.explain({
          files: head,
          query: { from: "shop/nope", to: POSTGRES },
        }),
      {
        kind: "unknown-endpoint",
        message: /"shop\/nope"/,
      },
    );
    await assertThrows(
      () =>
        api.explain({ files: head, query: { from: "1.2.3.4", to: "8.8.8.8" } }),
      { kind: "both-external" },
    );
    const twins = [
      {
        path: "twins.yaml",
        text: ["a", "b"]
          .map(
            (ns) =>
              `apiVersion: v1\nkind: Pod\nmetadata: {name: api, namespace: ${ns}, labels: {app: api}}\nspec: {containers: [{name: c, image: x}]}\n`,
          )
          .join("---\n"),
      },
    ];
    await assertThrows(
      () => api.explain({ files: twins, query: { from: "api", to: "a/api" } }),
      {
        kind: "ambiguous-endpoint",
        message: /a\/Pod\/api.*b\/Pod\/api/,
      },
    );
  });

  test("malformed YAML is a diagnostic, not a throw; the rest is still analysed", async () => {
    const report = await api.report({
      head: [...head, { path: "bad.yaml", text: "kind: [unclosed\n" }],
    });
    assertReportShape(report);
    assert.equal(report.summary.inputErrors, 1);
    const [d] = report.diagnostics;
    assert.equal(d.side, "head");
    assert.equal(d.severity, "error");
    assert.equal(d.code, "yaml-syntax");
    assert.equal(d.location.path, "bad.yaml");
    assert.ok(d.location.line >= 1);
    assert.equal(
      report.summary.workloads,
      (await api.report({ head })).summary.workloads,
    );
  });

  test("options reach the core; undefined and null members take their defaults", async () => {
    const pod = {
      path: "pod.yaml",
      text: "apiVersion: v1\nkind: Pod\nmetadata: {name: solo}\nspec: {containers: [{name: c, image: x}]}\n",
    };
    const ids = async (request) =>
      (await api.report(request)).analysis.endpoints
        .filter((e) => e.type === "workload")
        .map((e) => e.id);
    assert.deepEqual(await ids({ head: [pod] }), ["default/Pod/solo"]);
    assert.deepEqual(
      await ids({ head: [pod], options: { namespace: "team-a" } }),
      ["team-a/Pod/solo"],
    );
    assert.deepEqual(
      await ids({
        base: undefined,
        head: [pod],
        options: { namespace: undefined, clusterCidrs: null },
      }),
      ["default/Pod/solo"],
    );
    assert.deepEqual(await ids({ head: [pod], options: null }), [
      "default/Pod/solo",
    ]);
  });

  test("check() holds the manifests to expectations and a lock; shapes match index.d.ts", async () => {
    const expectations = {
      path: "netreach.yaml",
      text: fs.readFileSync(
        path.join(PACKAGE_DIR, "..", "examples", "shop", "netreach.yaml"),
        "utf8",
      ),
    };
    const lockText = await api.snapshot({ files: base });
    assert.equal(typeof lockText, "string");
    assert.equal(JSON.parse(lockText).version, 1);
    const lock = { path: "netreach.lock.json", text: lockText };

    const passed = await api.check({ files: base, expectations, lock });
    assertCheckShape(passed);
    assert.equal(passed.passed, true);
    assert.equal(passed.lock.clean, true);

    const failed = await api.check({ files: head, expectations, lock });
    assertCheckShape(failed);
    assert.equal(failed.passed, false);
    assert.equal(failed.summary.expectationsFailed, 4);
    assert.equal(failed.lock.clean, false);
    const broken = failed.expectations.results.find((r) => !r.passed);
    assert.equal(broken.name, "storefront reaches cart");
    assert.equal(broken.location.path, "netreach.yaml");

    const onlyLock = await api.check({ files: head, lock });
    assert.equal(onlyLock.expectations, null);

    const md = await api.renderCheck({ files: head, expectations, lock }, "md");
    assert.match(md, /^### ❌ netreach check/);
    assert.match(md, /storefront reaches cart/);
    assert.match(md, /```diff\n/);
    const text = await api.renderCheck(
      { files: head, expectations, lock },
      "text",
    );
    assert.match(text, /^netreach check: FAIL/);
    const json = await api.renderCheck(
      { files: head, expectations, lock },
      "json",
    );
    assert.deepEqual(JSON.parse(json), shopOf(failed));
    await assertThrows(() => api.renderCheck({ files: head, lock }, "html"), {
      kind: "unknown-format",
    });
  });

  test("check() throws for unusable expectations and lock files with file and line", async () => {
    const e = await assertThrows(
      () =>
        api.check({
          files: base,
          expectations: {
            path: "bad.yaml",
            text: "version: 1\nexpectations:\n  - name: x\n    from: a/b\n    to: c/d\n    allow: 53\n",
          },
        }),
      { kind: "invalid-expectations", file: "bad.yaml" },
    );
    assert.ok(Number.isInteger(e.line) && e.line >= 1);
    assert.ok(e.message.startsWith(`bad.yaml:${e.line}: `), e.message);
    await assertThrows(
      () =>
        api.check({
          files: base,
          lock: { path: "l.json", text: "{not json" },
        }),
      { kind: "lock-syntax", file: "l.json", line: 1 },
    );
    await assertThrows(() => api.check({ files: base, lokc: {} }), {
      kind: "invalid-request",
      field: "lokc",
    });
    await assertThrows(() => api.snapshot({ head: base }), {
      kind: "invalid-request",
    });
  });

  test("the same input gives the same output", async () => {
    const again = await api.report({ base, head });
    assert.equal(JSON.stringify(again), JSON.stringify(shop));
    const md = await api.renderReport({ base, head }, "markdown");
    assert.equal(await api.renderReport({ base, head }, "markdown"), md);
  });
});

describe(`${target.name} entry specifics`, () => {
  if (target.name === "node") {
    test("the Node entry is ready on import; init() is accepted and does nothing", async () => {
      const module = await import("netreach");
      assert.equal(typeof module.init, "function");
      await module.init();
      assert.equal(typeof module.version(), "string");
    });
  } else {
    test("the browser build gives exactly the Node build's answers", async () => {
      const node = await import("netreach");
      assert.deepEqual(
        shopOf(node.report({ base, head })),
        shopOf(await api.report({ base, head })),
      );
      for (const format of [
        "markdown",
        "text",
        "json",
        "sarif",
        "csv",
        "dot",
        "analysis-json",
        "connections",
      ]) {
        assert.equal(
          await api.renderReport({ base, head }, format),
          node.renderReport({ base, head }, format),
          format,
        );
      }
      const query = { from: PROMETHEUS, to: POSTGRES, port: 9187 };
      assert.deepEqual(
        await api.explain({ files: head, query }),
        node.explain({ files: head, query }),
      );
    });

    test("calling the API before init() throws a clear Error", async () => {
      const page = await target.browser.newPage({ init: false });
      await assertThrows(
        () => target.browser.call("report", [{ head }], page),
        {
          kind: "not-initialized",
          message: /await init\(\)/,
        },
      );
      // init() is idempotent and makes the API usable.
      await page.evaluate(() =>
        Promise.all([window.netreach.init(), window.netreach.init()]),
      );
      assert.equal(
        await target.browser.call("version", [], page),
        await api.version(),
      );
      await page.close();
    });

    test("the page logged no errors or warnings", () => {
      assert.deepEqual(target.browser.errors, []);
    });
  }
});

/** A report as plain JSON data (drops nothing; normalises for deepEqual across realms). */
function shopOf(report) {
  return JSON.parse(JSON.stringify(report));
}
