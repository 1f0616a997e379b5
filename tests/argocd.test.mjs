// The Argo CD integration in argocd/: the Config Management Plugin's generate command, its
// plugin.yaml, the install manifests and the PreSync-hook alternative.
//
//   node --test tests/argocd.test.mjs
//
// generate.mjs is run the way argocd-cmp-server runs it: cwd = the app directory inside a copy of
// the repository, ARGOCD_APP_* build variables, ARGOCD_ENV_* from the Application's plugin.env,
// and the parameters both as ARGOCD_APP_PARAMETERS (JSON) and as PARAM_* variables. Rendering
// uses the real kubectl and helm (tests/tools/k8s-tools.mjs); checks use the real netreach CLI.
// Everything runs offline.

import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { yamlToObjects as kubectlObjects } from "./helpers/kubectl-objects.mjs";
import { ensureK8sTools, hermeticEnv } from "./tools/k8s-tools.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const ARGOCD = path.join(ROOT, "argocd");
const GENERATE = path.join(ARGOCD, "generate.mjs");
const NETREACH_BIN = path.join(ROOT, "npm", "bin", "netreach.js");
const EXAMPLES = path.join(ROOT, "examples");
const NAMESPACE = "shop";

let tools;
let scratch;
let toolEnvironment;
let repoCount = 0;

before(async () => {
  tools = await ensureK8sTools();
  scratch = mkdtempSync(path.join(tmpdir(), "netreach-argocd-"));
  toolEnvironment = hermeticEnv(scratch);
});

