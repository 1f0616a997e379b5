//! A seeded, deterministic generator of realistic clusters, for benchmarks and tests.
//!
//! Benchmarks need inputs at the scale of real clusters (thousands of workloads, hundreds of
//! policies) and tests need many varied inputs; checking such manifests into the repository
//! would be large and brittle. [`generate`] builds them from a [`GeneratorConfig`] instead:
//!
//! - Namespaces (about one per 40 workloads, at least two, plus `kube-system`), each labelled
//!   with `team`, `env` and `kubernetes.io/metadata.name`.
//! - Workloads of every kind the core understands — mostly `Deployment`s, some `StatefulSet`,
//!   `DaemonSet`, `ReplicaSet`, `ReplicationController`, `Job`, `CronJob` and bare `Pod`s —
//!   labelled `app`/`tier`/`team`, with named container ports (TCP and some UDP), and a
//!   `Service` in front of each long-running one. `kube-system` holds `coredns`.
//! - `NetworkPolicy` objects: a default deny (ingress and egress) per namespace, then allow
//!   policies of the shapes real clusters use: pod, namespace and combined peers, `matchLabels`
//!   and `matchExpressions` (`In`, `NotIn`, `Exists`, `DoesNotExist`), ports by number, by name
//!   and as `endPort` ranges, DNS egress to `kube-system`, IPv4 and IPv6 `ipBlock`s with `except`.
//! - A *head* version of the same files in which exactly `changed_policies` policies are
//!   modified the way pull requests modify them (a port added, a selector widened, a rule
//!   removed, a label changed); every other byte is identical to the base.
//!
//! The output is multi-document YAML split into `namespaces.yaml`, `workloads-NNN.yaml` and
//! `policies-NNN.yaml` (one pair per ten namespaces), written by string building so that even
//! ten thousand workloads take milliseconds. Like the rest of the core it does no I/O and reads
//! no clock; randomness comes from a small `SplitMix64` generator seeded by
//! [`GeneratorConfig::seed`], so the same configuration always yields the same bytes, and the
//! base never depends on `changed_policies`.
//!
//! ```
//! use netreach_core::generate::{generate, GeneratorConfig};
//!
//! let config = GeneratorConfig { seed: 7, workloads: 200, policies: 60, changed_policies: 5 };
//! let cluster = generate(&config);
//! assert_eq!(cluster.base.len(), cluster.head.len());
//! assert!(cluster.base.iter().any(|file| file.path == "namespaces.yaml"));
//! assert_ne!(cluster.base, cluster.head);
//! // Deterministic: the same configuration gives the same bytes.
//! assert_eq!(generate(&config).base, cluster.base);
//! ```

use std::collections::HashSet;
use std::fmt::Write as _;

use crate::source::SourceFile;

/// What to generate. Every field is exact: the output holds `workloads` workloads and
/// `policies` `NetworkPolicy` objects, of which `changed_policies` differ in the head.
#[derive(Debug, Clone)]
pub struct GeneratorConfig {
    /// Seed of the pseudo-random generator; the same seed gives the same bytes.
    pub seed: u64,
    /// Total workloads across all namespaces, `kube-system`'s `coredns` included.
    pub workloads: usize,
    /// Total `NetworkPolicy` objects in the base, the per-namespace default denies included
    /// (when there are fewer policies than namespaces, only the first namespaces get one).
    pub policies: usize,
    /// How many policies the head version changes (capped at `policies`). Allow policies are
    /// changed first; default denies only when more changes are asked for than there are allows.
    pub changed_policies: usize,
}

/// The generated files: a base version and a head version with the same paths in the same order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedCluster {
    pub base: Vec<SourceFile>,
    pub head: Vec<SourceFile>,
}

/// Generates a base and a head version of a cluster's manifests; see the module docs.
pub fn generate(config: &GeneratorConfig) -> GeneratedCluster {
    let mut rng = Rng::new(config.seed);
    let cluster = build_cluster(&mut rng, config.workloads);
    let policies = build_policies(&mut rng, &cluster, config.policies);

    // The head draws from its own stream so the base does not depend on `changed_policies`.
    let mut head_rng = Rng::new(config.seed ^ 0x6865_6164_5f76_6572);
    let head_policies = change_policies(&mut head_rng, &cluster, &policies, config.changed_policies);

    let mut base = Vec::new();
    let mut head = Vec::new();
    let namespaces = render_namespaces(&cluster);
    base.push(SourceFile::new("namespaces.yaml", namespaces.clone()));
    head.push(SourceFile::new("namespaces.yaml", namespaces));

    let groups = cluster.namespaces.len().div_ceil(NAMESPACES_PER_FILE);
    let mut policy_files = Vec::new();
    let mut next_policy = 0;
    for group in 0..groups {
        let first = group * NAMESPACES_PER_FILE;
        let last = (first + NAMESPACES_PER_FILE).min(cluster.namespaces.len());

        let mut workloads = String::new();
        if group == 0 && config.workloads > 0 {
            workloads.push_str(COREDNS);
        }
        for namespace in &cluster.namespaces[first..last] {
            for workload in &namespace.workloads {
                render_workload(&mut workloads, namespace, workload);
                render_service(&mut workloads, namespace, workload);
            }
        }
        if !workloads.is_empty() {
            let path = format!("workloads-{group:03}.yaml");
            base.push(SourceFile::new(path.clone(), workloads.clone()));
            head.push(SourceFile::new(path, workloads));
        }

        let start = next_policy;
        while next_policy < policies.len() && policies[next_policy].namespace < last {
            next_policy += 1;
        }
        if start == next_policy {
            continue;
        }
        let mut base_text = String::new();
        for policy in &policies[start..next_policy] {
            render_policy(&mut base_text, &cluster, policy);
        }
        let head_text = if head_policies[start..next_policy].iter().all(Option::is_none) {
            base_text.clone()
        } else {
            let mut text = String::new();
            for (index, policy) in policies.iter().enumerate().take(next_policy).skip(start) {
                let policy = head_policies[index].as_ref().unwrap_or(policy);
                render_policy(&mut text, &cluster, policy);
            }
            text
        };
        let path = format!("policies-{group:03}.yaml");
        policy_files.push((path, base_text, head_text));
    }
    for (path, base_text, head_text) in policy_files {
        base.push(SourceFile::new(path.clone(), base_text));
        head.push(SourceFile::new(path, head_text));
    }
    GeneratedCluster { base, head }
}

const NAMESPACES_PER_FILE: usize = 10;
const WORKLOADS_PER_NAMESPACE: usize = 40;

