//! The normalised cluster model: what the engine evaluates.
//!
//! Parsing turns raw Kubernetes objects into these types once: defaults applied
//! (`policyTypes`, protocol TCP, namespace `default`), selectors parsed, CIDRs converted
//! into IP sets, pods folded into their controllers. Only valid objects reach the model —
//! invalid ones become [`Diagnostic`](crate::diagnostic::Diagnostic)s instead — so the engine
//! never has to re-check anything.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::ipset::IpSet;
use crate::ports::Protocol;
use crate::selector::Selector;
use crate::source::{Location, ObjectRef, Origin};

/// Labels as Kubernetes stores them: sorted for determinism.
pub type Labels = BTreeMap<String, String>;

/// Everything parsed from one side (base or head) of the input.
#[derive(Debug, Clone, Default)]
pub struct Model {
    /// Every namespace mentioned anywhere (declared or only referenced by an object), by name.
    pub namespaces: BTreeMap<String, Namespace>,
    /// Endpoints, sorted by id.
    pub workloads: Vec<Workload>,
    pub policies: Vec<NetworkPolicy>,
    /// AdminNetworkPolicies, sorted by priority then name.
    pub admin_policies: Vec<AdminPolicy>,
    /// The BaselineAdminNetworkPolicy named `default`, if given.
    pub baseline_policy: Option<AdminPolicy>,
    pub services: Vec<Service>,
    /// Documents that were read but are not kinds netreach models, by `apiVersion/kind`.
    pub skipped: BTreeMap<String, SkippedKind>,
    /// Parse and validation findings (errors mean the object was skipped).
    pub diagnostics: Vec<crate::diagnostic::Diagnostic>,
}

/// Documents of a kind netreach does not model: how many, and where the first few are.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SkippedKind {
    pub count: usize,
    /// Up to a handful of places, so users can find them.
    pub examples: Vec<Location>,
}

#[derive(Debug, Clone)]
pub struct Namespace {
    pub name: String,
    /// Declared labels plus the implicit `kubernetes.io/metadata.name=<name>`.
    pub labels: Labels,
    /// Present when declared by a Namespace object, absent when only referenced.
    pub origin: Option<Origin>,
}

/// Kinds of workload that become endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum WorkloadKind {
    Pod,
    Deployment,
    StatefulSet,
    DaemonSet,
    ReplicaSet,
    ReplicationController,
    Job,
    CronJob,
}

impl WorkloadKind {
    pub const ALL: [WorkloadKind; 8] = [
        WorkloadKind::Pod,
        WorkloadKind::Deployment,
        WorkloadKind::StatefulSet,
        WorkloadKind::DaemonSet,
        WorkloadKind::ReplicaSet,
        WorkloadKind::ReplicationController,
        WorkloadKind::Job,
        WorkloadKind::CronJob,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WorkloadKind::Pod => "Pod",
            WorkloadKind::Deployment => "Deployment",
            WorkloadKind::StatefulSet => "StatefulSet",
            WorkloadKind::DaemonSet => "DaemonSet",
            WorkloadKind::ReplicaSet => "ReplicaSet",
            WorkloadKind::ReplicationController => "ReplicationController",
            WorkloadKind::Job => "Job",
            WorkloadKind::CronJob => "CronJob",
        }
    }

    pub fn parse(kind: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == kind)
    }
}

/// A named container port of a workload's pod template.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct NamedPort {
    pub name: String,
    pub port: u16,
    pub protocol: Protocol,
}

/// One endpoint: a workload (or bare Pod) with its pod template's labels and ports.
#[derive(Debug, Clone)]
pub struct Workload {
    /// `namespace/Kind/name`. Shared strings, because every analysis' endpoints name the
    /// workload too.
    pub id: std::sync::Arc<str>,
    pub namespace: std::sync::Arc<str>,
    pub kind: WorkloadKind,
    pub name: std::sync::Arc<str>,
    /// Pod template labels (what pod selectors see). Shared, because the engine's classes and
    /// the analysis' endpoints hold the same labels and cloning them dominated analysis time.
    pub labels: std::sync::Arc<Labels>,
    /// Named container ports, sorted; unnamed ports are irrelevant to policy. Shared with the
    /// engine's classes like `labels`.
    pub named_ports: std::sync::Arc<[NamedPort]>,
    /// `hostNetwork: true` pods are not subject to NetworkPolicy and not selectable by pod selectors.
    pub host_network: bool,
    /// True when one endpoint stands for several pods that talk to each other under policy
    /// (controllers); false for a bare Pod, whose traffic to itself is loopback.
    pub replicated: bool,
    pub origin: Origin,
}

impl Workload {
    pub fn object_ref(&self) -> ObjectRef {
        ObjectRef {
            kind: self.kind.as_str().to_string(),
            namespace: self.namespace.to_string(),
            name: self.name.to_string(),
        }
    }
}

