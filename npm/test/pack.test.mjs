// The package as users get it: `npm pack`, install the tarball into an empty directory
// (offline: the package has no runtime dependencies), import it by name and run a report.
// Needs npm/pkg (scripts/build-wasm.sh).

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";

import { PACKAGE_DIR } from "./api-target.mjs";

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const temp = fs.mkdtempSync(path.join(os.tmpdir(), "netreach-pack-"));
after(() => fs.rmSync(temp, { recursive: true, force: true }));

const run = (command, args, cwd) =>
  execFileSync(command, args, {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, npm_config_loglevel: "error" },
  });

test("npm pack → npm install → import('netreach') runs a report", () => {
  const [packed] = JSON.parse(
    run(npm, ["pack", "--json", "--pack-destination", temp], PACKAGE_DIR),
  );
  const files = packed.files.map((f) => f.path);
  for (const file of [
    "package.json",
    "README.md",
    "index.d.ts",
    "node.js",
    "browser.js",
    "lib/api.js",
    "pkg/netreach.js",
    "pkg/netreach_bg.wasm",
  ]) {
    assert.ok(files.includes(file), `the tarball has ${file}`);
  }
  assert.deepEqual(
    files.filter(
      (f) =>
        f.startsWith("test/") ||
        f.startsWith("pkg/.") ||
        (f.endsWith(".d.ts") && f !== "index.d.ts"),
    ),
    [],
    "no tests, dotfiles or generated typings in the tarball",
  );

  const app = path.join(temp, "app");
  fs.mkdirSync(app);
  fs.writeFileSync(
    path.join(app, "package.json"),
    JSON.stringify({ name: "app", private: true, type: "module" }),
  );
  run(
    npm,
    [
      "install",
      "--offline",
      "--no-audit",
      "--no-fund",
      path.join(temp, packed.filename),
    ],
    app,
  );

  const script = `
    import("netreach").then((m) => {
      const pod = (ns) => ({ path: ns + ".yaml", text: "apiVersion: v1\\nkind: Pod\\nmetadata: {name: web, namespace: " + ns + "}\\nspec: {containers: [{name: c, image: x}]}\\n" });
      const r = m.report({ base: [pod("a")], head: [pod("a"), pod("b")] });
      console.log(JSON.stringify({ version: m.version(), summary: r.summary, md: m.renderReport({ head: [pod("a")] }, "md").slice(0, 11) }));
    });`;
  const out = JSON.parse(run(process.execPath, ["-e", script], app));
  assert.equal(
    out.version,
    JSON.parse(fs.readFileSync(path.join(PACKAGE_DIR, "package.json"), "utf8"))
      .version,
  );
  assert.equal(out.summary.workloads, 2);
  assert.equal(out.summary.addedEndpoints, 1);
  assert.equal(out.md, "## netreach");

  // The types are found through the package's `types` condition.
  const installed = JSON.parse(
    fs.readFileSync(
      path.join(app, "node_modules/netreach/package.json"),
      "utf8",
    ),
  );
  assert.equal(installed.exports["."].types, "./index.d.ts");
  assert.ok(fs.existsSync(path.join(app, "node_modules/netreach/index.d.ts")));
});
