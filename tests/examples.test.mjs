// The bundled example app: examples/shop (plain YAML), examples/shop-kustomize and
// examples/shop-helm, each with a base/ and a head/ side.
//
//   node --test tests/examples.test.mjs
//
// What this pins:
// - `kubectl kustomize` and `helm template` of each variant produce exactly the plain objects of the
//   same side (compared as parsed JSON, not text);
// - every object is valid Kubernetes as far as a static check can tell (names, labels, ports,
//   selectors, CIDRs), and every named port a policy or Service uses exists where it must;
// - base is coherent: a small reference evaluator of NetworkPolicy semantics (DESIGN.md) finds
//   exactly the paths the app story needs;
// - head differs from base by the PR described in examples/shop/README.md: an over-broad postgres
//   rule (exposure) and a relabel of cart (breakage).
//
// Everything runs offline. YAML is turned into JSON by kubectl itself (`kubectl annotate --local
// -o json` needs no cluster), so no YAML library is required.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { yamlToObjects as kubectlObjects } from "./helpers/kubectl-objects.mjs";
import { ensureK8sTools, hermeticEnv } from "./tools/k8s-tools.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const EXAMPLES = path.join(ROOT, "examples");
const SIDES = ["base", "head"];

let tools;
let scratch;
let env;

before(async () => {
  tools = await ensureK8sTools();
  scratch = mkdtempSync(path.join(tmpdir(), "netreach-examples-"));
  env = hermeticEnv(scratch);
});

