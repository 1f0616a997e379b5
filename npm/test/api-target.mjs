// Which build the API tests run against: NETREACH_TARGET=node (default) imports the package's
// Node entry; NETREACH_TARGET=browser serves npm/ on 127.0.0.1, opens the browser entry in
// headless Chromium (playwright-core) and runs every call in the page. Either way the tests
// see the same async facade, so one suite covers both builds and they cannot drift.
//
// This file only exports helpers (importing it has no side effects), so `node --test test/`
// picking it up as a test file is harmless.

import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The npm package's directory. */
export const PACKAGE_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "..",
);
/** The repository root. */
export const REPO_DIR = path.resolve(PACKAGE_DIR, "..");

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

const API = [
  "version",
  "report",
  "renderReport",
  "renderReports",
  "explain",
  "check",
  "renderCheck",
  "snapshot",
];

/**
 * Opens the target named by NETREACH_TARGET.
 * @returns {Promise<{name: string, api: Record<string, (...args: any[]) => Promise<any>>, browser?: BrowserTarget, close(): Promise<void>}>}
 */
export async function openTarget(name = process.env.NETREACH_TARGET ?? "node") {
  if (name === "node") {
    const module = await import("netreach");
    const api = Object.fromEntries(
      API.map((fn) => [fn, async (...args) => module[fn](...args)]),
    );
    return { name, api, module, close: async () => {} };
  }
  if (name === "browser") {
    const browser = await BrowserTarget.open();
    const api = Object.fromEntries(
      API.map((fn) => [fn, (...args) => browser.call(fn, args)]),
    );
    return { name, api, browser, close: () => browser.close() };
  }
  throw new Error(
    `NETREACH_TARGET must be "node" or "browser", not ${JSON.stringify(name)}`,
  );
}

/** The page that loads the browser entry; `?init=0` leaves it uninitialised. */
const HARNESS = `<!doctype html>
<meta charset="utf-8">
<title>netreach API tests</title>
<script type="module">
  import * as netreach from "/browser.js";
  window.netreach = netreach;
  if (new URLSearchParams(location.search).get("init") !== "0") await netreach.init();
  window.netreachReady = true;
</script>`;

const TYPES = {
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".ts": "text/plain",
  ".md": "text/markdown",
  ".html": "text/html",
};

/** Serves the package directory read-only, plus the harness page. */
function serve(root) {
  const server = http.createServer((request, response) => {
    const url = new URL(request.url, "http://127.0.0.1");
    if (url.pathname === "/favicon.ico") {
      response.writeHead(204).end();
      return;
    }
    if (url.pathname === "/harness.html") {
      response.writeHead(200, { "content-type": "text/html" }).end(HARNESS);
      return;
    }
    const file = path.resolve(root, `.${decodeURIComponent(url.pathname)}`);
    if (
      !file.startsWith(root + path.sep) ||
      !fs.existsSync(file) ||
      !fs.statSync(file).isFile()
    ) {
      response.writeHead(404).end("not found");
      return;
    }
    const type = TYPES[path.extname(file)] ?? "application/octet-stream";
    response.writeHead(200, { "content-type": type });
    fs.createReadStream(file).pipe(response);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

export class BrowserTarget {
  static async open() {
    const { chromium } = await import("playwright-core");
    const server = await serve(PACKAGE_DIR);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    const target = new BrowserTarget(server, browser);
    target.page = await target.newPage();
    return target;
  }

  constructor(server, browser) {
    this.server = server;
    this.browser = browser;
    this.origin = `http://127.0.0.1:${server.address().port}`;
    /** Console errors and page errors seen so far (a test can assert there were none). */
    this.errors = [];
  }

  /** A fresh page with the harness loaded (`init: false`: without calling `init()`). */
  async newPage({ init = true } = {}) {
    const page = await this.browser.newPage();
    page.on("pageerror", (error) => this.errors.push(String(error)));
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning")
        this.errors.push(message.text());
    });
    await page.goto(`${this.origin}/harness.html${init ? "" : "?init=0"}`);
    await page.waitForFunction(() => window.netreachReady === true);
    return page;
  }

  /** Calls `netreach[fn](...args)` in `page`; a thrown error is rebuilt here with its properties. */
  async call(fn, args, page = this.page) {
    const outcome = await page.evaluate(
      async ([fn, args]) => {
        try {
          return { value: await window.netreach[fn](...args) };
        } catch (error) {
          const props = {};
          for (const key of Object.keys(error)) props[key] = error[key];
          return {
            error: {
              ...props,
              name: error.name,
              message: error.message,
              isError: error instanceof Error,
            },
          };
        }
      },
      [fn, args],
    );
    if ("error" in outcome) {
      const { isError, ...props } = outcome.error;
      throw isError ? Object.assign(new Error(props.message), props) : props;
    }
    return outcome.value;
  }

  async close() {
    await this.browser.close();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** The files of a directory as `{path, text}` (path relative to the repository root). */
export function readDir(dir) {
  const full = path.resolve(REPO_DIR, dir);
  return fs
    .readdirSync(full)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => ({
      path: `${dir}/${name}`,
      text: fs.readFileSync(path.join(full, name), "utf8"),
    }));
}

/**
 * The members an interface in index.d.ts declares: `{required, optional}` key sets. Only
 * `name: type` / `name?: type` lines at the interface's top level are read, plus the members
 * of interfaces it `extends`.
 */
export function declaredKeys(
  name,
  source = fs.readFileSync(path.join(PACKAGE_DIR, "index.d.ts"), "utf8"),
) {
  const start = source.search(new RegExp(`^export interface ${name}\\b`, "m"));
  if (start < 0) throw new Error(`index.d.ts declares no interface ${name}`);
  const header = source.slice(start, source.indexOf("{", start));
  const body = source.slice(
    source.indexOf("{", start) + 1,
    source.indexOf("\n}", start),
  );
  const required = new Set();
  const optional = new Set();
  for (const line of body.split("\n")) {
    const member = /^ {2}([A-Za-z_$][\w$]*)(\?)?:/.exec(line);
    if (member) (member[2] ? optional : required).add(member[1]);
  }
  const parent = /extends\s+([A-Za-z_$][\w$]*)/.exec(header);
  if (parent) {
    const inherited = declaredKeys(parent[1], source);
    inherited.required.forEach((k) => required.add(k));
    inherited.optional.forEach((k) => optional.add(k));
  }
  return { required, optional };
}