/// `SplitMix64` (Steele, Lea & Flood, 2014): tiny, fast, and good enough for test data.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform integer in `0..n` (`n > 0`), by Lemire's multiply-shift.
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// An index into `weights`, drawn with probability proportional to its weight.
    fn weighted(&mut self, weights: &[usize]) -> usize {
        let mut roll = self.below(weights.iter().sum());
        for (index, &weight) in weights.iter().enumerate() {
            if roll < weight {
                return index;
            }
            roll -= weight;
        }
        weights.len() - 1
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary. Every word is a valid label value that YAML reads as a plain string.

#[rustfmt::skip]
const DOMAINS: &[&str] = &[
    "payments", "checkout", "catalog", "search", "identity", "orders", "shipping", "inventory",
    "billing", "analytics", "messaging", "media", "reviews", "recommendations", "accounts",
    "pricing", "fraud", "ledger", "notifications", "support", "marketing", "loyalty", "warehouse",
    "logistics", "partners", "reporting", "content", "profiles", "sessions", "storefront",
    "returns", "subscriptions", "tax", "compliance", "experiments", "geo", "mobile-api",
    "data-pipeline", "ml-serving", "backoffice",
];

#[rustfmt::skip]
const TEAMS: &[&str] = &[
    "platform", "falcon", "otter", "lynx", "heron", "badger", "raven", "puma", "orca", "bison",
    "gecko", "kestrel", "marten", "osprey", "panda", "quokka", "sparrow", "tapir", "walrus", "yak",
    "zebra", "ibis", "jackal", "koala",
];

#[rustfmt::skip]
const APP_PREFIXES: &[&str] = &[
    "order", "cart", "price", "stock", "user", "auth", "invoice", "payment", "search", "review",
    "media", "mail", "ledger", "report", "event", "session", "profile", "promo", "ship", "route",
    "rate", "tax", "audit", "feed", "index", "token", "quote", "refund", "asset", "slot",
];

#[rustfmt::skip]
const APP_SUFFIXES: &[&str] = &[
    "service", "router", "indexer", "gateway", "manager", "processor", "sync", "store", "engine",
    "tracker", "hub", "proxy", "resolver", "builder", "bridge", "collector", "planner", "watcher",
    "exporter", "registry",
];

/// Apps that many teams run under the same name, so `app=` selectors match across namespaces.
#[rustfmt::skip]
const SHARED_APPS: &[&str] = &[
    "frontend", "backend", "gateway", "auth-proxy", "notifier", "scheduler", "reporting", "admin",
];

const ENVS: &[&str] = &["prod", "prod", "prod", "staging", "dev"];

const SCHEDULES: &[&str] = &["*/5 * * * *", "0 * * * *", "30 2 * * *", "15 */6 * * *"];

const TIERS: [Tier; 5] = [Tier::Web, Tier::Api, Tier::Worker, Tier::Db, Tier::Cache];

const COREDNS: &str = "---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: coredns
  namespace: kube-system
  labels:
    k8s-app: kube-dns
spec:
  replicas: 2
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
          image: registry.k8s.io/coredns/coredns:v1.11.3
          ports:
            - name: dns
              containerPort: 53
              protocol: UDP
            - name: dns-tcp
              containerPort: 53
              protocol: TCP
            - name: metrics
              containerPort: 9153
              protocol: TCP
---
apiVersion: v1
kind: Service
metadata:
  name: kube-dns
  namespace: kube-system
  labels:
    k8s-app: kube-dns
spec:
  selector:
    k8s-app: kube-dns
  ports:
    - name: dns
      port: 53
      protocol: UDP
      targetPort: dns
    - name: dns-tcp
      port: 53
      protocol: TCP
      targetPort: dns-tcp
";

// ---------------------------------------------------------------------------------------------
// The cluster model: namespaces and workloads, with every random choice already made, so that
// rendering is a pure function of the model.

struct Cluster {
    namespaces: Vec<Namespace>,
    teams: Vec<String>,
}

struct Namespace {
    name: String,
    team: String,
    env: &'static str,
    workloads: Vec<Workload>,
}

struct Workload {
    name: String,
    kind: Kind,
    app: String,
    tier: Tier,
    version: usize,
    canary: bool,
    replicas: usize,
    host_network: bool,
    schedule: &'static str,
    containers: Vec<Container>,
}

struct Container {
    name: &'static str,
    image: String,
    ports: Vec<ContainerPort>,
}

#[derive(Clone, Copy)]
struct ContainerPort {
    name: &'static str,
    number: u16,
    protocol: Protocol,
    /// Whether the manifest spells out `protocol: TCP` (it is the default).
    explicit_protocol: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Pod,
    Deployment,
    StatefulSet,
    DaemonSet,
    ReplicaSet,
    ReplicationController,
    Job,
    CronJob,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Pod => "Pod",
            Kind::Deployment => "Deployment",
            Kind::StatefulSet => "StatefulSet",
            Kind::DaemonSet => "DaemonSet",
            Kind::ReplicaSet => "ReplicaSet",
            Kind::ReplicationController => "ReplicationController",
            Kind::Job => "Job",
            Kind::CronJob => "CronJob",
        }
    }

    fn api_version(self) -> &'static str {
        match self {
            Kind::Pod | Kind::ReplicationController => "v1",
            Kind::Job | Kind::CronJob => "batch/v1",
            Kind::Deployment | Kind::StatefulSet | Kind::DaemonSet | Kind::ReplicaSet => "apps/v1",
        }
    }

    fn long_running(self) -> bool {
        !matches!(self, Kind::Job | Kind::CronJob)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tier {
    Web,
    Api,
    Worker,
    Db,
    Cache,
}

impl Tier {
    fn as_str(self) -> &'static str {
        match self {
            Tier::Web => "web",
            Tier::Api => "api",
            Tier::Worker => "worker",
            Tier::Db => "db",
            Tier::Cache => "cache",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Protocol {
    Tcp,
    Udp,
}

impl Protocol {
    fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
        }
    }
}

fn build_cluster(rng: &mut Rng, workloads: usize) -> Cluster {
    let namespace_count = ((workloads + WORKLOADS_PER_NAMESPACE / 2) / WORKLOADS_PER_NAMESPACE).max(2);

    let team_count = (namespace_count / 3).max(2);
    let teams: Vec<String> = (0..team_count).map(|i| numbered(TEAMS, i)).collect();

    let mut domains: Vec<&str> = DOMAINS.to_vec();
    rng.shuffle(&mut domains);
    let mut namespaces: Vec<Namespace> = (0..namespace_count)
        .map(|i| Namespace {
            // The first namespace belongs to the platform team and runs the scrapers.
            name: if i == 0 {
                "platform".to_owned()
            } else {
                numbered(&domains, i - 1)
            },
            team: if i == 0 {
                teams[0].clone()
            } else {
                teams[1 + rng.below(team_count - 1)].clone()
            },
            env: if i == 0 { "prod" } else { ENVS[rng.below(ENVS.len())] },
            workloads: Vec::new(),
        })
        .collect();

    // One workload is coredns in kube-system; spread the rest, at least one per namespace.
    let app_workloads = workloads.saturating_sub(1);
    let mut counts = vec![0usize; namespace_count];
    for (i, count) in counts.iter_mut().enumerate().take(app_workloads) {
        *count = usize::from(i < app_workloads);
    }
    for _ in namespace_count.min(app_workloads)..app_workloads {
        counts[rng.below(namespace_count)] += 1;
    }

    for (index, (namespace, count)) in namespaces.iter_mut().zip(counts).enumerate() {
        let mut apps = HashSet::new();
        while namespace.workloads.len() < count {
            let app = if index == 0 && apps.is_empty() {
                "prometheus".to_owned()
            } else {
                app_name(rng, &apps)
            };
            apps.insert(app.clone());
            for tier in app_tiers(rng) {
                if namespace.workloads.len() == count {
                    break;
                }
                namespace
                    .workloads
                    .push(build_workload(rng, &namespace.name, &app, tier));
            }
        }
    }
    Cluster { namespaces, teams }
}

/// `words[i]`, or `words[i % len]-N` once the words run out.
fn numbered(words: &[&str], i: usize) -> String {
    if i < words.len() {
        words[i].to_owned()
    } else {
        format!("{}-{}", words[i % words.len()], i / words.len() + 1)
    }
}

fn app_name(rng: &mut Rng, taken: &HashSet<String>) -> String {
    for _ in 0..8 {
        let name = if rng.chance(12) {
            (*rng.pick(SHARED_APPS)).to_owned()
        } else {
            format!("{}-{}", rng.pick(APP_PREFIXES), rng.pick(APP_SUFFIXES))
        };
        if !taken.contains(&name) {
            return name;
        }
    }
    let base = format!("{}-{}", rng.pick(APP_PREFIXES), rng.pick(APP_SUFFIXES));
    unique(base, taken)
}

/// `base`, or `base-N` with the smallest `N >= 2` not in `taken`.
fn unique(base: String, taken: &HashSet<String>) -> String {
    if !taken.contains(&base) {
        return base;
    }
    // Of `taken.len() + 1` candidates at least one is free.
    (2..=taken.len() + 2)
        .map(|n| format!("{base}-{n}"))
        .find(|name| !taken.contains(name))
        .unwrap_or(base)
}

fn app_tiers(rng: &mut Rng) -> Vec<Tier> {
    let mut tiers = Vec::with_capacity(5);
    if rng.chance(50) {
        tiers.push(Tier::Web);
    }
    tiers.push(Tier::Api);
    for (tier, percent) in [(Tier::Worker, 40), (Tier::Db, 35), (Tier::Cache, 25)] {
        if rng.chance(percent) {
            tiers.push(tier);
        }
    }
    tiers
}

fn build_workload(rng: &mut Rng, namespace: &str, app: &str, tier: Tier) -> Workload {
    use Kind::{CronJob, DaemonSet, Deployment, Job, Pod, ReplicaSet, ReplicationController, StatefulSet};
    let kind = match tier {
        Tier::Db => *rng.pick(&[StatefulSet, StatefulSet, StatefulSet, StatefulSet, Deployment]),
        Tier::Cache => *rng.pick(&[StatefulSet, Deployment]),
        Tier::Worker => {
            let kinds = [
                Deployment,
                Job,
                CronJob,
                DaemonSet,
                ReplicaSet,
                ReplicationController,
                Pod,
            ];
            kinds[rng.weighted(&[60, 10, 12, 6, 4, 4, 4])]
        }
        Tier::Web | Tier::Api => {
            let kinds = [Deployment, ReplicaSet, ReplicationController, Pod, DaemonSet];
            kinds[rng.weighted(&[85, 4, 3, 5, 3])]
        }
    };

    let tcp = |rng: &mut Rng, name, number| ContainerPort {
        name,
        number,
        protocol: Protocol::Tcp,
        explicit_protocol: rng.chance(40),
    };
    let udp = |name, number| ContainerPort {
        name,
        number,
        protocol: Protocol::Udp,
        explicit_protocol: true,
    };

    let mut ports = Vec::new();
    let mut image = format!(
        "registry.example.com/{namespace}/{app}-{}:1.{}.{}",
        tier.as_str(),
        rng.below(20),
        rng.below(10)
    );
    match tier {
        Tier::Web => ports.push(tcp(rng, "http", 8080)),
        Tier::Api => {
            ports.push(tcp(rng, "http", 8080));
            if rng.chance(60) {
                ports.push(tcp(rng, "grpc", 9090));
            }
            if rng.chance(15) {
                ports.push(udp("jaeger-compact", 6831));
            }
        }
        Tier::Worker => {
            if rng.chance(20) {
                ports.push(udp("statsd", 8125));
            }
        }
        Tier::Db => {
            let (name, number, db_image) = [
                ("postgres", 5432, "postgres:16.4"),
                ("mysql", 3306, "mysql:8.4"),
                ("mongodb", 27017, "mongo:7.0"),
            ][rng.weighted(&[60, 25, 15])];
            ports.push(tcp(rng, name, number));
            db_image.clone_into(&mut image);
        }
        Tier::Cache => {
            if rng.chance(70) {
                ports.push(tcp(rng, "redis", 6379));
                "redis:7.4".clone_into(&mut image);
            } else {
                ports.push(tcp(rng, "memcache", 11211));
                if rng.chance(30) {
                    ports.push(udp("memcache-udp", 11211));
                }
                "memcached:1.6".clone_into(&mut image);
            }
        }
    }

    let mut containers = vec![Container {
        name: tier.as_str(),
        image,
        ports,
    }];
    if rng.chance(55) {
        let metrics = vec![tcp(rng, "metrics", 9102)];
        if matches!(tier, Tier::Db | Tier::Cache) {
            containers.push(Container {
                name: "exporter",
                image: "registry.example.com/exporters/metrics-exporter:0.15.0".to_owned(),
                ports: metrics,
            });
        } else {
            containers[0].ports.extend(metrics);
        }
    }

    Workload {
        name: format!("{app}-{}", tier.as_str()),
        kind,
        app: app.to_owned(),
        tier,
        version: 1 + rng.below(3),
        canary: rng.chance(5),
        replicas: 1 + rng.below(5),
        host_network: kind == Kind::DaemonSet && rng.chance(30),
        schedule: SCHEDULES[rng.below(SCHEDULES.len())],
        containers,
    }
}

// ---------------------------------------------------------------------------------------------
// Rendering of namespaces, workloads and services.

fn indent(out: &mut String, column: usize) {
    for _ in 0..column {
        out.push(' ');
    }
}

/// Starts a line whose key sits at `column`; a list item puts its `- ` just before the key.
fn key(out: &mut String, column: usize, item: bool) {
    if item {
        indent(out, column - 2);
        out.push_str("- ");
    } else {
        indent(out, column);
    }
}

fn line(out: &mut String, column: usize, text: &str) {
    indent(out, column);
    out.push_str(text);
    out.push('\n');
}

fn render_namespaces(cluster: &Cluster) -> String {
    let mut out = String::new();
    out.push_str(
        "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: kube-system\n  labels:\n    kubernetes.io/metadata.name: kube-system\n",
    );
    for namespace in &cluster.namespaces {
        let _ = write!(
            out,
            "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n  labels:\n    kubernetes.io/metadata.name: {name}\n    team: {team}\n    env: {env}\n",
            name = namespace.name,
            team = namespace.team,
            env = namespace.env,
        );
    }
    out
}

fn render_workload(out: &mut String, namespace: &Namespace, workload: &Workload) {
    let _ = write!(
        out,
        "---\napiVersion: {}\nkind: {}\nmetadata:\n  name: {}\n  namespace: {}\n  labels:\n    app: {}\n    tier: {}\n    team: {}\n",
        workload.kind.api_version(),
        workload.kind.as_str(),
        workload.name,
        namespace.name,
        workload.app,
        workload.tier.as_str(),
        namespace.team,
    );
    out.push_str("spec:\n");
    let pod_column = match workload.kind {
        Kind::Pod => {
            render_pod_spec(out, 2, workload);
            return;
        }
        Kind::Job => {
            line(out, 2, "backoffLimit: 3");
            line(out, 2, "template:");
            4
        }
        Kind::CronJob => {
            let _ = writeln!(out, "  schedule: \"{}\"", workload.schedule);
            line(out, 2, "concurrencyPolicy: Forbid");
            line(out, 2, "jobTemplate:");
            line(out, 4, "spec:");
            line(out, 6, "template:");
            8
        }
        Kind::ReplicationController => {
            let _ = write!(
                out,
                "  replicas: {}\n  selector:\n    app: {}\n    tier: {}\n  template:\n",
                workload.replicas,
                workload.app,
                workload.tier.as_str()
            );
            4
        }
        Kind::Deployment | Kind::StatefulSet | Kind::DaemonSet | Kind::ReplicaSet => {
            if workload.kind == Kind::StatefulSet {
                let _ = writeln!(out, "  serviceName: {}", workload.name);
            }
            if workload.kind != Kind::DaemonSet {
                let _ = writeln!(out, "  replicas: {}", workload.replicas);
            }
            let _ = write!(
                out,
                "  selector:\n    matchLabels:\n      app: {}\n      tier: {}\n  template:\n",
                workload.app,
                workload.tier.as_str()
            );
            4
        }
    };
    line(out, pod_column, "metadata:");
    line(out, pod_column + 2, "labels:");
    let labels = pod_column + 4;
    let _ = writeln!(out, "{:labels$}app: {}", "", workload.app);
    let _ = writeln!(out, "{:labels$}tier: {}", "", workload.tier.as_str());
    let _ = writeln!(out, "{:labels$}team: {}", "", namespace.team);
    let _ = writeln!(out, "{:labels$}version: v{}", "", workload.version);
    if workload.canary {
        line(out, labels, "track: canary");
    }
    line(out, pod_column, "spec:");
    render_pod_spec(out, pod_column + 2, workload);
}

fn render_pod_spec(out: &mut String, column: usize, workload: &Workload) {
    if workload.host_network {
        line(out, column, "hostNetwork: true");
    }
    if !workload.kind.long_running() {
        line(out, column, "restartPolicy: OnFailure");
    }
    line(out, column, "containers:");
    for container in &workload.containers {
        key(out, column + 4, true);
        let _ = writeln!(out, "name: {}", container.name);
        let _ = writeln!(out, "{:w$}image: {}", "", container.image, w = column + 4);
        if container.ports.is_empty() {
            continue;
        }
        line(out, column + 4, "ports:");
        for port in &container.ports {
            key(out, column + 8, true);
            let _ = writeln!(out, "name: {}", port.name);
            let _ = writeln!(out, "{:w$}containerPort: {}", "", port.number, w = column + 8);
            if port.explicit_protocol {
                let _ = writeln!(out, "{:w$}protocol: {}", "", port.protocol.as_str(), w = column + 8);
            }
        }
    }
}

fn render_service(out: &mut String, namespace: &Namespace, workload: &Workload) {
    let ports = workload.containers.iter().flat_map(|c| &c.ports);
    if !workload.kind.long_running() || workload.host_network || ports.clone().next().is_none() {
        return;
    }
    let _ = write!(
        out,
        "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: {}\n  namespace: {}\nspec:\n  selector:\n    app: {}\n    tier: {}\n  ports:\n",
        workload.name,
        namespace.name,
        workload.app,
        workload.tier.as_str()
    );
    for port in ports {
        let service_port = if port.name == "http" { 80 } else { port.number };
        let _ = write!(
            out,
            "    - name: {}\n      port: {}\n      protocol: {}\n      targetPort: {}\n",
            port.name,
            service_port,
            port.protocol.as_str(),
            port.name
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The policy model.

#[derive(Clone, Default, PartialEq, Eq)]
struct Selector {
    labels: Vec<(String, String)>,
    expressions: Vec<Expression>,
}

impl Selector {
    fn of(labels: &[(&str, &str)]) -> Self {
        Selector {
            labels: labels.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
            expressions: Vec::new(),
        }
    }

    fn with(expressions: Vec<Expression>) -> Self {
        Selector {
            labels: Vec::new(),
            expressions,
        }
    }

    fn is_empty(&self) -> bool {
        self.labels.is_empty() && self.expressions.is_empty()
    }
}

#[derive(Clone, PartialEq, Eq)]
struct Expression {
    key: String,
    operator: &'static str,
    values: Vec<String>,
}

impl Expression {
    fn new(key: &str, operator: &'static str, values: &[&str]) -> Self {
        Expression {
            key: key.to_owned(),
            operator,
            values: values.iter().map(|v| (*v).to_owned()).collect(),
        }
    }
}

#[derive(Clone, PartialEq, Eq)]
enum Peer {
    Pods(Selector),
    Namespaces(Selector),
    /// `namespaceSelector` and `podSelector` in one peer.
    Both(Selector, Selector),
    IpBlock {
        cidr: String,
        except: Vec<String>,
    },
}

impl Peer {
    fn ip(cidr: &str, except: &[&str]) -> Self {
        Peer::IpBlock {
            cidr: cidr.to_owned(),
            except: except.iter().map(|e| (*e).to_owned()).collect(),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum PortRef {
    Number(u16),
    Name(&'static str),
}

#[derive(Clone, PartialEq, Eq)]
struct PortEntry {
    protocol: Option<Protocol>,
    port: Option<PortRef>,
    end_port: Option<u16>,
}

#[derive(Clone, Default, PartialEq, Eq)]
struct Rule {
    peers: Vec<Peer>,
    ports: Vec<PortEntry>,
}

#[derive(Clone, PartialEq, Eq)]
struct Policy {
    namespace: usize,
    name: String,
    pod_selector: Selector,
    /// `(ingress, egress)` as written in `policyTypes`; `None` leaves the field out.
    types: Option<(bool, bool)>,
    ingress: Vec<Rule>,
    egress: Vec<Rule>,
}

impl Policy {
    fn is_default_deny(&self) -> bool {
        self.pod_selector.is_empty() && self.ingress.is_empty() && self.egress.is_empty()
    }
}

fn tcp(rng: &mut Rng, number: u16) -> PortEntry {
    PortEntry {
        protocol: if rng.chance(60) { Some(Protocol::Tcp) } else { None },
        port: Some(PortRef::Number(number)),
        end_port: None,
    }
}

fn proto(protocol: Protocol, number: u16) -> PortEntry {
    PortEntry {
        protocol: Some(protocol),
        port: Some(PortRef::Number(number)),
        end_port: None,
    }
}

/// The workload's own ports, by name or by number, as an ingress rule would list them.
fn ports_of(rng: &mut Rng, workload: &Workload) -> Vec<PortEntry> {
    let all: Vec<ContainerPort> = workload
        .containers
        .iter()
        .flat_map(|c| c.ports.iter().copied())
        .collect();
    if all.is_empty() {
        return vec![tcp(rng, 8080)];
    }
    let take = if all.len() > 1 && rng.chance(35) { 2 } else { 1 };
    let by_name = rng.chance(50);
    all.iter()
        .take(take)
        .map(|port| PortEntry {
            protocol: if port.protocol == Protocol::Tcp && rng.chance(50) {
                None
            } else {
                Some(port.protocol)
            },
            port: Some(if by_name {
                PortRef::Name(port.name)
            } else {
                PortRef::Number(port.number)
            }),
            end_port: None,
        })
        .collect()
}

fn target_selector(rng: &mut Rng, workload: &Workload) -> Selector {
    match rng.below(20) {
        0..=11 => Selector::of(&[("app", &workload.app), ("tier", workload.tier.as_str())]),
        12..=16 => Selector::of(&[("app", &workload.app)]),
        _ => Selector::of(&[("tier", workload.tier.as_str())]),
    }
}

fn build_policies(rng: &mut Rng, cluster: &Cluster, total: usize) -> Vec<Policy> {
    let namespace_count = cluster.namespaces.len();
    let default_denies = total.min(namespace_count);
    let mut counts = vec![0usize; namespace_count];
    for _ in default_denies..total {
        counts[rng.below(namespace_count)] += 1;
    }

    let mut policies = Vec::with_capacity(total);
    for (namespace, &count) in counts.iter().enumerate() {
        let mut names = HashSet::new();
        if namespace < default_denies {
            names.insert("default-deny-all".to_owned());
            policies.push(Policy {
                namespace,
                name: "default-deny-all".to_owned(),
                pod_selector: Selector::default(),
                types: Some((true, true)),
                ingress: Vec::new(),
                egress: Vec::new(),
            });
        }
        for _ in 0..count {
            let mut policy = allow_policy(rng, cluster, namespace);
            policy.name = unique(std::mem::take(&mut policy.name), &names);
            names.insert(policy.name.clone());
            policies.push(policy);
        }
    }
    policies
}

/// One allow policy in the given namespace, of a shape drawn at random.
fn allow_policy(rng: &mut Rng, cluster: &Cluster, namespace: usize) -> Policy {
    let ns = &cluster.namespaces[namespace];
    let mut policy = Policy {
        namespace,
        name: String::new(),
        pod_selector: Selector::default(),
        types: None,
        ingress: Vec::new(),
        egress: Vec::new(),
    };
    if ns.workloads.is_empty() {
        // Only the namespace-wide DNS policy makes sense without workloads.
        dns_policy(rng, &mut policy, None);
        return policy;
    }
    let shape = rng.weighted(&[24, 14, 6, 5, 10, 11, 6, 5, 6, 6, 4, 5, 5]);
    // The tiers each shape is written for: public ingress protects web servers, egress to
    // databases is for the api and workers, and so on.
    let tiers: &[Tier] = match shape {
        1 | 12 => &[Tier::Api, Tier::Web],
        5 | 6 | 11 => &[Tier::Api, Tier::Worker],
        7 => &[Tier::Api, Tier::Worker, Tier::Web],
        10 => &[Tier::Web],
        _ => &TIERS,
    };
    let w = pick_workload(rng, &ns.workloads, tiers);
    let app = w.app.as_str();
    let tier = w.tier.as_str();
    let explicit_ingress = |rng: &mut Rng| {
        if rng.chance(50) {
            Some((true, false))
        } else {
            None
        }
    };

    match shape {
        // Ingress from the tier in front of it, in the same namespace.
        0 => {
            let peers = match w.tier {
                Tier::Web => vec![Peer::Namespaces(Selector::of(&[("team", "platform")]))],
                Tier::Api => vec![Peer::Pods(Selector::of(&[("tier", "web")]))],
                Tier::Worker => vec![Peer::Pods(Selector::of(&[("tier", "api")]))],
                Tier::Db => vec![
                    Peer::Pods(Selector::of(&[("app", app), ("tier", "api")])),
                    Peer::Pods(Selector::of(&[("app", app), ("tier", "worker")])),
                ],
                Tier::Cache => vec![Peer::Pods(Selector::of(&[("app", app), ("tier", "api")]))],
            };
            let from = match w.tier {
                Tier::Web => "platform",
                Tier::Api => "web",
                Tier::Worker | Tier::Cache => "api",
                Tier::Db => "app",
            };
            policy.name = format!("allow-{app}-{tier}-from-{from}");
            policy.pod_selector = target_selector(rng, w);
            policy.types = explicit_ingress(rng);
            policy.ingress.push(Rule {
                peers,
                ports: ports_of(rng, w),
            });
        }
        // Ingress from another team's namespaces, optionally only from one of their apps.
        1 => {
            let other = &cluster.namespaces[rng.below(cluster.namespaces.len())];
            let by_team = Selector::of(&[("team", &other.team)]);
            let peer = match other.workloads.first() {
                Some(source) if rng.chance(50) => Peer::Both(by_team, Selector::of(&[("app", &source.app)])),
                _ => Peer::Namespaces(by_team),
            };
            policy.name = format!("allow-{app}-from-{}", other.team);
            policy.pod_selector = Selector::of(&[("app", app)]);
            policy.types = explicit_ingress(rng);
            let ports = ports_of(rng, w)
                .into_iter()
                .map(|mut entry| {
                    if let Some(PortRef::Name(name)) = entry.port {
                        let number = w.containers.iter().flat_map(|c| &c.ports).find(|p| p.name == name);
                        entry.port = number.map(|p| PortRef::Number(p.number)).or(entry.port);
                    }
                    entry
                })
                .collect();
            policy.ingress.push(Rule {
                peers: vec![peer],
                ports,
            });
        }
        // Ingress from a set of teams by matchExpressions.
        2 => {
            let first = rng.pick(&cluster.teams).as_str();
            let second = rng.pick(&cluster.teams).as_str();
            let mut expressions = vec![if first == second {
                Expression::new("team", "In", &[first])
            } else {
                Expression::new("team", "In", &[first, second])
            }];
            if rng.chance(40) {
                expressions.push(Expression::new("env", "NotIn", &["dev"]));
            }
            let peer = if rng.chance(40) {
                Peer::Both(Selector::with(expressions), Selector::of(&[("tier", "api")]))
            } else {
                Peer::Namespaces(Selector::with(expressions))
            };
            policy.name = format!("allow-{app}-from-teams");
            policy.pod_selector = target_selector(rng, w);
            policy.types = explicit_ingress(rng);
            policy.ingress.push(Rule {
                peers: vec![peer],
                ports: ports_of(rng, w),
            });
        }
        // A port range.
        3 => {
            let (start, end, protocol) = *rng.pick(&[
                (8000, 8099, Protocol::Tcp),
                (30000, 30100, Protocol::Tcp),
                (5000, 5010, Protocol::Udp),
                (9100, 9110, Protocol::Tcp),
            ]);
            policy.name = format!("allow-{app}-port-range");
            policy.pod_selector = Selector::of(&[("app", app)]);
            policy.types = explicit_ingress(rng);
            let peers = if rng.chance(50) {
                vec![Peer::Pods(Selector::default())]
            } else {
                Vec::new()
            };
            policy.ingress.push(Rule {
                peers,
                ports: vec![PortEntry {
                    protocol: Some(protocol),
                    port: Some(PortRef::Number(start)),
                    end_port: Some(end),
                }],
            });
        }
        // DNS egress to kube-system.
        4 => dns_policy(rng, &mut policy, Some(w)),
        // Egress to the app's databases and caches.
        5 => {
            let db = ns.workloads.iter().find(|x| x.app == w.app && x.tier == Tier::Db);
            let db_port = db
                .and_then(|d| d.containers[0].ports.first())
                .map_or(PortRef::Number(5432), |p| {
                    if rng.chance(50) {
                        PortRef::Name(p.name)
                    } else {
                        PortRef::Number(p.number)
                    }
                });
            policy.name = format!("allow-{app}-{tier}-egress-backends");
            policy.pod_selector = Selector::of(&[("app", app), ("tier", tier)]);
            policy.types = Some((false, true));
            policy.egress.push(Rule {
                peers: vec![Peer::Pods(Selector::of(&[("app", app), ("tier", "db")]))],
                ports: vec![PortEntry {
                    protocol: Some(Protocol::Tcp),
                    port: Some(db_port),
                    end_port: None,
                }],
            });
            if rng.chance(50) {
                policy.egress.push(Rule {
                    peers: vec![Peer::Pods(Selector::of(&[("tier", "cache")]))],
                    ports: vec![tcp(rng, 6379)],
                });
            }
        }
        // Egress to a private subnet.
        6 => {
            let (x, y) = (rng.below(256), rng.below(256));
            let cidr = format!("10.{x}.{y}.0/24");
            let except = format!("10.{x}.{y}.128/25");
            let peer = if rng.chance(70) {
                Peer::ip(&cidr, &[&except])
            } else {
                Peer::ip(&cidr, &[])
            };
            policy.name = format!("allow-{app}-egress-10-{x}-{y}");
            policy.pod_selector = target_selector(rng, w);
            policy.types = Some((false, true));
            let number = *rng.pick(&[443, 5432, 9092, 6443]);
            let mut ports = vec![tcp(rng, number)];
            if rng.chance(30) {
                ports.push(tcp(rng, 8443));
            }
            policy.egress.push(Rule {
                peers: vec![peer],
                ports,
            });
        }
        // Egress to the internet, not to private ranges.
        7 => {
            let mut peers = vec![Peer::ip(
                "0.0.0.0/0",
                &["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"],
            )];
            if rng.chance(35) {
                peers.push(Peer::ip("::/0", &["fc00::/7"]));
            } else if rng.chance(25) {
                peers.push(Peer::ip(&format!("2001:db8:{:x}::/48", rng.below(0x10000)), &[]));
            }
            policy.name = format!("allow-{app}-egress-internet");
            policy.pod_selector = Selector::of(&[("app", app)]);
            policy.types = Some((false, true));
            let mut ports = vec![tcp(rng, 443)];
            if rng.chance(30) {
                ports.push(tcp(rng, 80));
            }
            policy.egress.push(Rule { peers, ports });
        }
        // Selection and peers by matchExpressions.
        8 => {
            let mut selected = vec![Expression::new("tier", "In", &["web", "api"])];
            if rng.chance(50) {
                selected.push(Expression::new("app", "Exists", &[]));
            }
            let mut from = vec![
                Expression::new("app", "Exists", &[]),
                Expression::new("tier", "NotIn", &["db", "cache"]),
            ];
            if rng.chance(50) {
                from.push(Expression::new("track", "DoesNotExist", &[]));
            }
            "allow-frontends-from-labelled".clone_into(&mut policy.name);
            policy.pod_selector = Selector::with(selected);
            policy.types = explicit_ingress(rng);
            policy.ingress.push(Rule {
                peers: vec![Peer::Pods(Selector::with(from))],
                ports: vec![tcp(rng, 8080)],
            });
        }
        // Metrics scraping from the platform namespace, by port name.
        9 => {
            "allow-metrics-scrape".clone_into(&mut policy.name);
            policy.pod_selector = if rng.chance(50) {
                Selector::default()
            } else {
                Selector::of(&[("app", app)])
            };
            policy.types = explicit_ingress(rng);
            policy.ingress.push(Rule {
                peers: vec![Peer::Both(
                    Selector::of(&[("kubernetes.io/metadata.name", "platform")]),
                    Selector::of(&[("app", "prometheus")]),
                )],
                ports: vec![PortEntry {
                    protocol: None,
                    port: Some(PortRef::Name("metrics")),
                    end_port: None,
                }],
            });
        }
        // Public ingress from anywhere.
        10 => {
            policy.name = format!("allow-{app}-public");
            policy.pod_selector = Selector::of(&[("app", app), ("tier", tier)]);
            policy.types = explicit_ingress(rng);
            let mut ports = vec![tcp(rng, 8080)];
            if rng.chance(50) {
                ports.push(tcp(rng, 8443));
            }
            policy.ingress.push(Rule {
                peers: Vec::new(),
                ports,
            });
        }
        // Ingress and egress in one policy.
        11 => {
            policy.name = format!("{app}-{tier}-traffic");
            policy.pod_selector = Selector::of(&[("app", app), ("tier", tier)]);
            policy.types = Some((true, true));
            policy.ingress.push(Rule {
                peers: vec![Peer::Pods(Selector::of(&[("app", app)]))],
                ports: ports_of(rng, w),
            });
            policy.egress.push(Rule {
                peers: vec![Peer::Pods(Selector::of(&[("tier", "db")]))],
                ports: vec![PortEntry {
                    protocol: None,
                    port: Some(PortRef::Name("postgres")),
                    end_port: None,
                }],
            });
            policy.egress.push(Rule {
                peers: vec![Peer::Both(
                    Selector::of(&[("kubernetes.io/metadata.name", "kube-system")]),
                    Selector::of(&[("k8s-app", "kube-dns")]),
                )],
                ports: vec![proto(Protocol::Udp, 53), proto(Protocol::Tcp, 53)],
            });
        }
        // Several ingress rules.
        _ => {
            let other = &cluster.namespaces[rng.below(cluster.namespaces.len())];
            policy.name = format!("allow-{app}-{tier}-clients");
            policy.pod_selector = target_selector(rng, w);
            policy.types = explicit_ingress(rng);
            policy.ingress.push(Rule {
                peers: vec![Peer::Pods(Selector::of(&[("tier", "web")]))],
                ports: vec![tcp(rng, 8080)],
            });
            policy.ingress.push(Rule {
                peers: vec![
                    Peer::Namespaces(Selector::of(&[("kubernetes.io/metadata.name", &other.name)])),
                    Peer::Namespaces(Selector::of(&[("team", &ns.team)])),
                ],
                ports: vec![PortEntry {
                    protocol: None,
                    port: Some(PortRef::Name("grpc")),
                    end_port: None,
                }],
            });
        }
    }
    policy
}

/// A workload of one of `tiers`, or of any tier if the namespace has none.
fn pick_workload<'a>(rng: &mut Rng, workloads: &'a [Workload], tiers: &[Tier]) -> &'a Workload {
    let fitting: Vec<&Workload> = workloads.iter().filter(|w| tiers.contains(&w.tier)).collect();
    if fitting.is_empty() {
        rng.pick(workloads)
    } else {
        fitting[rng.below(fitting.len())]
    }
}

fn dns_policy(rng: &mut Rng, policy: &mut Policy, workload: Option<&Workload>) {
    match workload {
        Some(w) if rng.chance(60) => {
            policy.name = format!("allow-{}-dns", w.app);
            policy.pod_selector = Selector::of(&[("app", &w.app)]);
        }
        _ => {
            "allow-dns".clone_into(&mut policy.name);
            policy.pod_selector = Selector::default();
        }
    }
    policy.types = Some((false, true));
    let kube_system = Selector::of(&[("kubernetes.io/metadata.name", "kube-system")]);
    let peer = if rng.chance(70) {
        Peer::Both(kube_system, Selector::of(&[("k8s-app", "kube-dns")]))
    } else {
        Peer::Namespaces(kube_system)
    };
    policy.egress.push(Rule {
        peers: vec![peer],
        ports: vec![proto(Protocol::Udp, 53), proto(Protocol::Tcp, 53)],
    });
}

// ---------------------------------------------------------------------------------------------
// The head version: realistic edits to chosen policies.

/// For each base policy, its head version if it changes.
fn change_policies(rng: &mut Rng, cluster: &Cluster, policies: &[Policy], changes: usize) -> Vec<Option<Policy>> {
    let (mut allows, mut denies): (Vec<usize>, Vec<usize>) =
        (0..policies.len()).partition(|&i| !policies[i].is_default_deny());
    rng.shuffle(&mut allows);
    rng.shuffle(&mut denies);
    let mut head = vec![None; policies.len()];
    for index in allows.into_iter().chain(denies).take(changes) {
        let mut policy = policies[index].clone();
        change_policy(rng, cluster, &mut policy);
        if policy == policies[index] {
            // Unreachable with the edits below, but the count must be exact.
            policy.ingress.push(Rule::default());
        }
        head[index] = Some(policy);
    }
    head
}

fn change_policy(rng: &mut Rng, cluster: &Cluster, policy: &mut Policy) {
    if policy.is_default_deny() {
        if rng.chance(50) {
            // Someone drops the egress default deny.
            policy.types = Some((true, false));
        } else {
            allow_same_namespace(policy);
        }
        return;
    }
    let mut edits = [0, 1, 2, 3];
    rng.shuffle(&mut edits);
    for edit in edits {
        let done = match edit {
            0 => add_port(rng, policy),
            1 => widen_selector(rng, cluster, policy),
            2 => remove_rule(rng, policy),
            _ => change_label(rng, cluster, policy),
        };
        if done {
            return;
        }
    }
    allow_same_namespace(policy);
}

fn allow_same_namespace(policy: &mut Policy) {
    policy.ingress.push(Rule {
        peers: vec![Peer::Pods(Selector::default())],
        ports: Vec::new(),
    });
    if let Some((ingress, _)) = &mut policy.types {
        *ingress = true;
    }
}

fn add_port(rng: &mut Rng, policy: &mut Policy) -> bool {
    let mut rules: Vec<&mut Rule> = policy
        .ingress
        .iter_mut()
        .chain(policy.egress.iter_mut())
        .filter(|rule| !rule.ports.is_empty())
        .collect();
    if rules.is_empty() {
        return false;
    }
    let pick = rng.below(rules.len());
    let rule = &mut *rules[pick];
    let candidates = [8443, 9091, 8081, 443, 5000, 8000, 9443];
    let offset = rng.below(candidates.len());
    for i in 0..candidates.len() {
        let number = candidates[(offset + i) % candidates.len()];
        if rule.ports.iter().all(|p| p.port != Some(PortRef::Number(number))) {
            rule.ports.push(tcp(rng, number));
            return true;
        }
    }
    false
}

fn widen_selector(rng: &mut Rng, cluster: &Cluster, policy: &mut Policy) -> bool {
    enum Target<'a> {
        Selector(bool, &'a mut Selector),
        Except(&'a mut Vec<String>),
    }
    let Policy {
        pod_selector,
        ingress,
        egress,
        ..
    } = policy;
    let mut targets = Vec::new();
    if pod_selector.labels.len() >= 2 {
        targets.push(Target::Selector(false, pod_selector));
    }
    for rule in ingress.iter_mut().chain(egress.iter_mut()) {
        for peer in &mut rule.peers {
            match peer {
                Peer::Pods(s) => targets.push(Target::Selector(false, s)),
                Peer::Namespaces(s) => targets.push(Target::Selector(true, s)),
                Peer::Both(n, s) => {
                    targets.push(Target::Selector(true, n));
                    targets.push(Target::Selector(false, s));
                }
                Peer::IpBlock { except, .. } => targets.push(Target::Except(except)),
            }
        }
    }
    targets.retain(|t| match t {
        Target::Selector(_, s) => !s.is_empty(),
        Target::Except(e) => !e.is_empty(),
    });
    if targets.is_empty() {
        return false;
    }
    let pick = rng.below(targets.len());
    match targets.swap_remove(pick) {
        Target::Except(except) => except.clear(),
        Target::Selector(_, selector) if selector.labels.len() >= 2 => {
            selector.labels.pop();
        }
        Target::Selector(_, selector) if !selector.expressions.is_empty() => {
            selector.expressions.pop();
        }
        Target::Selector(true, selector) if selector.labels[0].0 == "team" => {
            // One team becomes a set of teams.
            let team = selector.labels.remove(0).1;
            let other = cluster.teams.iter().find(|t| **t != team).unwrap_or(&team).clone();
            selector.expressions.push(Expression {
                key: "team".to_owned(),
                operator: "In",
                values: vec![team, other],
            });
        }
        Target::Selector(_, selector) => selector.labels.clear(),
    }
    true
}

fn remove_rule(rng: &mut Rng, policy: &mut Policy) -> bool {
    if policy.ingress.len() >= 2 {
        let at = rng.below(policy.ingress.len());
        policy.ingress.remove(at);
        return true;
    }
    if policy.egress.len() >= 2 {
        let at = rng.below(policy.egress.len());
        policy.egress.remove(at);
        return true;
    }
    for rule in policy.ingress.iter_mut().chain(policy.egress.iter_mut()) {
        if rule.peers.len() >= 2 {
            let at = rng.below(rule.peers.len());
            rule.peers.remove(at);
            return true;
        }
        if rule.ports.len() >= 2 {
            let at = rng.below(rule.ports.len());
            rule.ports.remove(at);
            return true;
        }
    }
    false
}

fn change_label(rng: &mut Rng, cluster: &Cluster, policy: &mut Policy) -> bool {
    let namespace = &cluster.namespaces[policy.namespace];
    let Policy {
        pod_selector,
        ingress,
        egress,
        ..
    } = policy;
    let mut selectors = vec![pod_selector];
    for rule in ingress.iter_mut().chain(egress.iter_mut()) {
        for peer in &mut rule.peers {
            match peer {
                Peer::Pods(s) | Peer::Namespaces(s) => selectors.push(s),
                Peer::Both(n, s) => {
                    selectors.push(n);
                    selectors.push(s);
                }
                Peer::IpBlock { .. } => {}
            }
        }
    }
    let mut labels: Vec<&mut (String, String)> = selectors
        .into_iter()
        .flat_map(|s| s.labels.iter_mut())
        .filter(|(key, value)| {
            value != "kube-system" && matches!(key.as_str(), "app" | "tier" | "team" | "kubernetes.io/metadata.name")
        })
        .collect();
    if labels.is_empty() {
        return false;
    }
    let pick = rng.below(labels.len());
    let (key, value) = &mut *labels[pick];
    let choices: Vec<&str> = match key.as_str() {
        "tier" => TIERS.iter().map(|t| t.as_str()).collect(),
        "team" => cluster.teams.iter().map(String::as_str).collect(),
        "app" => namespace.workloads.iter().map(|w| w.app.as_str()).collect(),
        _ => cluster.namespaces.iter().map(|n| n.name.as_str()).collect(),
    };
    let choices: Vec<&str> = choices.into_iter().filter(|c| c != value).collect();
    let new = if choices.is_empty() {
        format!("{value}-v2")
    } else {
        (*rng.pick(&choices)).to_owned()
    };
    *value = new;
    true
}

// ---------------------------------------------------------------------------------------------
// Rendering of policies.

fn render_policy(out: &mut String, cluster: &Cluster, policy: &Policy) {
    let _ = write!(
        out,
        "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {}\n  namespace: {}\nspec:\n",
        policy.name, cluster.namespaces[policy.namespace].name
    );
    render_selector(out, 2, false, "podSelector", &policy.pod_selector);
    if let Some((ingress, egress)) = policy.types {
        line(out, 2, "policyTypes:");
        if ingress {
            line(out, 4, "- Ingress");
        }
        if egress {
            line(out, 4, "- Egress");
        }
    }
    render_rules(out, "ingress", "from", &policy.ingress);
    render_rules(out, "egress", "to", &policy.egress);
}

fn render_selector(out: &mut String, column: usize, item: bool, name: &str, selector: &Selector) {
    key(out, column, item);
    out.push_str(name);
    if selector.is_empty() {
        out.push_str(": {}\n");
        return;
    }
    out.push_str(":\n");
    if !selector.labels.is_empty() {
        line(out, column + 2, "matchLabels:");
        for (k, v) in &selector.labels {
            let _ = writeln!(out, "{:w$}{k}: {v}", "", w = column + 4);
        }
    }
    if !selector.expressions.is_empty() {
        line(out, column + 2, "matchExpressions:");
        for expression in &selector.expressions {
            key(out, column + 6, true);
            let _ = writeln!(out, "key: {}", expression.key);
            let _ = writeln!(out, "{:w$}operator: {}", "", expression.operator, w = column + 6);
            if !expression.values.is_empty() {
                line(out, column + 6, "values:");
                for value in &expression.values {
                    key(out, column + 10, true);
                    out.push_str(value);
                    out.push('\n');
                }
            }
        }
    }
}

fn render_rules(out: &mut String, field: &str, peers_field: &str, rules: &[Rule]) {
    if rules.is_empty() {
        return;
    }
    let _ = writeln!(out, "  {field}:");
    for rule in rules {
        if rule.peers.is_empty() && rule.ports.is_empty() {
            line(out, 4, "- {}");
            continue;
        }
        let mut item = true;
        if !rule.peers.is_empty() {
            key(out, 6, true);
            let _ = writeln!(out, "{peers_field}:");
            item = false;
            for peer in &rule.peers {
                render_peer(out, peer);
            }
        }
        if !rule.ports.is_empty() {
            key(out, 6, item);
            out.push_str("ports:\n");
            for port in &rule.ports {
                render_port(out, port);
            }
        }
    }
}

fn render_peer(out: &mut String, peer: &Peer) {
    match peer {
        Peer::Pods(selector) => render_selector(out, 10, true, "podSelector", selector),
        Peer::Namespaces(selector) => render_selector(out, 10, true, "namespaceSelector", selector),
        Peer::Both(namespaces, pods) => {
            render_selector(out, 10, true, "namespaceSelector", namespaces);
            render_selector(out, 10, false, "podSelector", pods);
        }
        Peer::IpBlock { cidr, except } => {
            line(out, 8, "- ipBlock:");
            let _ = writeln!(out, "            cidr: {}", quote_cidr(cidr));
            if !except.is_empty() {
                line(out, 12, "except:");
                for e in except {
                    let _ = writeln!(out, "              - {}", quote_cidr(e));
                }
            }
        }
    }
}

/// IPv6 prefixes are quoted: a plain scalar starting with `::` trips some YAML parsers.
fn quote_cidr(cidr: &str) -> String {
    if cidr.contains(':') {
        format!("\"{cidr}\"")
    } else {
        cidr.to_owned()
    }
}

fn render_port(out: &mut String, port: &PortEntry) {
    let mut item = true;
    if let Some(protocol) = port.protocol {
        key(out, 10, item);
        let _ = writeln!(out, "protocol: {}", protocol.as_str());
        item = false;
    }
    if let Some(number) = port.port {
        key(out, 10, item);
        match number {
            PortRef::Number(n) => {
                let _ = writeln!(out, "port: {n}");
            }
            PortRef::Name(name) => {
                let _ = writeln!(out, "port: {name}");
            }
        }
        item = false;
    }
    if let Some(end) = port.end_port {
        key(out, 10, item);
        let _ = writeln!(out, "endPort: {end}");
        item = false;
    }
    if item {
        line(out, 8, "- {}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize as _;
    use serde_yaml::Value;
    use std::collections::BTreeMap;

    const WORKLOAD_KINDS: &[&str] = &[
        "Pod",
        "Deployment",
        "StatefulSet",
        "DaemonSet",
        "ReplicaSet",
        "ReplicationController",
        "Job",
        "CronJob",
    ];

    fn config(seed: u64, workloads: usize, policies: usize, changed_policies: usize) -> GeneratorConfig {
        GeneratorConfig {
            seed,
            workloads,
            policies,
            changed_policies,
        }
    }

    /// Every document of every file, parsed; panics on invalid YAML.
    fn documents(files: &[SourceFile]) -> Vec<(String, Value)> {
        let mut out = Vec::new();
        for file in files {
            for (index, document) in serde_yaml::Deserializer::from_str(&file.text).enumerate() {
                let value =
                    Value::deserialize(document).unwrap_or_else(|e| panic!("{} document {index}: {e}", file.path));
                assert!(value.is_mapping(), "{} document {index} is not an object", file.path);
                out.push((file.path.clone(), value));
            }
        }
        out
    }

    fn kind(value: &Value) -> &str {
        value["kind"].as_str().unwrap_or_default()
    }

    fn object_key(value: &Value) -> (String, String, String) {
        let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
        (
            text(&value["kind"]),
            text(&value["metadata"]["namespace"]),
            text(&value["metadata"]["name"]),
        )
    }

    fn count(documents: &[(String, Value)], kinds: &[&str]) -> usize {
        documents.iter().filter(|(_, v)| kinds.contains(&kind(v))).count()
    }

    const CONFIGS: &[(u64, usize, usize, usize)] = &[
        (1, 600, 300, 50),
        (2, 300, 40, 40),
        (3, 5, 3, 3),
        (4, 0, 0, 0),
        (5, 1, 7, 10),
        (6, 120, 2, 1),
        (7, 400, 150, 0),
    ];

    #[test]
    fn same_seed_gives_identical_bytes() {
        let a = generate(&config(42, 800, 300, 20));
        let b = generate(&config(42, 800, 300, 20));
        assert_eq!(a, b);
    }

    #[test]
    fn different_seeds_give_different_clusters() {
        let a = generate(&config(1, 800, 300, 20));
        let b = generate(&config(2, 800, 300, 20));
        assert_ne!(a.base, b.base);
        assert_ne!(a.head, b.head);
    }

    #[test]
    fn base_does_not_depend_on_the_number_of_changes() {
        let a = generate(&config(9, 500, 200, 0));
        let b = generate(&config(9, 500, 200, 60));
        assert_eq!(a.base, b.base);
        assert_eq!(a.base, a.head);
    }

    #[test]
    fn counts_are_exact() {
        for &(seed, workloads, policies, changed) in CONFIGS {
            let cluster = generate(&config(seed, workloads, policies, changed));
            for files in [&cluster.base, &cluster.head] {
                let docs = documents(files);
                assert_eq!(count(&docs, WORKLOAD_KINDS), workloads, "workloads, seed {seed}");
                assert_eq!(count(&docs, &["NetworkPolicy"]), policies, "policies, seed {seed}");
            }
        }
    }

    #[test]
    fn namespaces_scale_with_workloads_and_have_their_labels() {
        for (workloads, expected) in [(0, 2), (40, 2), (2_000, 50), (10_000, 250)] {
            let cluster = generate(&config(3, workloads, 10, 0));
            assert_eq!(cluster.base[0].path, "namespaces.yaml");
            let docs = documents(&cluster.base[..1]);
            let namespaces: Vec<&Value> = docs.iter().map(|(_, v)| v).filter(|v| kind(v) == "Namespace").collect();
            // Plus kube-system.
            assert_eq!(namespaces.len(), expected + 1);
            for namespace in namespaces {
                let labels = &namespace["metadata"]["labels"];
                assert_eq!(labels["kubernetes.io/metadata.name"], namespace["metadata"]["name"]);
                if namespace["metadata"]["name"] != "kube-system" {
                    assert!(labels["team"].is_string());
                }
            }
        }
    }

    #[test]
    fn objects_are_unique_and_live_in_declared_namespaces() {
        let cluster = generate(&config(11, 1_000, 500, 50));
        for files in [&cluster.base, &cluster.head] {
            let docs = documents(files);
            let declared: HashSet<&str> = docs
                .iter()
                .filter(|(_, v)| kind(v) == "Namespace")
                .filter_map(|(_, v)| v["metadata"]["name"].as_str())
                .collect();
            let mut seen = HashSet::new();
            for (path, value) in &docs {
                let key = object_key(value);
                assert!(seen.insert(key.clone()), "{path}: duplicate {key:?}");
                if key.0 != "Namespace" {
                    assert!(
                        declared.contains(key.1.as_str()),
                        "{path}: undeclared namespace in {key:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_workload_kind_and_policy_feature_appears() {
        let cluster = generate(&config(5, 1_000, 500, 0));
        let docs = documents(&cluster.base);
        for wanted in WORKLOAD_KINDS.iter().chain(&["Service", "Namespace", "NetworkPolicy"]) {
            assert!(docs.iter().any(|(_, v)| kind(v) == *wanted), "no {wanted}");
        }
        let all: String = cluster.base.iter().map(|f| f.text.as_str()).collect();
        for feature in [
            "endPort:",
            "port: http",
            "port: 5432",
            "protocol: UDP",
            "namespaceSelector:",
            "matchExpressions:",
            "operator: In",
            "operator: NotIn",
            "operator: Exists",
            "operator: DoesNotExist",
            "except:",
            "cidr: 0.0.0.0/0",
            "cidr: \"",
            "kubernetes.io/metadata.name: kube-system",
            "hostNetwork: true",
            "- Egress",
        ] {
            assert!(all.contains(feature), "no {feature}");
        }
    }

    #[test]
    fn head_changes_exactly_the_requested_policies() {
        for &(seed, workloads, policies, changed) in CONFIGS {
            let cluster = generate(&config(seed, workloads, policies, changed));
            let paths = |files: &[SourceFile]| files.iter().map(|f| f.path.clone()).collect::<Vec<_>>();
            assert_eq!(paths(&cluster.base), paths(&cluster.head));

            let by_key = |files: &[SourceFile]| -> BTreeMap<(String, String, String), Value> {
                documents(files).into_iter().map(|(_, v)| (object_key(&v), v)).collect()
            };
            let base = by_key(&cluster.base);
            let head = by_key(&cluster.head);
            assert_eq!(base.keys().collect::<Vec<_>>(), head.keys().collect::<Vec<_>>());
            let differing: Vec<_> = base.keys().filter(|k| base[*k] != head[*k]).collect();
            assert_eq!(differing.len(), changed.min(policies), "seed {seed}");
            assert!(differing.iter().all(|k| k.0 == "NetworkPolicy"));

            // Files without a changed policy are byte-identical.
            for (b, h) in cluster.base.iter().zip(&cluster.head) {
                if !b.path.starts_with("policies-") {
                    assert_eq!(b, h);
                }
            }
        }
    }

    fn valid_label_value(value: &str) -> bool {
        value.len() <= 63
            && (value.is_empty()
                || (value.starts_with(|c: char| c.is_ascii_alphanumeric())
                    && value.ends_with(|c: char| c.is_ascii_alphanumeric())
                    && value.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))))
    }

    /// Checks label values and port numbers anywhere in `value`; returns how many it checked.
    fn check(value: &Value, path: &str) -> usize {
        let mut checked = 0;
        match value {
            Value::Mapping(map) => {
                for (k, v) in map {
                    let key = k.as_str().unwrap_or_else(|| panic!("{path}: non-string key {k:?}"));
                    let is_service_selector = key == "selector" && v.get("matchLabels").is_none();
                    if matches!(key, "labels" | "matchLabels") || is_service_selector {
                        let labels = v.as_mapping().unwrap_or_else(|| panic!("{path}.{key} not a map"));
                        for (_, label) in labels {
                            let label = label.as_str().unwrap_or_else(|| panic!("{path}.{key}: {label:?}"));
                            assert!(valid_label_value(label), "{path}.{key}: {label:?}");
                            checked += 1;
                        }
                    }
                    if key == "values" {
                        for label in v.as_sequence().unwrap_or_else(|| panic!("{path}.values")) {
                            let label = label.as_str().unwrap_or_else(|| panic!("{path}.values: {label:?}"));
                            assert!(valid_label_value(label), "{path}.values: {label:?}");
                            checked += 1;
                        }
                    }
                    if matches!(key, "containerPort" | "port" | "endPort" | "targetPort") {
                        if let Some(n) = v.as_u64() {
                            assert!((1..=65_535).contains(&n), "{path}.{key}: {n}");
                            checked += 1;
                        } else {
                            let name = v.as_str().unwrap_or_else(|| panic!("{path}.{key}: {v:?}"));
                            assert!(name.len() <= 15 && name.chars().any(|c| c.is_ascii_lowercase()));
                        }
                    }
                    if key == "endPort" {
                        let start = map.get("port").and_then(Value::as_u64).expect("endPort without port");
                        assert!(v.as_u64().unwrap() >= start, "{path}: endPort below port");
                    }
                    checked += check(v, &format!("{path}.{key}"));
                }
            }
            Value::Sequence(items) => {
                for (i, item) in items.iter().enumerate() {
                    checked += check(item, &format!("{path}[{i}]"));
                }
            }
            _ => {}
        }
        checked
    }

    #[test]
    fn label_values_and_ports_are_valid() {
        for &(seed, workloads, policies, changed) in CONFIGS {
            let cluster = generate(&config(seed, workloads, policies, changed));
            for files in [&cluster.base, &cluster.head] {
                let mut checked = 0;
                for (path, value) in documents(files) {
                    checked += check(&value, &path);
                }
                assert!(workloads == 0 || checked > 0);
            }
        }
    }

    #[test]
    fn documents_deserialize_into_kubernetes_types() {
        use k8s_openapi::api::networking::v1::NetworkPolicy;
        use k8s_openapi::api::{apps::v1 as apps, batch::v1 as batch, core::v1 as core};

        fn parse<T: serde::de::DeserializeOwned>(path: &str, value: &Value) {
            if let Err(e) = serde_yaml::from_value::<T>(value.clone()) {
                panic!("{path}: {:?}: {e}", object_key(value));
            }
        }
        let cluster = generate(&config(21, 1_000, 500, 100));
        for files in [&cluster.base, &cluster.head] {
            for (path, value) in documents(files) {
                match kind(&value) {
                    "Namespace" => parse::<core::Namespace>(&path, &value),
                    "Service" => parse::<core::Service>(&path, &value),
                    "Pod" => parse::<core::Pod>(&path, &value),
                    "ReplicationController" => parse::<core::ReplicationController>(&path, &value),
                    "Deployment" => parse::<apps::Deployment>(&path, &value),
                    "StatefulSet" => parse::<apps::StatefulSet>(&path, &value),
                    "DaemonSet" => parse::<apps::DaemonSet>(&path, &value),
                    "ReplicaSet" => parse::<apps::ReplicaSet>(&path, &value),
                    "Job" => parse::<batch::Job>(&path, &value),
                    "CronJob" => parse::<batch::CronJob>(&path, &value),
                    "NetworkPolicy" => parse::<NetworkPolicy>(&path, &value),
                    other => panic!("{path}: unexpected kind {other:?}"),
                }
            }
        }
    }

    #[test]
    fn rng_is_uniform_enough() {
        let mut rng = Rng::new(0);
        let mut buckets = [0usize; 10];
        for _ in 0..100_000 {
            buckets[rng.below(10)] += 1;
        }
        assert!(buckets.iter().all(|&b| (9_000..11_000).contains(&b)), "{buckets:?}");
    }
}
