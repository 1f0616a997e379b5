// End-to-end tests of the playground: build it with Vite, serve playground/dist, drive Chromium.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { bigScenario } from "./playground-gen.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dist = path.join(root, "playground", "dist");
// The committed screenshots (playground/screenshots/, shown in the docs) are rewritten only on
// request; a plain test run keeps its pictures under target/ so the tree stays clean.
const shots = process.env.NETREACH_UPDATE_SCREENSHOTS
  ? path.join(root, "playground", "screenshots")
  : path.join(root, "target", "playground-screenshots");
const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
};

let server;
let browser;
let origin;

before(async () => {
  execFileSync(
    process.execPath,
    [
      path.join(root, "node_modules", "vite", "bin", "vite.js"),
      "build",
      "playground",
      "--logLevel",
      "warn",
    ],
    {
      cwd: root,
      stdio: "inherit",
    },
  );
  server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    let file = path.normalize(
      path.join(dist, decodeURIComponent(url.pathname)),
    );
    if (!file.startsWith(dist)) {
      res.writeHead(403).end();
      return;
    }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory())
      file = path.join(file, "index.html");
    fs.readFile(file, (err, data) => {
      if (err) {
        res.writeHead(404).end("not found");
        return;
      }
      res.writeHead(200, {
        "content-type": MIME[path.extname(file)] ?? "application/octet-stream",
      });
      res.end(data);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  fs.mkdirSync(shots, { recursive: true });
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
});

async function openPage(
  url = `${origin}/`,
  viewport = { width: 1280, height: 800 },
) {
  const page = await browser.newPage({ viewport });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e));
  await page.goto(url);
  await waitForAnalyses(page, 1);
  return { page, errors };
}
const analyses = (page) =>
  page.evaluate(() => Number(document.body.dataset.analyses ?? 0));
async function waitForAnalyses(page, n) {
  await page.waitForFunction(
    (n) =>
      Number(document.body.dataset.analyses ?? 0) >= n &&
      !document.body.dataset.busy,
    n,
    { timeout: 60000 },
  );
}
const shot = (page, name) =>
  page.screenshot({ path: path.join(shots, `${name}.png`) });
/** Replaces an editor's text the way typing would (an ordinary CodeMirror transaction). */
const setEditor = (page, side, text) =>
  page.evaluate(
    ([side, text]) => {
      const v = window.__playground.editors[side];
      v.dispatch({
        changes: { from: 0, to: v.state.doc.length, insert: text },
      });
    },
    [side, text],
  );
const editorText = (page, side) =>
  page.evaluate(
    (side) => window.__playground.editors[side].state.doc.toString(),
    side,
  );
const PROM = "monitoring/Deployment/prometheus";
const PG = "shop-data/StatefulSet/postgres";
const cellSel = (from, to) =>
  `#matrix td[data-from="${from}"][data-to="${to}"]`;