after(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// Helpers

/** A fresh repository holding `source` at apps/<name>; returns the app directory. */
function appFrom(source, name = "shop", extra = {}) {
  const repo = path.join(scratch, `repo-${++repoCount}`);
  const app = path.join(repo, "apps", name);
  mkdirSync(app, { recursive: true });
  if (source) cpSync(source, app, { recursive: true });
  for (const [file, text] of Object.entries(extra)) {
    writeFileSync(path.join(app, file), text);
  }
  return app;
}

/** PARAM_* variables the way Argo CD derives them from the parameters. */
function paramEnv(parameters) {
  const env = {};
  const name = (s) => s.toUpperCase().replace(/[^A-Z0-9]/g, "_");
  for (const p of parameters) {
    const key = `PARAM_${name(p.name)}`;
    if (p.string !== undefined) env[key] = p.string;
    if (p.array) p.array.forEach((v, i) => (env[`${key}_${i}`] = v));
    if (p.map) {
      for (const [k, v] of Object.entries(p.map)) env[`${key}_${name(k)}`] = v;
    }
  }
  return env;
}

/**
 * Runs generate.mjs like argocd-cmp-server. `parameters` go to both ARGOCD_APP_PARAMETERS and
 * PARAM_*; `paramsAsEnvOnly` sends only PARAM_*; `env` adds variables (ARGOCD_ENV_* …).
 */
function generate(
  app,
  { parameters = [], paramsAsEnvOnly = false, env = {}, PATH } = {},
) {
  const repo = path.dirname(path.dirname(app));
  const fullEnv = {
    PATH: PATH ?? `${tools.binDir}${path.delimiter}/usr/bin:/bin`,
    HOME: scratch,
    ARGOCD_APP_NAME: "shop",
    ARGOCD_APP_NAMESPACE: NAMESPACE,
    ARGOCD_APP_REVISION: "0123456789abcdef0123456789abcdef01234567",
    ARGOCD_APP_SOURCE_PATH: path.relative(repo, app),
    ARGOCD_APP_SOURCE_REPO_URL: "https://example.invalid/shop-deploy.git",
    ARGOCD_APP_SOURCE_TARGET_REVISION: "main",
    NETREACH_BIN,
    ...paramEnv(parameters),
    ...env,
  };
  if (!paramsAsEnvOnly && parameters.length) {
    fullEnv.ARGOCD_APP_PARAMETERS = JSON.stringify(parameters);
  }
  const r = spawnSync(process.execPath, [GENERATE], {
    cwd: app,
    env: fullEnv,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function runTool(bin, args, { input, cwd } = {}) {
  return execFileSync(bin, args, {
    cwd,
    env: toolEnvironment,
    input,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    stdio: ["pipe", "pipe", "pipe"],
  });
}

/** Plain manifests as one stream: files in byte order of their paths, `---` between them. */
function concatenated(dir, skip = ["netreach.yaml", "netreach.lock.json"]) {
  const files = [];
  const walk = (abs, rel) => {
    for (const e of readdirSync(abs, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(abs, e.name), r);
      else if (/\.(ya?ml|json)$/.test(e.name) && !skip.includes(r))
        files.push(r);
    }
  };
  walk(dir, "");
  files.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return files
    .map((f) => {
      const t = readFileSync(path.join(dir, f), "utf8");
      return t.endsWith("\n") ? t : `${t}\n`;
    })
    .join("---\n");
}

/** YAML stream → objects, parsed by kubectl without a cluster. */
function yamlToObjects(yamlText) {
  return kubectlObjects(tools.kubectl, yamlText, toolEnvironment);
}

/** Enforce-mode failure: non-zero, nothing at all on stdout, a message on stderr. */
function assertBlocked(r, status, ...patterns) {
  assert.equal(r.status, status, `exit status; stderr:\n${r.stderr}`);
  assert.equal(r.stdout, "", "nothing may reach stdout on failure");
  assert.match(r.stderr, /nothing was generated/);
  for (const p of patterns) assert.match(r.stderr, p);
}

const BAD_CIDR = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: bad-cidr
  namespace: shop-core
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to:
        - ipBlock:
            cidr: 10.0.0.300/8
`;

const EXPECTATIONS = readFileSync(
  path.join(EXAMPLES, "shop", "netreach.yaml"),
  "utf8",
);

// ---------------------------------------------------------------------------------------------
// Generating: the manifests pass through unchanged

describe("generate: passing apps print exactly the rendered stream", () => {
  test("plain YAML with expectations: the files, concatenated; netreach.yaml is not a manifest", () => {
    const app = appFrom(path.join(EXAMPLES, "shop", "base"), "shop", {
      "netreach.yaml": EXPECTATIONS,
    });
    const r = generate(app);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, concatenated(app));
    // Every object of the directory, and nothing else.
    const fromDir = yamlToObjects(
      concatenated(path.join(EXAMPLES, "shop", "base")),
    );
    assert.deepEqual(yamlToObjects(r.stdout), fromDir);
  });

  test("Kustomize: byte for byte what `kubectl kustomize .` prints", () => {
    const app = appFrom(path.join(EXAMPLES, "shop-kustomize", "base"), "shop", {
      "netreach.yaml": EXPECTATIONS,
    });
    const r = generate(app, {
      parameters: [{ name: "render", string: "kustomize" }],
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, runTool(tools.kubectl, ["kustomize", app]));
  });

  test("Helm: `helm template` with the release, namespace, values and set parameters", () => {
    const app = appFrom(path.join(EXAMPLES, "shop-helm", "base"), "shop", {
      "netreach.yaml": EXPECTATIONS,
      "values-prod.yaml": "replicas:\n  storefront: 5\n",
    });
    const parameters = [
      { name: "values", array: ["values-prod.yaml"] },
      { name: "set", map: { "image.tag": "2.0.0" } },
      { name: "release", string: "shop-prod" },
    ];
    const r = generate(app, { parameters });
    assert.equal(r.status, 0, r.stderr);
    const expected = runTool(
      tools.helm,
      [
        "template",
        "shop-prod",
        ".",
        "--include-crds",
        "--namespace",
        NAMESPACE,
        "--values",
        "values-prod.yaml",
        "--set",
        "image.tag=2.0.0",
      ],
      { cwd: app },
    );
    assert.equal(r.stdout, expected);
    assert.match(r.stdout, /replicas: 5/);
    assert.match(r.stdout, /:2\.0\.0/);
  });

  test("a lock taken from the same manifests compares clean", () => {
    const base = path.join(EXAMPLES, "shop", "base");
    const lock = path.join(scratch, "base.lock.json");
    execFileSync(process.execPath, [
      NETREACH_BIN,
      "snapshot",
      base,
      "--render",
      "none",
      "--namespace",
      NAMESPACE,
      "--output",
      lock,
    ]);
    const app = appFrom(base, "shop", {
      "netreach.lock.json": readFileSync(lock, "utf8"),
    });
    const r = generate(app, {
      parameters: [{ name: "fail-on-lint", string: "true" }],
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, concatenated(app));
  });

  test("no netreach files and no lint gate: rendering only", () => {
    const app = appFrom(path.join(EXAMPLES, "shop", "base"));
    const r = generate(app, {
      env: { NETREACH_BIN: "/nonexistent/netreach.js" },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, concatenated(app));
  });
});

// ---------------------------------------------------------------------------------------------
// Failing: enforce blocks with nothing on stdout

describe("generate: failures in enforce mode print nothing on stdout", () => {
  test("broken expectation: exit 1, names the expectation and its file:line", () => {
    const app = appFrom(path.join(EXAMPLES, "shop", "head"), "shop", {
      "netreach.yaml": EXPECTATIONS,
    });
    const r = generate(app);
    assertBlocked(
      r,
      1,
      /blocked \(mode enforce\)/,
      /storefront reaches cart/,
      /netreach\.yaml:8/,
      /policies\.yaml:\d+/,
    );
  });

  test("lock drift: snapshot of base, manifests of head → exit 1, the drift listed", () => {
    const lock = path.join(scratch, "drift.lock.json");
    execFileSync(process.execPath, [
      NETREACH_BIN,
      "snapshot",
      path.join(EXAMPLES, "shop", "base"),
      "--render",
      "none",
      "--namespace",
      NAMESPACE,
      "-o",
      lock,
    ]);
    const app = appFrom(path.join(EXAMPLES, "shop", "head"), "shop", {
      "netreach.lock.json": readFileSync(lock, "utf8"),
    });
    const r = generate(app);
    assertBlocked(
      r,
      1,
      /lock drift/,
      /prometheus → shop-data\/StatefulSet\/postgres/,
    );
  });

  test("lint error with fail-on-lint: exit 1, file:line of the invalid object", () => {
    const app = appFrom(path.join(EXAMPLES, "shop", "base"), "shop", {
      "zz-bad.yaml": BAD_CIDR,
    });
    const r = generate(app, {
      parameters: [{ name: "fail-on-lint", string: "true" }],
    });
    assertBlocked(r, 1, /lint/, /zz-bad\.yaml:12/, /invalid CIDR/);
  });

  test("lint error in rendered Kustomize output points at kustomize-build.yaml:LINE", () => {
    const app = appFrom(path.join(EXAMPLES, "shop-kustomize", "base"));
    writeFileSync(path.join(app, "zz-bad.yaml"), BAD_CIDR);
    const kustomization = readFileSync(
      path.join(app, "kustomization.yaml"),
      "utf8",
    );
    writeFileSync(
      path.join(app, "kustomization.yaml"),
      kustomization.replace(/^resources:\n/m, "resources:\n  - zz-bad.yaml\n"),
    );
    const r = generate(app, {
      parameters: [{ name: "fail-on-lint", string: "true" }],
    });
    assertBlocked(r, 1, /kustomize-build\.yaml:\d+/, /invalid CIDR/);
    assert.doesNotMatch(
      r.stderr,
      /netreach-cmp-/,
      "no temporary paths in the message",
    );
  });

  test("without fail-on-lint the same app passes (lint is opt-in)", () => {
    const app = appFrom(path.join(EXAMPLES, "shop", "base"), "shop", {
      "zz-bad.yaml": BAD_CIDR,
    });
    const r = generate(app);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, concatenated(app));
  });

  test("an unusable expectations file: exit 2 with its file:line", () => {
    const app = appFrom(path.join(EXAMPLES, "shop", "base"), "shop", {
      "netreach.yaml": "version: 1\nexpectations:\n  - name: x\n    frm: a/b\n",
    });
    const r = generate(app);
    assertBlocked(r, 2, /could not run/, /netreach\.yaml:\d+/);
  });

  for (const [label, parameters, pattern] of [
    ["an unknown mode", [{ name: "mode", string: "bogus" }], /mode: "bogus"/],
    [
      "an unknown render mode",
      [{ name: "render", string: "jsonnet" }],
      /render: "jsonnet"/,
    ],
    [
      "an unknown parameter",
      [{ name: "colour", string: "x" }],
      /unknown parameter "colour"/,
    ],
    [
      "a map given as a string",
      [{ name: "set", string: "a=b" }],
      /takes a map/,
    ],
    [
      "fail-on-lint not a boolean",
      [{ name: "fail-on-lint", string: "maybe" }],
      /fail-on-lint/,
    ],
    [
      "values outside the repository",
      [
        { name: "render", string: "helm" },
        { name: "values", array: ["../../../etc/passwd"] },
      ],
      /outside the repository/,
    ],
    [
      "an absolute lock path",
      [{ name: "lock", string: "/etc/passwd" }],
      /relative/,
    ],
    [
      "an expectations file that does not exist",
      [{ name: "expectations", string: "policy/expect.yaml" }],
      /does not exist/,
    ],
    [
      "render=helm without a Chart.yaml",
      [{ name: "render", string: "helm" }],
      /no Chart\.yaml/,
    ],
  ]) {
    test(`invalid input: ${label} → exit 2`, () => {
      const app = appFrom(path.join(EXAMPLES, "shop", "base"));
      assertBlocked(generate(app, { parameters }), 2, pattern);
    });
  }

  test("invalid input: ARGOCD_APP_PARAMETERS that is not JSON → exit 2", () => {
    const app = appFrom(path.join(EXAMPLES, "shop", "base"));
    const r = generate(app, { env: { ARGOCD_APP_PARAMETERS: "[{" } });
    assertBlocked(r, 2, /not valid JSON/);
  });

  test("invalid input: no manifests at all → exit 2, never an empty stream", () => {
    const app = appFrom(null, "shop", { "netreach.yaml": EXPECTATIONS });
    assertBlocked(generate(app), 2, /no manifests/);
    const blank = appFrom(null, "blank", { "empty.yaml": "# nothing\n---\n" });
    assertBlocked(
      generate(blank, { parameters: [{ name: "mode", string: "warn" }] }),
      2,
      /empty/,
    );
  });

  test("invalid input: a chart whose template fails → exit 2 with helm's message", () => {
    const app = appFrom(path.join(EXAMPLES, "shop-helm", "base"));
    writeFileSync(
      path.join(app, "templates", "zz-broken.yaml"),
      '{{ fail "boom" }}\n',
    );
    assertBlocked(generate(app), 2, /helm template failed/, /boom/);
  });

  test("missing renderer: a chart with no helm on PATH → exit 2", () => {
    const bin = path.join(scratch, "bin-kubectl-only");
    mkdirSync(bin, { recursive: true });
    symlinkSync(tools.kubectl, path.join(bin, "kubectl"));
    const app = appFrom(path.join(EXAMPLES, "shop-helm", "base"));
    assertBlocked(generate(app, { PATH: bin }), 2, /helm is not on PATH/);
  });

  test("missing renderer: a Kustomization with neither kubectl nor kustomize → exit 2", () => {
    const bin = path.join(scratch, "bin-empty");
    mkdirSync(bin, { recursive: true });
    const app = appFrom(path.join(EXAMPLES, "shop-kustomize", "base"));
    assertBlocked(
      generate(app, { PATH: bin }),
      2,
      /neither kubectl nor kustomize/,
    );
  });

  test("missing netreach CLI when a check is needed → exit 2", () => {
    const app = appFrom(path.join(EXAMPLES, "shop", "base"), "shop", {
      "netreach.yaml": EXPECTATIONS,
    });
    const r = generate(app, { env: { NETREACH_BIN: "" }, PATH: tools.binDir });
    assertBlocked(r, 2, /netreach CLI not found/);
  });
});

// ---------------------------------------------------------------------------------------------
// warn mode and where the parameters come from

describe("generate: warn mode and parameter sources", () => {
  test("warn (PARAM_MODE only): manifests pass through, findings on stderr", () => {
    const app = appFrom(path.join(EXAMPLES, "shop", "head"), "shop", {
      "netreach.yaml": EXPECTATIONS,
    });
    const r = generate(app, {
      parameters: [{ name: "mode", string: "warn" }],
      paramsAsEnvOnly: true,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, concatenated(app));
    assert.match(r.stderr, /WARNING \(mode warn/);
    assert.match(r.stderr, /storefront reaches cart/);
  });

  test("warn from the Application's plugin.env (ARGOCD_ENV_NETREACH_MODE)", () => {
    const app = appFrom(path.join(EXAMPLES, "shop", "head"), "shop", {
      "netreach.yaml": EXPECTATIONS,
    });
    const r = generate(app, { env: { ARGOCD_ENV_NETREACH_MODE: "warn" } });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, concatenated(app));
    assert.match(r.stderr, /WARNING/);
  });

  test("parameters win over plugin.env", () => {
    const app = appFrom(path.join(EXAMPLES, "shop", "head"), "shop", {
      "netreach.yaml": EXPECTATIONS,
    });
    const r = generate(app, {
      parameters: [{ name: "mode", string: "enforce" }],
      env: { ARGOCD_ENV_NETREACH_MODE: "warn" },
    });
    assertBlocked(r, 1, /blocked/);
  });

  test("Helm values and set from PARAM_* alone (array items, map entries)", () => {
    const app = appFrom(path.join(EXAMPLES, "shop-helm", "base"), "shop", {
      "values-prod.yaml": "replicas:\n  storefront: 7\n",
    });
    const r = generate(app, {
      parameters: [{ name: "values", array: ["values-prod.yaml"] }],
      paramsAsEnvOnly: true,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /replicas: 7/);
  });

  test("a custom expectations path, relative to the app directory", () => {
    const app = appFrom(path.join(EXAMPLES, "shop", "head"));
    mkdirSync(path.join(app, "..", "..", "policy"));
    writeFileSync(
      path.join(app, "..", "..", "policy", "shop.yaml"),
      EXPECTATIONS,
    );
    const r = generate(app, {
      parameters: [{ name: "expectations", string: "../../policy/shop.yaml" }],
    });
    assertBlocked(r, 1, /storefront reaches cart/);
  });
});

// ---------------------------------------------------------------------------------------------
// plugin.yaml and the manifests

function objectsOfFile(file) {
  return yamlToObjects(readFileSync(file, "utf8"));
}

describe("plugin.yaml and install manifests", () => {
  test("plugin.yaml is a ConfigManagementPlugin v2 Argo CD accepts", () => {
    const [plugin] = objectsOfFile(path.join(ARGOCD, "plugin.yaml"));
    assert.equal(plugin.apiVersion, "argoproj.io/v1alpha1");
    assert.equal(plugin.kind, "ConfigManagementPlugin");
    assert.equal(plugin.metadata.name, "netreach");
    // No version: Applications name the plugin `netreach`, not `netreach-<version>`.
    assert.equal(plugin.spec.version, undefined);
    assert.deepEqual(plugin.spec.generate.command, [
      "node",
      "/usr/local/lib/netreach-argocd/generate.mjs",
    ]);
    assert.ok(plugin.spec.discover.fileName || plugin.spec.discover.find);
    const params = Object.fromEntries(
      plugin.spec.parameters.static.map((p) => [p.name, p]),
    );
    assert.deepEqual(Object.keys(params).sort(), [
      "expectations",
      "fail-on-lint",
      "lock",
      "mode",
      "release",
      "render",
      "set",
      "values",
    ]);
    assert.equal(params.values.collectionType, "array");
    assert.equal(params.set.collectionType, "map");
    // The announced defaults are the ones generate.mjs applies.
    assert.equal(params.mode.string, "enforce");
    assert.equal(params.render.string, "auto");
    assert.equal(params.expectations.string, "netreach.yaml");
    assert.equal(params.lock.string, "netreach.lock.json");
    assert.equal(params["fail-on-lint"].string, "false");
  });

  test("the ConfigMap carries plugin.yaml verbatim", () => {
    const [cm] = objectsOfFile(
      path.join(ARGOCD, "install", "sidecar", "plugin-configmap.yaml"),
    );
    assert.equal(cm.kind, "ConfigMap");
    assert.equal(
      cm.data["plugin.yaml"],
      readFileSync(path.join(ARGOCD, "plugin.yaml"), "utf8"),
    );
  });

  test("the sidecar component patches argocd-repo-server as Argo CD requires", () => {
    const dir = path.join(scratch, "install-check");
    mkdirSync(dir, { recursive: true });
    // A stand-in for Argo CD's own repo-server Deployment (it defines var-files and plugins).
    writeFileSync(
      path.join(dir, "repo-server.yaml"),
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: argocd-repo-server}
spec:
  selector: {matchLabels: {app.kubernetes.io/name: argocd-repo-server}}
  template:
    metadata: {labels: {app.kubernetes.io/name: argocd-repo-server}}
    spec:
      containers: [{name: argocd-repo-server, image: quay.io/argoproj/argocd:v3.1.9}]
      volumes: [{name: var-files, emptyDir: {}}, {name: plugins, emptyDir: {}}]
`,
    );
    writeFileSync(
      path.join(dir, "kustomization.yaml"),
      `namespace: argocd\nresources: [repo-server.yaml]\ncomponents: [${path.relative(dir, path.join(ARGOCD, "install", "sidecar"))}]\n`,
    );
    const objects = yamlToObjects(runTool(tools.kubectl, ["kustomize", dir]));
    const deploy = objects.find((o) => o.kind === "Deployment");
    const cm = objects.find((o) => o.kind === "ConfigMap");
    assert.equal(cm.metadata.name, "netreach-cmp-plugin");
    assert.equal(cm.metadata.namespace, "argocd");
    const spec = deploy.spec.template.spec;
    assert.deepEqual(spec.containers.map((c) => c.name).sort(), [
      "argocd-repo-server",
      "netreach",
    ]);
    const sidecar = spec.containers.find((c) => c.name === "netreach");
    assert.deepEqual(sidecar.command, ["/var/run/argocd/argocd-cmp-server"]);
    assert.equal(sidecar.securityContext.runAsNonRoot, true);
    assert.equal(sidecar.securityContext.runAsUser, 999);
    const mounts = Object.fromEntries(
      sidecar.volumeMounts.map((m) => [m.mountPath, m]),
    );
    assert.equal(mounts["/var/run/argocd"].name, "var-files");
    assert.equal(mounts["/home/argocd/cmp-server/plugins"].name, "plugins");
    const config = mounts["/home/argocd/cmp-server/config/plugin.yaml"];
    assert.equal(config.subPath, "plugin.yaml");
    assert.equal(config.name, "netreach-cmp-plugin");
    const tmp = mounts["/tmp"];
    const volumes = Object.fromEntries(spec.volumes.map((v) => [v.name, v]));
    assert.ok(volumes[tmp.name].emptyDir, "/tmp is the sidecar's own emptyDir");
    assert.notEqual(tmp.name, "tmp", "never the repo-server's tmp volume");
    assert.equal(
      volumes["netreach-cmp-plugin"].configMap.name,
      "netreach-cmp-plugin",
    );
    assert.ok(
      volumes["var-files"] && volumes.plugins,
      "Argo CD's volumes are kept",
    );
  });

  test("install/kustomization.yaml: Argo CD's install plus the component", () => {
    const text = readFileSync(
      path.join(ARGOCD, "install", "kustomization.yaml"),
      "utf8",
    );
    assert.match(text, /^namespace: argocd$/m);
    assert.match(text, /argoproj\/argo-cd\/v[\d.]+\/manifests\/install\.yaml/);
    assert.match(text, /^components:\n {2}- sidecar$/m);
  });

  test("the example Application uses the plugin by name with known parameters", () => {
    const [app] = objectsOfFile(path.join(ARGOCD, "application.yaml"));
    const [plugin] = objectsOfFile(path.join(ARGOCD, "plugin.yaml"));
    assert.equal(app.kind, "Application");
    assert.equal(app.spec.source.plugin.name, "netreach");
    const known = new Set(plugin.spec.parameters.static.map((p) => p.name));
    for (const p of app.spec.source.plugin.parameters)
      assert.ok(known.has(p.name), p.name);
    assert.ok(
      app.spec.source.plugin.env.every((e) => e.name.startsWith("NETREACH_")),
    );
  });

  test("PreSync hook: a Job and a ServiceAccount without API access", () => {
    const objects = yamlToObjects(
      runTool(tools.kubectl, ["kustomize", path.join(ARGOCD, "presync")]),
    );
    const job = objects.find((o) => o.kind === "Job");
    const sa = objects.find((o) => o.kind === "ServiceAccount");
    for (const o of [job, sa]) {
      assert.equal(
        o.metadata.annotations["argocd.argoproj.io/hook"],
        "PreSync",
      );
      assert.equal(
        o.metadata.annotations["argocd.argoproj.io/hook-delete-policy"],
        "BeforeHookCreation",
      );
    }
    assert.equal(sa.automountServiceAccountToken, false);
    assert.equal(objects.filter((o) => /Role/.test(o.kind)).length, 0);
    const pod = job.spec.template.spec;
    assert.equal(pod.serviceAccountName, sa.metadata.name);
    assert.equal(pod.securityContext.runAsUser, 999);
    assert.match(
      pod.containers[0].args.join(" "),
      /generate\.mjs > \/dev\/null/,
    );
    assert.equal(job.spec.backoffLimit, 0);
  });

  test("the Dockerfile: Node 24 slim, user 999, the cmp-server entrypoint, pinned tools", () => {
    const text = readFileSync(path.join(ARGOCD, "Dockerfile"), "utf8");
    assert.match(text, /node:24-slim/);
    assert.match(text, /^USER 999$/m);
    assert.match(
      text,
      /^ENTRYPOINT \["\/var\/run\/argocd\/argocd-cmp-server"\]$/m,
    );
    assert.match(text, /sha256sum -c/);
    assert.match(
      text,
      /COPY generate\.mjs \/usr\/local\/lib\/netreach-argocd\/generate\.mjs/,
    );
    assert.match(
      text,
      /COPY plugin\.yaml \/home\/argocd\/cmp-server\/config\/plugin\.yaml/,
    );
  });
});
