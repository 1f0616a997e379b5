//! The analysis result: endpoints and the allowed connections between them.
//!
//! This is the contract every front-end reads (`netreach analyze --format json`):
//!
//! ```json
//! {
//!   "endpoints": [{"id": "shop/Deployment/web", "type": "workload", ...},
//!                 {"id": "external:0.0.0.0/0 except 10.0.0.0/8", "type": "external", ...}],
//!   "connections": [{"from": "shop/Deployment/web", "to": "shop/Deployment/api",
//!                    "ports": [{"protocol": "TCP", "ranges": [[8080, 8080]]}]}]
//! }
//! ```
//!
//! Only pairs with something allowed are listed; "all ports" is `[[1, 65535]]` for each of
//! TCP, UDP and SCTP. Endpoint ids are `namespace/Kind/name` for workloads and
//! `external:<ranges>` for the outside world, whose ranges are cut at every ipBlock boundary
//! and merged back where connectivity is identical. Connections are sorted by endpoint order
//! (workloads by id, then external ranges), so the same input gives the same bytes.

use serde::ser::{SerializeStruct, Serializer};
use serde::Serialize;
use std::sync::Arc;

use crate::engine::{self, Reachability};
use crate::ipset::IpSet;
use crate::model::{Labels, Model, Workload};
use crate::ports::PortSet;
use crate::source::Origin;

/// Prefix of external endpoint ids.
pub const EXTERNAL_PREFIX: &str = "external:";

/// What an endpoint is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EndpointType {
    Workload,
    External,
}

/// One endpoint of the analysis.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoint {
    pub id: Arc<str>,
    #[serde(rename = "type")]
    pub endpoint_type: EndpointType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<Arc<str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Arc<str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labels: Option<std::sync::Arc<Labels>>,
    /// Host-network pods are not subject to NetworkPolicy.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub host_network: bool,
    /// Whether some policy isolates the endpoint (workloads only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ingress_isolated: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub egress_isolated: Option<bool>,
    /// External endpoints: the addresses as CIDRs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cidrs: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

impl Endpoint {
    pub fn is_external(&self) -> bool {
        self.endpoint_type == EndpointType::External
    }

    /// Readable name: the id without the `external:` prefix.
    pub fn display_name(&self) -> &str {
        self.id.strip_prefix(EXTERNAL_PREFIX).unwrap_or(&self.id)
    }
}

/// An allowed connection between two endpoints (indices into [`Analysis::endpoints`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub from: u32,
    pub to: u32,
    pub ports: u32,
}

/// Endpoints and allowed connections of one side.
#[derive(Debug)]
pub struct Analysis {
    pub endpoints: Vec<Endpoint>,
    /// Sorted by `(from, to)`.
    pub connections: Vec<Connection>,
    /// Number of leading endpoints that are workloads (the rest are external).
    pub workload_count: usize,
    /// `Model::workloads` index of each workload endpoint.
    pub workload_index: Vec<usize>,
    /// The class-level result this was expanded from (explain and diff use it).
    pub reach: Reachability,
}

impl Analysis {
    /// Class of a workload endpoint.
    pub fn class_of(&self, endpoint: usize) -> usize {
        self.reach.classes.of_workload[self.workload_index[endpoint]]
    }

    pub fn ports(&self, connection: &Connection) -> &PortSet {
        self.reach.port_sets.get(connection.ports)
    }

    /// Atoms of an external endpoint (by endpoint index).
    pub fn external_atoms(&self, endpoint: usize) -> &[usize] {
        &self.reach.groups[endpoint - self.workload_count]
    }

    pub fn endpoint_index(&self, id: &str) -> Option<usize> {
        if id.starts_with(EXTERNAL_PREFIX) {
            return self.endpoints[self.workload_count..]
                .iter()
                .position(|e| &*e.id == id)
                .map(|i| i + self.workload_count);
        }
        self.endpoints[..self.workload_count]
            .binary_search_by(|e| (*e.id).cmp(id))
            .ok()
    }

    /// The allowed ports from one endpoint to another (empty when denied).
    pub fn allowed(&self, from: usize, to: usize) -> PortSet {
        let (from, to) = (from as u32, to as u32);
        self.connections
            .binary_search_by(|c| (c.from, c.to).cmp(&(from, to)))
            .map_or_else(|_| PortSet::none(), |i| self.ports(&self.connections[i]).clone())
    }
}