test("loads the shop example and shows the diff", async () => {
  const { page, errors } = await openPage();
  const diff = page
    .locator("#view-diff .exposures li", { hasText: PROM })
    .filter({ hasText: PG });
  await diff.first().waitFor();
  assert.match(await diff.first().textContent(), /TCP 5432/);
  assert.match(
    await page.textContent("#status"),
    /Analysed 11 workloads, \d+ policies in \d+ ms/,
  );
  const ttfa = await page.evaluate(
    () =>
      performance.getEntriesByName("netreach:time-to-first-analysis")[0]
        ?.duration,
  );
  assert.ok(ttfa > 0);
  console.log(
    `# time to first analysis of the shop example: ${Math.round(ttfa)} ms`,
  );
  await shot(page, "diff");
  await page.click("#tab-graph");
  await page.waitForFunction(
    () => window.__playground.cy && window.__playground.cy.edges().length > 0,
  );
  const edgeClasses = await page.evaluate(() =>
    window.__playground.cy.edges().map((e) => e.classes().join(" ")),
  );
  assert.ok(edgeClasses.includes("added") && edgeClasses.includes("removed"));
  await page.waitForTimeout(300);
  await shot(page, "graph");
  // Clicking an edge explains that pair.
  await page.evaluate(
    ([from, to]) =>
      window.__playground.cy
        .edges()
        .filter((e) => e.data("from") === from && e.data("to") === to)
        .emit("tap"),
    [PROM, PG],
  );
  await page
    .locator("#explain .side[data-side=head] .verdict.allowed")
    .first()
    .waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test("editing the head updates the matrix and the diff", async () => {
  const { page } = await openPage();
  await page.click("#tab-matrix");
  await page.locator(cellSel(PROM, PG)).waitFor();
  assert.match(
    await page.getAttribute(cellSel(PROM, PG), "class"),
    /\badded\b/,
  );
  const before = await analyses(page);
  // Deny all egress from monitoring: prometheus loses every connection.
  const head = await editorText(page, "head");
  await setEditor(
    page,
    "head",
    head +
      "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny-egress\n  namespace: monitoring\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n",
  );
  await waitForAnalyses(page, before + 1);
  assert.match(
    await page.getAttribute(cellSel(PROM, PG), "class"),
    /\bremoved\b/,
  );
  await page.click("#tab-diff");
  const text = await page.textContent("#view-diff");
  assert.ok(
    !/Newly allowed[^]*prometheus[^]*→/.test(text.split("Newly blocked")[0]),
    "prometheus exposure gone",
  );
  await page
    .locator("#view-diff .breakages li", { hasText: PROM })
    .filter({ hasText: PG })
    .first()
    .waitFor();
  await page.close();
});

test("clicking a matrix cell explains the pair and jumps the editor to the rule", async () => {
  const { page } = await openPage();
  await page.click("#tab-matrix");
  await page.click(cellSel(PROM, PG));
  const verdict = page.locator("#explain .side[data-side=head] h3 .verdict");
  await verdict.waitFor();
  assert.equal(await verdict.textContent(), "allowed");
  await shot(page, "matrix");
  const decision = page
    .locator('#explain .side[data-side=head] .decision[data-side="head"]')
    .last();
  const line = Number(await decision.getAttribute("data-line"));
  assert.ok(line > 1);
  await decision.click();
  const sel = await page.evaluate(() => {
    const v = window.__playground.editors.head;
    const r = v.state.selection.main;
    return {
      line: v.state.doc.lineAt(r.from).number,
      text: v.state.sliceDoc(r.from, r.to),
      focused: v.hasFocus,
    };
  });
  assert.equal(sel.line, line);
  assert.ok(sel.text.trim().length > 0 && sel.focused);
  await page.waitForTimeout(100);
  await shot(page, "explain");
  // Keyboard: cells are focusable and Enter explains.
  await page.focus(cellSel(PG, PROM));
  await page.keyboard.press("Enter");
  await page.locator("#explain p code", { hasText: PG }).first().waitFor();
  await page.close();
});

test("a share link restores the scenario in a fresh page", async () => {
  const { page } = await openPage();
  await page.click("#tab-matrix");
  await setEditor(
    page,
    "base",
    "# shared base\n" + (await editorText(page, "base")),
  );
  await page.waitForFunction(
    () => location.hash.startsWith("#v1:") && location.hash.length > 100,
  );
  await page.waitForTimeout(700); // the throttled replaceState
  const url = await page.evaluate(() => location.href);
  const base = await editorText(page, "base");
  const head = await editorText(page, "head");
  await page.close();
  const { page: fresh } = await openPage(url);
  assert.equal(await editorText(fresh, "base"), base);
  assert.equal(await editorText(fresh, "head"), head);
  assert.equal(
    await fresh.getAttribute("#tab-matrix", "aria-selected"),
    "true",
  );
  assert.ok(await fresh.isVisible("#view-matrix"));
  await fresh.close();
});

test("malformed YAML shows an inline error without breaking the page", async () => {
  const { page, errors } = await openPage();
  const before = await analyses(page);
  await setEditor(
    page,
    "head",
    "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: [broken\n",
  );
  await waitForAnalyses(page, before + 1);
  await page.locator("#head-editor .cm-lint-marker-error").first().waitFor();
  assert.ok(
    (await page.locator("#head-editor .cm-lintRange-error").count()) > 0,
  );
  assert.match(await page.textContent("#view-diff .diagnostics"), /yaml/i);
  await shot(page, "malformed");
  await page.click("#tab-matrix");
  await page.click("#tab-diff");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a 2,000-workload input keeps the page responsive", async () => {
  const { page, errors } = await openPage();
  const base = bigScenario(2000, 50);
  const head = base.replace("tier: inner", "tier: edge");
  const before = await analyses(page);
  const t0 = Date.now();
  await page.evaluate(
    ([b, h]) => window.__playground.load(b, h, "matrix"),
    [base, head],
  );
  await page.waitForFunction(
    () => document.body.dataset.busy === "true",
    null,
    { timeout: 10000 },
  );
  assert.equal(await page.evaluate(() => 1), 1); // the main thread answers while the worker analyses
  await waitForAnalyses(page, before + 1);
  console.log(
    `# 2,000 workloads: analysed and rendered in ${Date.now() - t0} ms`,
  );
  assert.match(await page.textContent("#status"), /Analysed 2000 workloads/);
  assert.ok((await page.locator("#matrix .ns-toggle").count()) >= 50); // collapsed by namespace (+ external)
  assert.equal(
    await page.locator('#matrix .ns-toggle[aria-expanded="true"]').count(),
    0,
  );
  await shot(page, "matrix-2000");
  await page.click("#tab-graph");
  await page.waitForFunction(
    () => window.__playground.cy?.nodes().length >= 50,
  );
  await shot(page, "graph-2000");
  assert.deepEqual(errors, []);
  await page.close();
});

test("narrow screens stack the panes", async () => {
  const { page } = await openPage(`${origin}/`, { width: 420, height: 900 });
  const e = await page.locator(".editors").boundingBox();
  const r = await page.locator(".results").boundingBox();
  assert.ok(r.y >= e.y + e.height - 1, "results below the editors");
  await shot(page, "narrow");
  await page.close();
});