/// A Service: only reported (and used by lint), Services do not change reachability.
#[derive(Debug, Clone)]
pub struct Service {
    pub namespace: String,
    pub name: String,
    /// `None` for a Service without selector (manually managed endpoints).
    pub selector: Option<Labels>,
    pub origin: Origin,
}

/// Direction of traffic as seen from the selected pod.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ingress => "Ingress",
            Direction::Egress => "Egress",
        }
    }
    /// The field holding this direction's rules (`ingress` / `egress`).
    pub fn field(self) -> &'static str {
        match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        }
    }
    /// The field holding a rule's peers (`from` / `to`).
    pub fn peers_field(self) -> &'static str {
        match self {
            Direction::Ingress => "from",
            Direction::Egress => "to",
        }
    }
}

/// A `networking.k8s.io/v1` NetworkPolicy after defaulting.
#[derive(Debug, Clone)]
pub struct NetworkPolicy {
    pub namespace: String,
    pub name: String,
    pub pod_selector: Selector,
    /// Rules in effect for ingress; `None` when `policyTypes` (explicit or defaulted) lacks Ingress.
    pub ingress: Option<Vec<Rule>>,
    /// Rules in effect for egress; `None` when `policyTypes` lacks Egress.
    pub egress: Option<Vec<Rule>>,
    /// Whether `policyTypes` was written out (lint distinguishes defaulted from explicit).
    pub explicit_policy_types: bool,
    /// Rules written for a direction that `policyTypes` leaves out (ignored by Kubernetes).
    pub ignored_ingress_rules: usize,
    pub ignored_egress_rules: usize,
    pub origin: Origin,
}

impl NetworkPolicy {
    pub fn object_ref(&self) -> ObjectRef {
        ObjectRef {
            kind: "NetworkPolicy".into(),
            namespace: self.namespace.clone(),
            name: self.name.clone(),
        }
    }

    pub fn rules(&self, direction: Direction) -> Option<&[Rule]> {
        match direction {
            Direction::Ingress => self.ingress.as_deref(),
            Direction::Egress => self.egress.as_deref(),
        }
    }
}

/// One ingress or egress rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// `None` when `from`/`to` is absent or empty: every peer, inside the cluster and out.
    pub peers: Option<Vec<Peer>>,
    /// Empty when `ports` is absent or empty: every port of every protocol.
    pub ports: Vec<PortEntry>,
}

/// Which namespaces a pod peer looks in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NamespaceScope {
    /// No `namespaceSelector`: the policy's own namespace.
    Own(String),
    /// `namespaceSelector` given (`{}` selects every namespace).
    Matching(Selector),
}

/// One entry of `from`/`to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Peer {
    /// `podSelector` and/or `namespaceSelector`; an absent podSelector selects all pods.
    Pods { namespaces: NamespaceScope, pods: Selector },
    /// `ipBlock`: `cidr` minus `except`. Matches only addresses outside the cluster model.
    IpBlock {
        cidr: String,
        except: Vec<String>,
        set: IpSet,
    },
}

/// The `port` of a port entry.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PortRef {
    Number(u16),
    Name(String),
}

/// One entry of a rule's `ports`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortEntry {
    pub protocol: Protocol,
    /// `None`: every port of `protocol`.
    pub port: Option<PortRef>,
    /// Inclusive end of a numeric range (only with a numeric `port`).
    pub end_port: Option<u16>,
}

/// An AdminNetworkPolicy or BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1).
#[derive(Debug, Clone)]
pub struct AdminPolicy {
    pub name: String,
    /// ANP priority (lower is evaluated first); 0 for the baseline.
    pub priority: u32,
    pub subject: AdminSubject,
    pub ingress: Vec<AdminRule>,
    pub egress: Vec<AdminRule>,
    pub baseline: bool,
    pub origin: Origin,
}

/// The pods an admin policy applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminSubject {
    Namespaces(Selector),
    Pods { namespaces: Selector, pods: Selector },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AdminAction {
    Allow,
    Deny,
    Pass,
}

#[derive(Debug, Clone)]
pub struct AdminRule {
    pub name: String,
    pub action: AdminAction,
    pub peers: Vec<AdminPeer>,
    /// Empty: all ports.
    pub ports: Vec<PortEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminPeer {
    Namespaces(Selector),
    Pods { namespaces: Selector, pods: Selector },
    Networks(IpSet),
}

/// The label every namespace carries, declared or not: `kubernetes.io/metadata.name=<name>`.
pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// Labels of a namespace that is referenced but not declared.
pub fn implicit_namespace_labels(name: &str) -> Labels {
    [(NAMESPACE_NAME_LABEL.to_string(), name.to_string())]
        .into_iter()
        .collect()
}
