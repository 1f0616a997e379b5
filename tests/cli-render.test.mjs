// `netreach` with Kustomize and Helm, using real kubectl and helm binaries (extracted offline by
// tests/tools/k8s-tools.mjs): the rendered examples/shop-kustomize and examples/shop-helm must
// give the same answers as the plain examples/shop; missing or failing renderers are exit 2;
// renderers never get plugins or the user's kubeconfig.
//
//   node --test tests/cli-render.test.mjs

import assert from "node:assert/strict";
import {
  chmodSync,
  cpSync,
  mkdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import {
  EXAMPLES,
  baseEnv,
  describeRun,
  runCli,
  tempDir,
} from "./helpers/cli.mjs";
import { ensureK8sTools } from "./tools/k8s-tools.mjs";

let tools;
let scratch;
/** PATH with kubectl and helm, and without (only the directory of `git` and `tar`). */
let withTools;
let withoutTools;

before(async () => {
  tools = await ensureK8sTools();
  scratch = tempDir("netreach-render-");
  const bare = path.join(scratch.dir, "bare-bin");
  mkdirSync(bare);
  withTools = baseEnv({
    PATH: `${tools.binDir}${path.delimiter}${process.env.PATH}`,
  });
  withoutTools = baseEnv({ PATH: bare });
});
after(() => scratch?.remove());

async function run(args, env, code = 0) {
  const result = await runCli(args, { env });
  assert.equal(result.code, code, describeRun(args, result));
  return result;
}

/** Endpoint ids and connections: what must not depend on how the YAML was produced. */
function essence(json) {
  const a = JSON.parse(json);
  return {
    endpoints: a.endpoints.map((e) => e.id),
    connections: a.connections,
  };
}

function summaryOf(json) {
  const { summary } = JSON.parse(json);
  delete summary.skippedDocuments; // kustomization.yaml / Chart.yaml are not rendered objects
  return summary;
}

describe("kustomize", () => {
  test("analyze: same connectivity as the plain YAML", async () => {
    for (const side of ["base", "head"]) {
      const rendered = await run(
        ["analyze", "--format", "json", `examples/shop-kustomize/${side}`],
        withTools,
      );
      const plain = await run(
        ["analyze", "--format", "json", `examples/shop/${side}`],
        withTools,
      );
      assert.deepEqual(essence(rendered.stdout), essence(plain.stdout));
      const origin = JSON.parse(rendered.stdout).endpoints.find(
        (e) => e.origin,
      ).origin;
      assert.equal(
        origin.path,
        `examples/shop-kustomize/${side} (kustomize build)`,
      );
    }
  });

  test("diff: same summary as the plain YAML; --fail-on exposure trips", async () => {
    const args = [
      "diff",
      "--format",
      "json",
      "examples/shop-kustomize/base",
      "examples/shop-kustomize/head",
    ];
    const rendered = await run(args, withTools);
    const plain = await run(
      ["diff", "--format", "json", "examples/shop/base", "examples/shop/head"],
      withTools,
    );
    assert.deepEqual(summaryOf(rendered.stdout), summaryOf(plain.stdout));
    await run([...args, "--fail-on", "exposure"], withTools, 1);
  });

  test("kubectl missing: exit 2 naming the tool and how to install it", async () => {
    const r = await run(
      ["analyze", "examples/shop-kustomize/head"],
      withoutTools,
      2,
    );
    assert.match(r.stderr, /kubectl not found/);
    assert.match(r.stderr, /install kubectl/);
    assert.match(r.stderr, /--render none/);
    const explicit = await run(
      [
        "analyze",
        "--kubectl",
        "/nonexistent/kubectl",
        "examples/shop-kustomize/head",
      ],
      withTools,
      2,
    );
    assert.match(
      explicit.stderr,
      /kubectl not found at \/nonexistent\/kubectl \(from --kubectl\)/,
    );
  });

  test("--kubectl and NETREACH_KUBECTL name the binary; a kustomize binary is run as `kustomize build`", async () => {
    await run(
      ["analyze", "--kubectl", tools.kubectl, "examples/shop-kustomize/head"],
      withoutTools,
    );
    await run(["analyze", "examples/shop-kustomize/head"], {
      ...withoutTools,
      NETREACH_KUBECTL: tools.kubectl,
    });
    const r = await run(
      ["analyze", "examples/shop-kustomize/head"],
      { ...withoutTools, NETREACH_KUBECTL: "/nonexistent/kubectl" },
      2,
    );
    assert.match(r.stderr, /from NETREACH_KUBECTL/);
    // A fake `kustomize` that records how it was called.
    const dir = path.join(scratch.dir, "fake-kustomize");
    mkdirSync(dir);
    const log = path.join(dir, "args");
    const fake = path.join(dir, "kustomize");
    writeFileSync(
      fake,
      `#!/bin/sh\necho "$@" > '${log}'\nexec '${tools.kubectl}' kustomize "$2"\n`,
    );
    chmodSync(fake, 0o755);
    await run(
      ["analyze", "examples/shop-kustomize/head"],
      baseEnv({ PATH: dir }),
    );
    assert.match(
      readFileSync(log, "utf8"),
      /^build \S+shop-kustomize\/head\n$/,
    );
  });

  test("a render failure is exit 2 with the tool's message", async () => {
    const dir = path.join(scratch.dir, "broken-kustomize");
    mkdirSync(dir);
    writeFileSync(
      path.join(dir, "kustomization.yaml"),
      "resources:\n  - missing.yaml\n",
    );
    const r = await run(["analyze", dir], withTools, 2);
    assert.match(
      r.stderr,
      /kubectl kustomize \S+broken-kustomize failed \(exit code \d+\)/,
    );
    assert.match(r.stderr, /missing\.yaml/);
  });

  test("--render none reads the directory as plain YAML, with no tool", async () => {
    const r = await run(
      [
        "analyze",
        "--render",
        "none",
        "--format",
        "json",
        "examples/shop-kustomize/head",
      ],
      withoutTools,
    );
    assert.ok(JSON.parse(r.stdout).endpoints.length > 5);
  });

  test("--render helm on a Kustomization is exit 2", async () => {
    const r = await run(
      ["analyze", "--render", "helm", "examples/shop-kustomize/head"],
      withTools,
      2,
    );
    assert.match(
      r.stderr,
      /--render helm: examples\/shop-kustomize\/head is not a directory with a Chart\.yaml/,
    );
  });

  test("renderers get a minimal environment and no plugin flags", async () => {
    const dir = path.join(scratch.dir, "spy");
    mkdirSync(dir);
    const log = path.join(dir, "log");
    const spy = path.join(dir, "kubectl");
    writeFileSync(
      spy,
      `#!/bin/sh\n{ echo "ARGS $*"; env; } > '${log}'\nexec '${tools.kubectl}' "$@"\n`,
    );
    chmodSync(spy, 0o755);
    await run(["analyze", "--kubectl", spy, "examples/shop-kustomize/head"], {
      ...withTools,
      KUBECONFIG: "/secret/kubeconfig",
      AWS_SECRET_ACCESS_KEY: "hunter2",
      KUSTOMIZE_PLUGIN_HOME: "/home/me/plugins",
    });
    const seen = readFileSync(log, "utf8");
    assert.match(seen, /^ARGS kustomize \S+$/m);
    assert.doesNotMatch(
      seen,
      /enable-alpha-plugins|enable-exec|enable-helm|load-restrictor/,
    );
    assert.doesNotMatch(seen, /secret|hunter2|\/home\/me\/plugins/);
    assert.match(seen, /^KUSTOMIZE_PLUGIN_HOME=\S*no-plugins$/m);
  });
});

describe("helm", () => {
  test("analyze: same connectivity as the plain YAML; files named after the templates", async () => {
    for (const side of ["base", "head"]) {
      const rendered = await run(
        [
          "analyze",
          "--format",
          "json",
          "--release",
          "shop",
          `examples/shop-helm/${side}`,
        ],
        withTools,
      );
      const plain = await run(
        ["analyze", "--format", "json", `examples/shop/${side}`],
        withTools,
      );
      assert.deepEqual(essence(rendered.stdout), essence(plain.stdout));
      const postgres = JSON.parse(rendered.stdout).endpoints.find(
        (e) => e.id === "shop-data/StatefulSet/postgres",
      );
      assert.equal(
        postgres.origin.path,
        `examples/shop-helm/${side}/templates/postgres.yaml`,
      );
    }
  });

  test("diff with --helm; explain points into the template", async () => {
    const rendered = await run(
      [
        "diff",
        "--format",
        "json",
        "--helm",
        tools.helm,
        "examples/shop-helm/base",
        "examples/shop-helm/head",
      ],
      withoutTools,
    );
    const plain = await run(
      ["diff", "--format", "json", "examples/shop/base", "examples/shop/head"],
      withoutTools,
    );
    assert.deepEqual(summaryOf(rendered.stdout), summaryOf(plain.stdout));
    const e = await run(
      [
        "explain",
        "examples/shop-helm/head",
        "--from",
        "monitoring/prometheus",
        "--to",
        "shop-data/postgres",
        "--port",
        "5432",
      ],
      withTools,
    );
    assert.match(e.stdout, /^ALLOWED: /);
    assert.match(
      e.stdout,
      /at examples\/shop-helm\/head\/templates\/postgres\.yaml:\d+/,
    );
  });

  test("--set and --values reach helm template", async () => {
    const values = path.join(scratch.dir, "values.yaml");
    writeFileSync(values, "backup:\n  bucketCidr: 192.0.2.0/25\n");
    const r = await run(
      [
        "analyze",
        "--format",
        "json",
        "--set",
        "paymentApi.cidr=192.0.2.128/25",
        "--values",
        values,
        "examples/shop-helm/base",
      ],
      withTools,
    );
    const external = JSON.parse(r.stdout).endpoints.filter((e) =>
      e.id.startsWith("external:"),
    );
    for (const cidr of ["192.0.2.128/25", "192.0.2.0/25"]) {
      assert.ok(
        external.some((e) => e.cidrs?.includes(cidr)),
        `${cidr} in ${JSON.stringify(external)}`,
      );
    }
  });

  test("helm missing or failing: exit 2", async () => {
    const r = await run(
      ["analyze", "examples/shop-helm/head"],
      withoutTools,
      2,
    );
    assert.match(r.stderr, /helm not found/);
    assert.match(r.stderr, /install Helm/);
    const explicit = await run(
      ["analyze", "--helm", "/nonexistent/helm", "examples/shop-helm/head"],
      withTools,
      2,
    );
    assert.match(explicit.stderr, /helm not found at \/nonexistent\/helm/);
    const broken = path.join(scratch.dir, "broken-chart");
    cpSync(path.join(EXAMPLES, "shop-helm", "head"), broken, {
      recursive: true,
    });
    writeFileSync(
      path.join(broken, "templates", "oops.yaml"),
      "{{ .Values.nope.deeper }}\n",
    );
    const f = await run(["analyze", broken], withTools, 2);
    assert.match(f.stderr, /helm template \S+broken-chart failed/);
    assert.match(f.stderr, /nope/);
  });

  test("helm runs without plugins, post-renderers or kubeconfig; --helm-namespace", async () => {
    const dir = path.join(scratch.dir, "helm-spy");
    mkdirSync(dir);
    const log = path.join(dir, "log");
    const spy = path.join(dir, "helm");
    writeFileSync(
      spy,
      `#!/bin/sh\n{ echo "ARGS $*"; env; } > '${log}'\nexec '${tools.helm}' "$@"\n`,
    );
    chmodSync(spy, 0o755);
    await run(
      [
        "analyze",
        "--helm",
        spy,
        "--helm-namespace",
        "shop-web",
        "examples/shop-helm/head",
      ],
      {
        ...withTools,
        KUBECONFIG: "/secret/kubeconfig",
        HELM_PLUGINS: "/home/me/helm-plugins",
      },
    );
    const seen = readFileSync(log, "utf8");
    assert.match(
      seen,
      /^ARGS template netreach \S+shop-helm\/head --skip-tests --namespace shop-web$/m,
    );
    assert.doesNotMatch(seen, /post-renderer|secret|\/home\/me/);
    assert.match(seen, /^HELM_NO_PLUGINS=1$/m);
    assert.match(seen, /^HELM_PLUGINS=\S*no-plugins$/m);
  });
});