fn workload_endpoint(w: &Workload, reach: &Reachability, class: usize) -> Endpoint {
    Endpoint {
        id: w.id.clone(),
        endpoint_type: EndpointType::Workload,
        namespace: Some(w.namespace.clone()),
        kind: Some(w.kind.as_str()),
        name: Some(w.name.clone()),
        labels: Some(w.labels.clone()),
        host_network: w.host_network,
        ingress_isolated: Some(reach.compiled.ingress.get(class).is_some()),
        egress_isolated: Some(reach.compiled.egress.get(class).is_some()),
        cidrs: None,
        origin: Some(w.origin.clone()),
    }
}

/// Endpoint id of an external address set.
pub fn external_id(set: &IpSet) -> String {
    format!("{EXTERNAL_PREFIX}{set}")
}

/// Analyses both sides of a diff, `(base, head)`, cutting the outside world at the union
/// of their ipBlock boundaries so [`crate::diff::diff`] can compare them range by range.
pub fn analyze_pair(base: &Model, head: &Model) -> (Analysis, Analysis) {
    let (base_cuts, head_cuts) = (engine::address_sets(base), engine::address_sets(head));
    crate::parallel::both(|| analyze(base, &head_cuts), || analyze(head, &base_cuts))
}

/// Analyses a model (see [`engine::analyze`] for `extra_cuts`).
pub fn analyze(model: &Model, extra_cuts: &[IpSet]) -> Analysis {
    let reach = engine::analyze(model, extra_cuts);
    // Workloads in id order; the parser sorts, but the contract must not depend on it.
    let mut order: Vec<usize> = (0..model.workloads.len()).collect();
    if !model.workloads.is_sorted_by(|a, b| a.id <= b.id) {
        order.sort_by(|&a, &b| model.workloads[a].id.cmp(&model.workloads[b].id));
    }
    let mut position = vec![0u32; order.len()];
    for (pos, &w) in order.iter().enumerate() {
        position[w] = pos as u32;
    }
    let mut endpoints: Vec<Endpoint> = order
        .iter()
        .map(|&w| workload_endpoint(&model.workloads[w], &reach, reach.classes.of_workload[w]))
        .collect();
    let workload_count = endpoints.len();
    for atoms in &reach.groups {
        let set = reach.atoms.to_set(atoms.iter().copied());
        endpoints.push(Endpoint {
            id: external_id(&set).into(),
            endpoint_type: EndpointType::External,
            namespace: None,
            kind: None,
            name: None,
            labels: None,
            host_network: false,
            ingress_isolated: None,
            egress_isolated: None,
            cidrs: Some(set.to_cidrs()),
            origin: None,
        });
    }
    let mut connections = Vec::new();
    for &(s, d, ports) in &reach.pairs {
        for &ws in reach.classes.members(s as usize) {
            for &wd in reach.classes.members(d as usize) {
                if ws == wd && !model.workloads[ws].replicated {
                    continue; // a bare Pod talking to itself is loopback
                }
                connections.push(Connection {
                    from: position[ws],
                    to: position[wd],
                    ports,
                });
            }
        }
    }
    let ext = |g: u32| workload_count as u32 + g;
    for &(g, d, ports) in &reach.ext_in {
        for &wd in reach.classes.members(d as usize) {
            connections.push(Connection {
                from: ext(g),
                to: position[wd],
                ports,
            });
        }
    }
    for &(s, g, ports) in &reach.ext_out {
        for &ws in reach.classes.members(s as usize) {
            connections.push(Connection {
                from: position[ws],
                to: ext(g),
                ports,
            });
        }
    }
    connections.sort_unstable_by_key(|c| (c.from, c.to));
    Analysis {
        endpoints,
        connections,
        workload_count,
        workload_index: order,
        reach,
    }
}

/// Serialises as the contract: `{"endpoints": [...], "connections": [{"from", "to", "ports"}]}`.
impl Serialize for Analysis {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Connections<'a>(&'a Analysis);
        impl Serialize for Connections<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_seq(self.0.connections.iter().map(|c| ConnectionView {
                    from: &self.0.endpoints[c.from as usize].id,
                    to: &self.0.endpoints[c.to as usize].id,
                    ports: self.0.ports(c),
                }))
            }
        }
        let mut s = serializer.serialize_struct("Analysis", 2)?;
        s.serialize_field("endpoints", &self.endpoints)?;
        s.serialize_field("connections", &Connections(self))?;
        s.end()
    }
}

/// A connection with endpoint ids, as serialised.
#[derive(Debug, Serialize)]
pub struct ConnectionView<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub ports: &'a PortSet,
}
