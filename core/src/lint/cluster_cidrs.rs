//! `ipblock-overlaps-cluster-cidr` (warning): an ipBlock that covers part of the cluster's
//! pod or service range, when the user told us that range (`Options::cluster_cidrs`).
//!
//! ipBlocks are meant for traffic from and to outside the cluster: pod IPs are ephemeral,
//! and whether an ipBlock matches pod traffic at all depends on the network plugin (some
//! match pod IPs, some only see node or SNAT addresses). So an ipBlock inside the pod range
//! ("allow 10.244.3.0/24") is almost certainly a workaround that will break, and a broad
//! block such as `0.0.0.0/0` without the pod range in `except` may quietly allow (or, on
//! another plugin, not allow) traffic between pods. The message says which of the two.
//!
//! `invalid-cluster-cidr` (warning) reports an option value that is not a CIDR; it has no
//! file location (the option does not come from a manifest) and is otherwise ignored.
//!
//! The private ranges (10/8, 172.16/12, 192.168/16) are deliberately not linted without
//! `cluster_cidrs`: they are just as often the company network outside the cluster.

use crate::diagnostic::Severity;
use crate::ipset::IpSet;
use crate::model::{Direction, Peer};
use crate::source::Location;

use super::context::{peer_field, Context};

pub const CODE: &str = "ipblock-overlaps-cluster-cidr";
pub const INVALID: &str = "invalid-cluster-cidr";

pub(crate) fn check(cx: &mut Context) {
    let mut cluster: Vec<(&str, IpSet)> = Vec::new();
    for text in &cx.options.cluster_cidrs {
        match IpSet::parse_cidr(text) {
            Ok(set) => cluster.push((text, set)),
            Err(error) => {
                let location = Location {
                    field: Some("clusterCidrs".to_string()),
                    ..Location::default()
                };
                cx.push(
                    INVALID,
                    Severity::Warning,
                    format!("option clusterCidrs: {error}; ignored"),
                    location,
                );
            }
        }
    }
    if cluster.is_empty() {
        return;
    }
    let model = cx.model;
    for (p, policy) in model.policies.iter().enumerate() {
        for direction in [Direction::Ingress, Direction::Egress] {
            for (i, rule) in policy.rules(direction).unwrap_or_default().iter().enumerate() {
                for (j, peer) in rule.peers.iter().flatten().enumerate() {
                    let Peer::IpBlock { cidr, except, set } = peer else {
                        continue;
                    };
                    let overlapping: Vec<&(&str, IpSet)> = cluster
                        .iter()
                        .filter(|(_, range)| !range.intersect(set).is_empty())
                        .collect();
                    if overlapping.is_empty() {
                        continue;
                    }
                    let ranges = overlapping.iter().map(|(text, _)| *text).collect::<Vec<_>>().join(", ");
                    let union = overlapping
                        .iter()
                        .fold(IpSet::empty(), |acc, (_, range)| acc.union(range));
                    let block = if except.is_empty() {
                        cidr.clone()
                    } else {
                        format!("{cidr} except {}", except.join(", "))
                    };
                    let message = if union.contains_set(set) {
                        format!(
                            "ipBlock {block} lies inside the cluster's pod/service range {ranges}: ipBlocks are meant for traffic outside the cluster and pod IPs are ephemeral; select the pods with podSelector/namespaceSelector instead"
                        )
                    } else {
                        format!(
                            "ipBlock {block} also covers the cluster's pod/service range {ranges}: whether it matches traffic of pods depends on the network plugin; add {ranges} to `except` if only outside traffic is meant"
                        )
                    };
                    let field = Some(format!("{}.ipBlock", peer_field(direction, i, j)));
                    cx.policy_finding(p, field, CODE, Severity::Warning, message);
                }
            }
        }
    }
}
