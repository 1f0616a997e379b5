// The examples menu: the repository's shop example plus short teaching scenarios.
import shopBaseNamespaces from "../../examples/shop/base/namespaces.yaml?raw";
import shopBasePolicies from "../../examples/shop/base/policies.yaml?raw";
import shopBaseServices from "../../examples/shop/base/services.yaml?raw";
import shopBaseWorkloads from "../../examples/shop/base/workloads.yaml?raw";
import shopHeadNamespaces from "../../examples/shop/head/namespaces.yaml?raw";
import shopHeadPolicies from "../../examples/shop/head/policies.yaml?raw";
import shopHeadServices from "../../examples/shop/head/services.yaml?raw";
import shopHeadWorkloads from "../../examples/shop/head/workloads.yaml?raw";

/** Joins several YAML files into one multi-document stream. */
export function concatYaml(texts) {
  return texts
    .map((t) => t.replace(/\s+$/, ""))
    .filter((t) => t.length > 0)
    .join("\n---\n")
    .concat("\n");
}

const deploy = (ns, name, labels, ports = []) => {
  const l = Object.entries(labels)
    .map(([k, v]) => `        ${k}: ${v}`)
    .join("\n");
  const p = ports.length
    ? "\n          ports:\n" +
      ports
        .map(
          ([port, pname]) =>
            `            - containerPort: ${port}` +
            (pname ? `\n              name: ${pname}` : ""),
        )
        .join("\n")
    : "";
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  selector:
    matchLabels:
      app: ${labels.app}
  template:
    metadata:
      labels:
${l}
    spec:
      containers:
        - name: ${name}
          image: example/${name}${p}`;
};

const ns = (name, labels = {}) =>
  `apiVersion: v1
kind: Namespace
metadata:
  name: ${name}` +
  (Object.keys(labels).length
    ? "\n  labels:\n" +
      Object.entries(labels)
        .map(([k, v]) => `    ${k}: ${v}`)
        .join("\n")
    : "");

// 1. Default deny ---------------------------------------------------------------------------
const ddWorkloads = [
  ns("app"),
  deploy("app", "web", { app: "web" }, [[8080, "http"]]),
  deploy("app", "api", { app: "api" }, [[9000, "api"]]),
  deploy("app", "db", { app: "db" }, [[5432, "postgres"]]),
];
const defaultDeny = {
  title: "Default deny",
  description:
    "Without policies everything may talk to everything. A namespace-wide default-deny isolates every pod; explicit allows then open only what is needed.",
  base: concatYaml([
    "# No NetworkPolicy: every pod can reach every pod.\n" + ddWorkloads[0],
    ...ddWorkloads.slice(1),
  ]),
  head: concatYaml([
    ...ddWorkloads,
    `# An empty podSelector selects every pod in the namespace; no rules = deny all.
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: app
spec:
  podSelector: {}
  policyTypes:
    - Ingress
    - Egress`,
    `# web may call api, and api may call db. Both ends need a rule: egress at the source
# and ingress at the destination.
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web-to-api
  namespace: app
spec:
  podSelector:
    matchLabels:
      app: web
  policyTypes:
    - Egress
  egress:
    - to:
        - podSelector:
            matchLabels:
              app: api
      ports:
        - port: 9000`,
    `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: api
  namespace: app
spec:
  podSelector:
    matchLabels:
      app: api
  policyTypes:
    - Ingress
    - Egress
  ingress:
    - from:
        - podSelector:
            matchLabels:
              app: web
      ports:
        - port: 9000
  egress:
    - to:
        - podSelector:
            matchLabels:
              app: db
      ports:
        - port: 5432`,
    `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: db
  namespace: app
spec:
  podSelector:
    matchLabels:
      app: db
  ingress:
    - from:
        - podSelector:
            matchLabels:
              app: api
      ports:
        - port: 5432`,
  ]),
};

// 2. Namespace isolation --------------------------------------------------------------------
const isoWorkloads = [
  ns("team-a"),
  ns("team-b"),
  deploy("team-a", "frontend", { app: "frontend" }, [[8080]]),
  deploy("team-a", "backend", { app: "backend" }, [[8080]]),
  deploy("team-b", "billing", { app: "billing" }, [[8080]]),
  deploy("team-b", "ledger", { app: "ledger" }, [[8080]]),
];
const isolation = {
  title: "Namespace isolation",
  description:
    "`from: [podSelector: {}]` admits every pod of the policy's own namespace — and nothing else. team-b stops accepting traffic from team-a.",
  base: concatYaml(isoWorkloads),
  head: concatYaml([
    ...isoWorkloads,
    `# Only pods in team-b may connect to pods in team-b.
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: same-namespace-only
  namespace: team-b
spec:
  podSelector: {}
  policyTypes:
    - Ingress
  ingress:
    - from:
        - podSelector: {}`,
  ]),
};

// 3. One peer with two selectors vs two peers ------------------------------------------------
const pitWorkloads = [
  ns("monitoring"),
  ns("data"),
  ns("sandbox"),
  deploy("monitoring", "prometheus", { app: "prometheus" }),
  deploy("monitoring", "grafana", { app: "grafana" }),
  deploy("sandbox", "prometheus", { app: "prometheus" }),
  deploy("data", "postgres", { app: "postgres" }, [[5432], [9187, "metrics"]]),
];
const pitfallPolicy = (peers) => `# Who may scrape postgres's metrics port?
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: scrape
  namespace: data
spec:
  podSelector:
    matchLabels:
      app: postgres
  policyTypes:
    - Ingress
  ingress:
    - from:
${peers}
      ports:
        - port: metrics`;
const pitfall = {
  title: "One peer with two selectors vs two peers",
  description:
    "One `from` entry with namespaceSelector AND podSelector means both must match. Adding a single `-` turns it into two entries, which are OR-ed: here every pod in every namespace, plus app=prometheus pods in data.",
  base: concatYaml([
    ...pitWorkloads,
    pitfallPolicy(`        # ONE peer: prometheus pods in the monitoring namespace.
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: monitoring
          podSelector:
            matchLabels:
              app: prometheus`),
  ]),
  head: concatYaml([
    ...pitWorkloads,
    pitfallPolicy(`        # TWO peers: any pod in any namespace, OR prometheus pods in data.
        - namespaceSelector: {}
        - podSelector:
            matchLabels:
              app: prometheus`),
  ]),
};

// 4. Named ports ------------------------------------------------------------------------------
const npPolicy = `# Allows the port by name: it resolves per destination pod, through its container ports.
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: api-ingress
  namespace: app
spec:
  podSelector:
    matchLabels:
      app: api
  policyTypes:
    - Ingress
  ingress:
    - from:
        - podSelector:
            matchLabels:
              app: web
      ports:
        - port: http`;
const namedPorts = {
  title: "Named ports",
  description:
    "A policy port given by name only matches containers that declare a port with that name. Renaming the container port silently breaks the rule.",
  base: concatYaml([
    ns("app"),
    deploy("app", "web", { app: "web" }),
    deploy("app", "api", { app: "api" }, [[8080, "http"]]),
    npPolicy,
  ]),
  head: concatYaml([
    ns("app"),
    deploy("app", "web", { app: "web" }),
    "# The container port was renamed from http to web: the policy's `port: http` matches nothing now.\n" +
      deploy("app", "api", { app: "api" }, [[8080, "web"]]),
    npPolicy,
  ]),
};

// 5. DNS egress -------------------------------------------------------------------------------
const dnsWorkloads = [
  ns("kube-system"),
  ns("app"),
  `apiVersion: apps/v1
kind: Deployment
metadata:
  name: coredns
  namespace: kube-system
spec:
  selector:
    matchLabels:
      k8s-app: kube-dns
  template:
    metadata:
      labels:
        k8s-app: kube-dns
    spec:
      containers:
        - name: coredns
          image: coredns/coredns
          ports:
            - containerPort: 53
              protocol: UDP
              name: dns
            - containerPort: 53
              protocol: TCP
              name: dns-tcp`,
  deploy("app", "web", { app: "web" }, [[8080]]),
  `# Deny all egress from app: web can no longer even resolve names.
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-egress
  namespace: app
spec:
  podSelector: {}
  policyTypes:
    - Egress`,
];
const dns = {
  title: "DNS egress",
  description:
    "An egress default-deny also blocks DNS. Allow UDP and TCP 53 to the cluster DNS pods in kube-system.",
  base: concatYaml(dnsWorkloads),
  head: concatYaml([
    ...dnsWorkloads,
    `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-dns
  namespace: app
spec:
  podSelector: {}
  policyTypes:
    - Egress
  egress:
    - to:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: kube-system
          podSelector:
            matchLabels:
              k8s-app: kube-dns
      ports:
        - protocol: UDP
          port: 53
        - protocol: TCP
          port: 53`,
  ]),
};

export const examples = {
  shop: {
    title: "Shop (repository example)",
    description:
      "The shop example from examples/shop: a PR adds a nightly re-index job and renames a label.",
    base: concatYaml([
      shopBaseNamespaces,
      shopBasePolicies,
      shopBaseServices,
      shopBaseWorkloads,
    ]),
    head: concatYaml([
      shopHeadNamespaces,
      shopHeadPolicies,
      shopHeadServices,
      shopHeadWorkloads,
    ]),
  },
  "default-deny": defaultDeny,
  "namespace-isolation": isolation,
  "two-peers": pitfall,
  "named-ports": namedPorts,
  "dns-egress": dns,
};