after(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// Running the tools

function runTool(bin, args, input) {
  try {
    return execFileSync(bin, args, {
      env,
      input,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      stdio: ["pipe", "pipe", "pipe"],
    });
  } catch (err) {
    throw new Error(
      `${path.basename(bin)} ${args.join(" ")} failed:\n${err.stderr || err.message}`,
      { cause: err },
    );
  }
}

/** Multi-document YAML → array of plain objects sorted by id, parsed by kubectl without a cluster. */
function yamlToObjects(yamlText) {
  return kubectlObjects(tools.kubectl, yamlText, env).sort((a, b) =>
    idOf(a).localeCompare(idOf(b)),
  );
}

function idOf(o) {
  return `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
}

function plainObjects(side) {
  const dir = path.join(EXAMPLES, "shop", side);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort();
  assert.ok(files.length >= 3, `expected several YAML files in ${dir}`);
  return yamlToObjects(
    files.map((f) => readFileSync(path.join(dir, f), "utf8")).join("\n---\n"),
  );
}

const renderKustomize = (side) =>
  yamlToObjects(
    runTool(tools.kubectl, [
      "kustomize",
      path.join(EXAMPLES, "shop-kustomize", side),
    ]),
  );

const renderHelm = (side, extraArgs = []) =>
  yamlToObjects(
    runTool(tools.helm, [
      "template",
      "shop",
      path.join(EXAMPLES, "shop-helm", side),
      ...extraArgs,
    ]),
  );

const byId = (objects) => new Map(objects.map((o) => [idOf(o), o]));

// ---------------------------------------------------------------------------------------------
// Static validity checks (what the API server would reject, plus the app's own consistency)

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const IANA_SVC_NAME = /^(?=.*[a-z])[a-z0-9]+(-[a-z0-9]+)*$/;
const WORKLOAD_KINDS = new Set([
  "Deployment",
  "StatefulSet",
  "DaemonSet",
  "ReplicaSet",
  "Job",
  "CronJob",
  "Pod",
]);

function checkLabelKey(key, where) {
  const parts = key.split("/");
  assert.ok(parts.length <= 2, `${where}: label key ${key}`);
  const name = parts.at(-1);
  if (parts.length === 2) {
    assert.ok(
      parts[0].length <= 253 && DNS1123_SUBDOMAIN.test(parts[0]),
      `${where}: label prefix ${key}`,
    );
  }
  assert.ok(
    name.length <= 63 && QUALIFIED_NAME.test(name),
    `${where}: label key ${key}`,
  );
}

function checkLabelValue(value, where) {
  assert.equal(
    typeof value,
    "string",
    `${where}: label value must be a string`,
  );
  assert.ok(
    value === "" || (value.length <= 63 && QUALIFIED_NAME.test(value)),
    `${where}: label value ${value}`,
  );
}

function checkLabels(labels, where) {
  for (const [k, v] of Object.entries(labels ?? {})) {
    checkLabelKey(k, where);
    checkLabelValue(v, `${where} ${k}`);
  }
}

function checkSelector(sel, where) {
  assert.ok(
    sel && typeof sel === "object",
    `${where}: selector must be an object`,
  );
  checkLabels(sel.matchLabels, `${where}.matchLabels`);
  for (const [i, e] of (sel.matchExpressions ?? []).entries()) {
    const w = `${where}.matchExpressions[${i}]`;
    checkLabelKey(e.key, w);
    assert.ok(
      ["In", "NotIn", "Exists", "DoesNotExist"].includes(e.operator),
      `${w}: operator ${e.operator}`,
    );
    if (e.operator === "In" || e.operator === "NotIn") {
      assert.ok(e.values?.length > 0, `${w}: values required`);
      for (const v of e.values) checkLabelValue(v, w);
    } else {
      assert.ok(!e.values?.length, `${w}: values not allowed`);
    }
  }
}

const checkPortNumber = (p, where) =>
  assert.ok(
    Number.isInteger(p) && p >= 1 && p <= 65535,
    `${where}: port ${p} out of range`,
  );

function checkProtocol(p, where) {
  assert.ok(
    p === undefined || ["TCP", "UDP", "SCTP"].includes(p),
    `${where}: protocol ${p}`,
  );
}

function checkPortRef(p, where) {
  if (typeof p === "number") checkPortNumber(p, where);
  else
    assert.ok(
      typeof p === "string" && p.length <= 15 && IANA_SVC_NAME.test(p),
      `${where}: port name ${p}`,
    );
}

function parseCidr(cidr, where) {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
  assert.ok(m, `${where}: CIDR ${cidr} (only IPv4 used in the examples)`);
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  assert.ok(
    octets.every((o) => o <= 255) && bits <= 32,
    `${where}: CIDR ${cidr}`,
  );
  const addr = octets.reduce((a, o) => a * 256 + o, 0);
  const size = 2 ** (32 - bits);
  assert.equal(addr % size, 0, `${where}: CIDR ${cidr} has host bits set`);
  return { lo: addr, hi: addr + size - 1 };
}

function podSpecOf(o) {
  switch (o.kind) {
    case "Pod":
      return { meta: o.metadata, spec: o.spec };
    case "CronJob": {
      const t = o.spec.jobTemplate.spec.template;
      return { meta: t.metadata ?? {}, spec: t.spec };
    }
    default:
      return {
        meta: o.spec.template.metadata ?? {},
        spec: o.spec.template.spec,
      };
  }
}

function validate(objects) {
  const namespaces = new Set(
    objects.filter((o) => o.kind === "Namespace").map((o) => o.metadata.name),
  );
  const ids = new Set();
  for (const o of objects) {
    const id = idOf(o);
    assert.ok(!ids.has(id), `duplicate object ${id}`);
    ids.add(id);
    assert.ok(
      DNS1123_SUBDOMAIN.test(o.metadata.name) && o.metadata.name.length <= 63,
      `${id}: name`,
    );
    checkLabels(o.metadata.labels, `${id} metadata.labels`);
    if (o.kind === "Namespace") {
      assert.ok(DNS1123_LABEL.test(o.metadata.name), `${id}: namespace name`);
      continue;
    }
    assert.ok(
      namespaces.has(o.metadata.namespace),
      `${id}: namespace ${o.metadata.namespace} is not declared`,
    );

    if (WORKLOAD_KINDS.has(o.kind)) {
      const { meta, spec } = podSpecOf(o);
      checkLabels(meta.labels, `${id} pod template labels`);
      if (o.spec.selector) {
        checkSelector(o.spec.selector, `${id} spec.selector`);
        assert.ok(
          selectorMatches(o.spec.selector, meta.labels ?? {}),
          `${id}: selector does not match template`,
        );
      }
      const names = new Set();
      for (const c of spec.containers) {
        for (const p of c.ports ?? []) {
          const w = `${id} container ${c.name}`;
          checkPortNumber(p.containerPort, w);
          checkProtocol(p.protocol, w);
          if (p.hostPort !== undefined) checkPortNumber(p.hostPort, w);
          if (spec.hostNetwork)
            assert.equal(
              p.hostPort ?? p.containerPort,
              p.containerPort,
              `${w}: hostPort`,
            );
          if (p.name !== undefined) {
            checkPortRef(p.name, w);
            assert.equal(typeof p.name, "string", `${w}: port name`);
            assert.ok(
              !names.has(p.name),
              `${w}: duplicate port name ${p.name}`,
            );
            names.add(p.name);
          }
        }
      }
    }

    if (o.kind === "Service") {
      checkLabels(o.spec.selector, `${id} spec.selector`);
      const targets = workloadsOf(objects).filter(
        (w) =>
          w.ns === o.metadata.namespace &&
          selectorMatches({ matchLabels: o.spec.selector }, w.labels),
      );
      assert.ok(targets.length > 0, `${id}: selects no workload`);
      for (const p of o.spec.ports) {
        checkPortNumber(p.port, `${id} port`);
        checkProtocol(p.protocol, `${id} port`);
        checkPortRef(p.targetPort ?? p.port, `${id} targetPort`);
        if (typeof p.targetPort === "string") {
          for (const t of targets) {
            assert.ok(
              t.ports.some((cp) => cp.name === p.targetPort),
              `${id}: targetPort ${p.targetPort} not on ${t.id}`,
            );
          }
        }
      }
    }

    if (o.kind === "NetworkPolicy") {
      const s = o.spec;
      checkSelector(s.podSelector, `${id} spec.podSelector`);
      for (const t of s.policyTypes ?? [])
        assert.ok(["Ingress", "Egress"].includes(t), `${id}: policyType ${t}`);
      for (const dir of ["ingress", "egress"]) {
        for (const [i, rule] of (s[dir] ?? []).entries()) {
          const w = `${id} spec.${dir}[${i}]`;
          for (const [j, peer] of (
            rule[dir === "ingress" ? "from" : "to"] ?? []
          ).entries()) {
            const pw = `${w}.peer[${j}]`;
            const keys = Object.keys(peer);
            assert.ok(keys.length > 0, `${pw}: empty peer`);
            if (peer.ipBlock) {
              assert.deepEqual(
                keys,
                ["ipBlock"],
                `${pw}: ipBlock must stand alone`,
              );
              const outer = parseCidr(peer.ipBlock.cidr, pw);
              for (const ex of peer.ipBlock.except ?? []) {
                const inner = parseCidr(ex, pw);
                assert.ok(
                  inner.lo >= outer.lo && inner.hi <= outer.hi,
                  `${pw}: except ${ex} outside cidr`,
                );
              }
            }
            if (peer.podSelector)
              checkSelector(peer.podSelector, `${pw}.podSelector`);
            if (peer.namespaceSelector)
              checkSelector(peer.namespaceSelector, `${pw}.namespaceSelector`);
          }
          for (const [j, p] of (rule.ports ?? []).entries()) {
            checkProtocol(p.protocol, `${w}.ports[${j}]`);
            if (p.port !== undefined) checkPortRef(p.port, `${w}.ports[${j}]`);
            if (p.endPort !== undefined) {
              checkPortNumber(p.endPort, `${w}.ports[${j}].endPort`);
              assert.ok(
                typeof p.port === "number" && p.endPort >= p.port,
                `${w}.ports[${j}]: endPort`,
              );
            }
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// A small reference evaluator of NetworkPolicy semantics, enough for the example (DESIGN.md,
// "Semantics"). It answers "may this source open this destination port?" for every workload pair,
// for "the internet" as a source, and for the external CIDRs named in egress ipBlocks.

function selectorMatches(sel, labels) {
  for (const [k, v] of Object.entries(sel.matchLabels ?? {}))
    if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const ok = {
      In: () => has && e.values.includes(labels[e.key]),
      NotIn: () => !has || !e.values.includes(labels[e.key]),
      Exists: () => has,
      DoesNotExist: () => !has,
    }[e.operator]();
    if (!ok) return false;
  }
  return true;
}

function workloadsOf(objects) {
  return objects
    .filter((o) => WORKLOAD_KINDS.has(o.kind))
    .map((o) => {
      const { meta, spec } = podSpecOf(o);
      return {
        id: `${o.metadata.namespace}/${o.metadata.name}`,
        ns: o.metadata.namespace,
        labels: meta.labels ?? {},
        hostNetwork: spec.hostNetwork === true,
        ports: spec.containers.flatMap((c) =>
          (c.ports ?? []).map((p) => ({
            name: p.name,
            port: p.containerPort,
            protocol: p.protocol ?? "TCP",
          })),
        ),
      };
    });
}

/** kube-system is cluster context, not part of the app: model CoreDNS so DNS rules can be checked. */
const KUBE_DNS = {
  id: "kube-system/kube-dns",
  ns: "kube-system",
  labels: { "k8s-app": "kube-dns" },
  hostNetwork: false,
  ports: [
    { name: "dns", port: 53, protocol: "UDP" },
    { name: "dns-tcp", port: 53, protocol: "TCP" },
  ],
};

const INTERNET = { id: "(internet)", external: true, lo: 0, hi: 2 ** 32 - 1 };

function reachability(objects) {
  const nsLabels = new Map([
    ["kube-system", { "kubernetes.io/metadata.name": "kube-system" }],
  ]);
  for (const o of objects.filter((x) => x.kind === "Namespace")) {
    nsLabels.set(o.metadata.name, {
      ...o.metadata.labels,
      "kubernetes.io/metadata.name": o.metadata.name,
    });
  }
  const workloads = [...workloadsOf(objects), KUBE_DNS];
  const policies = objects.filter((o) => o.kind === "NetworkPolicy");
  const typesOf = (p) =>
    p.spec.policyTypes ??
    (p.spec.egress?.length ? ["Ingress", "Egress"] : ["Ingress"]);
  const selecting = (w, type) =>
    w.external || w.hostNetwork
      ? []
      : policies.filter(
          (p) =>
            p.metadata.namespace === w.ns &&
            typesOf(p).includes(type) &&
            selectorMatches(p.spec.podSelector, w.labels),
        );

  // Does `peer` (from a policy in namespace `policyNs`) match endpoint `e`?
  function peerMatches(peer, policyNs, e) {
    if (peer.ipBlock) {
      if (!e.external) return false; // pod IPs are unknown to a static model
      const c = parseCidr(peer.ipBlock.cidr, "ipBlock");
      const inCidr = e.lo >= c.lo && e.hi <= c.hi;
      const excluded = (peer.ipBlock.except ?? []).some((x) => {
        const r = parseCidr(x, "except");
        return e.lo <= r.hi && e.hi >= r.lo;
      });
      return inCidr && !excluded;
    }
    if (e.external || e.hostNetwork) return false;
    if (peer.namespaceSelector) {
      if (!selectorMatches(peer.namespaceSelector, nsLabels.get(e.ns) ?? {}))
        return false;
    } else if (e.ns !== policyNs) {
      return false;
    }
    return !peer.podSelector || selectorMatches(peer.podSelector, e.labels);
  }

  // Does a rule's `ports` admit destination port `dp` ({name?, port, protocol}; name only on pods)?
  function portMatches(ports, dp) {
    if (!ports?.length) return true;
    return ports.some((p) => {
      if ((p.protocol ?? "TCP") !== dp.protocol) return false;
      if (p.port === undefined) return true;
      if (typeof p.port === "string") return dp.name === p.port;
      return dp.port >= p.port && dp.port <= (p.endPort ?? p.port);
    });
  }

  function allowedBy(pols, dir, other, dp) {
    if (pols.length === 0) return true;
    const key = dir === "ingress" ? "from" : "to";
    return pols.some((p) =>
      (p.spec[dir] ?? []).some(
        (rule) =>
          portMatches(rule.ports, dp) &&
          (!rule[key]?.length ||
            rule[key].some((peer) =>
              peerMatches(peer, p.metadata.namespace, other),
            )),
      ),
    );
  }

  const allowed = (src, dst, dp) =>
    allowedBy(selecting(src, "Egress"), "egress", dst, dp) &&
    allowedBy(selecting(dst, "Ingress"), "ingress", src, dp);

  // External destinations: every CIDR and numeric port named in an egress ipBlock rule.
  const externals = [];
  for (const p of policies) {
    for (const rule of p.spec.egress ?? []) {
      for (const peer of rule.to ?? []) {
        if (!peer.ipBlock) continue;
        const { lo, hi } = parseCidr(peer.ipBlock.cidr, "ipBlock");
        for (const port of rule.ports ?? []) {
          externals.push({
            endpoint: { id: peer.ipBlock.cidr, external: true, lo, hi },
            dp: { port: port.port, protocol: port.protocol ?? "TCP" },
          });
        }
      }
    }
  }

  // kube-dns is only a destination: it is not in the input, so netreach itself never sees it as a
  // source, and the golden sets below describe what the input alone allows.
  const flows = new Set();
  for (const src of [INTERNET, ...workloads.filter((w) => w !== KUBE_DNS)]) {
    for (const dst of workloads) {
      for (const dp of dst.ports) {
        if (allowed(src, dst, dp))
          flows.add(`${src.id} -> ${dst.id}:${dp.name}`);
      }
    }
    if (src.external) continue;
    for (const { endpoint, dp } of externals) {
      if (allowed(src, endpoint, dp))
        flows.add(`${src.id} -> ${endpoint.id}:${dp.protocol}/${dp.port}`);
    }
  }
  return flows;
}

/** The paths that matter for the shop: everything touching a shop-* namespace. */
function shopFlows(objects) {
  const touchesShop = (f) => /(^|-> )shop-/.test(f);
  return [...reachability(objects)].filter(touchesShop).sort();
}

// ---------------------------------------------------------------------------------------------
// The app story, as the set of allowed paths

const SHOP_WORKLOADS = [
  "shop-web/storefront",
  "shop-core/catalog",
  "shop-core/cart",
  "shop-core/checkout",
  "shop-core/payments",
  "shop-data/postgres",
  "shop-data/redis",
  "shop-data/postgres-backup",
];

const dnsFlows = (ids) =>
  ids.flatMap((id) => [
    `${id} -> kube-system/kube-dns:dns`,
    `${id} -> kube-system/kube-dns:dns-tcp`,
  ]);

const BASE_FLOWS = [
  // public entry point: anyone (the load balancer, nodes, any pod allowed out) reaches storefront
  "(internet) -> shop-web/storefront:http",
  "monitoring/node-exporter -> shop-web/storefront:http",
  "monitoring/prometheus -> shop-web/storefront:http",
  // storefront -> core
  "shop-web/storefront -> shop-core/catalog:grpc",
  "shop-web/storefront -> shop-core/cart:grpc",
  "shop-web/storefront -> shop-core/checkout:grpc",
  // checkout orchestrates
  "shop-core/checkout -> shop-core/cart:grpc",
  "shop-core/checkout -> shop-core/catalog:grpc",
  "shop-core/checkout -> shop-core/payments:grpc",
  "shop-core/checkout -> shop-data/postgres:postgres",
  // data
  "shop-core/catalog -> shop-data/postgres:postgres",
  "shop-core/cart -> shop-data/redis:redis",
  "shop-data/postgres-backup -> shop-data/postgres:postgres",
  // the outside world
  "shop-core/payments -> 203.0.113.0/24:TCP/443",
  "shop-data/postgres-backup -> 198.51.100.0/24:TCP/443",
  // Prometheus scrapes every metrics port
  "monitoring/prometheus -> shop-web/storefront:metrics",
  "monitoring/prometheus -> shop-core/catalog:metrics",
  "monitoring/prometheus -> shop-core/cart:metrics",
  "monitoring/prometheus -> shop-core/checkout:metrics",
  "monitoring/prometheus -> shop-core/payments:metrics",
  "monitoring/prometheus -> shop-data/postgres:metrics",
  "monitoring/prometheus -> shop-data/redis:metrics",
  ...dnsFlows(SHOP_WORKLOADS),
].sort();

const HEAD_ADDED = [
  // the exposure: the misplaced `-` makes `namespaceSelector: {}` a peer of its own
  "monitoring/prometheus -> shop-data/postgres:postgres",
  // the intended new path and the new job's DNS
  "shop-core/catalog-reindex -> shop-data/postgres:postgres",
  ...dnsFlows(["shop-core/catalog-reindex"]),
].sort();

const HEAD_REMOVED = [
  // the breakage: policies still select app=cart
  "shop-web/storefront -> shop-core/cart:grpc",
  "shop-core/checkout -> shop-core/cart:grpc",
  "shop-core/cart -> shop-data/redis:redis",
].sort();

// ---------------------------------------------------------------------------------------------
// Tests

describe("examples/shop", () => {
  const plain = {};
  before(() => {
    for (const side of SIDES) plain[side] = plainObjects(side);
  });

  test("plain YAML has the promised shape", () => {
    for (const side of SIDES) {
      const objs = plain[side];
      const kinds = (k) => objs.filter((o) => o.kind === k);
      assert.deepEqual(
        kinds("Namespace")
          .map((o) => o.metadata.name)
          .sort(),
        ["monitoring", "shop-core", "shop-data", "shop-web"],
      );
      assert.ok(workloadsOf(objs).length >= 8, `${side}: at least 8 workloads`);
      for (const k of [
        "Deployment",
        "StatefulSet",
        "DaemonSet",
        "CronJob",
        "Service",
        "NetworkPolicy",
      ]) {
        assert.ok(kinds(k).length > 0, `${side}: has a ${k}`);
      }
      for (const ns of ["shop-web", "shop-core", "shop-data"]) {
        const deny = kinds("NetworkPolicy").find(
          (p) =>
            p.metadata.namespace === ns &&
            Object.keys(p.spec.podSelector).length === 0 &&
            !p.spec.ingress &&
            !p.spec.egress &&
            p.spec.policyTypes.includes("Ingress") &&
            p.spec.policyTypes.includes("Egress"),
        );
        assert.ok(
          deny,
          `${side}: ${ns} has a default-deny for ingress and egress`,
        );
      }
    }
  });

  for (const side of SIDES) {
    test(`${side}: every object is valid`, () => validate(plain[side]));
  }

  test("base: the allowed paths are exactly the ones the app needs", () => {
    assert.deepEqual(shopFlows(plain.base), BASE_FLOWS);
  });

  test("head: reachability diff is the exposure plus the breakage", () => {
    const base = new Set(shopFlows(plain.base));
    const head = new Set(shopFlows(plain.head));
    assert.deepEqual([...head].filter((f) => !base.has(f)).sort(), HEAD_ADDED);
    assert.deepEqual(
      [...base].filter((f) => !head.has(f)).sort(),
      HEAD_REMOVED,
    );
  });

  test("head: objects differ from base exactly by the PR", () => {
    const base = byId(plain.base);
    const head = byId(plain.head);
    const added = [...head.keys()].filter((id) => !base.has(id)).sort();
    const removed = [...base.keys()].filter((id) => !head.has(id)).sort();
    const changed = [...head.keys()]
      .filter(
        (id) => base.has(id) && !isDeepStrictEqual(base.get(id), head.get(id)),
      )
      .sort();
    assert.deepEqual(added, [
      "CronJob/shop-core/catalog-reindex",
      "NetworkPolicy/shop-core/catalog-reindex",
    ]);
    assert.deepEqual(removed, []);
    assert.deepEqual(changed, [
      "Deployment/shop-core/cart",
      "NetworkPolicy/shop-data/postgres",
      "Service/shop-core/cart",
    ]);

    // (b) the relabel: pod template, selector and Service move to app=cart-service ...
    const cart = head.get("Deployment/shop-core/cart");
    assert.equal(
      base.get("Deployment/shop-core/cart").spec.template.metadata.labels.app,
      "cart",
    );
    assert.equal(cart.spec.template.metadata.labels.app, "cart-service");
    assert.deepEqual(cart.spec.selector, {
      matchLabels: { app: "cart-service" },
    });
    assert.deepEqual(head.get("Service/shop-core/cart").spec.selector, {
      app: "cart-service",
    });
    // ... while the policies that select cart are untouched and still say app=cart.
    for (const id of [
      "NetworkPolicy/shop-core/cart",
      "NetworkPolicy/shop-data/redis",
      "NetworkPolicy/shop-web/storefront",
    ]) {
      assert.deepEqual(head.get(id), base.get(id), `${id} unchanged`);
      assert.match(
        JSON.stringify(head.get(id)),
        /"cart"/,
        `${id} still names app=cart`,
      );
      assert.doesNotMatch(JSON.stringify(head.get(id)), /cart-service/);
    }

    // (a) the over-broad rule: one new peer pair where a single peer was meant.
    const basePeers = base.get("NetworkPolicy/shop-data/postgres").spec
      .ingress[0].from;
    const headPg = head.get("NetworkPolicy/shop-data/postgres");
    assert.equal(headPg.spec.ingress.length, 1);
    assert.deepEqual(headPg.spec.ingress[0].ports, [{ port: "postgres" }]);
    assert.deepEqual(headPg.spec.ingress[0].from, [
      ...basePeers,
      { namespaceSelector: {} },
      { podSelector: { matchLabels: { app: "catalog-reindex" } } },
    ]);
  });
});

describe("examples/shop-kustomize", () => {
  for (const side of SIDES) {
    test(`${side}: kubectl kustomize renders the plain objects`, () => {
      assert.deepEqual(renderKustomize(side), plainObjects(side));
    });
  }
});

describe("examples/shop-helm", () => {
  for (const side of SIDES) {
    test(`${side}: helm template renders the plain objects`, () => {
      assert.deepEqual(renderHelm(side), plainObjects(side));
    });

    test(`${side}: chart is self-contained and lints clean`, () => {
      const chart = readFileSync(
        path.join(EXAMPLES, "shop-helm", side, "Chart.yaml"),
        "utf8",
      );
      assert.doesNotMatch(
        chart,
        /^dependencies:/m,
        "no chart dependencies (helm template must not need network)",
      );
      const hooks = runTool(tools.helm, [
        "template",
        "shop",
        path.join(EXAMPLES, "shop-helm", side),
      ]);
      assert.doesNotMatch(hooks, /helm\.sh\/hook/, "no hooks");
      runTool(tools.helm, [
        "lint",
        "--strict",
        path.join(EXAMPLES, "shop-helm", side),
      ]);
    });
  }

  test("values control the image tag and the external API CIDR", () => {
    const objs = byId(
      renderHelm("base", [
        "--set",
        "image.tag=2.0.0",
        "--set",
        "paymentApi.cidr=192.0.2.0/24",
      ]),
    );
    const image = objs.get("Deployment/shop-core/payments").spec.template.spec
      .containers[0].image;
    assert.equal(image, "ghcr.io/example-shop/payments:2.0.0");
    assert.deepEqual(
      objs.get("NetworkPolicy/shop-core/payments").spec.egress[0].to,
      [{ ipBlock: { cidr: "192.0.2.0/24" } }],
    );
  });
});
