//! `named-port-undefined` and `named-port-wrong-protocol` (warnings): a port entry naming a
//! container port that no destination defines, so the entry opens nothing.
//!
//! A named port resolves against the destination's container ports with that name and
//! protocol: for ingress the pods the policy selects, for egress the pods the rule's peers
//! select. It never matches an IP address, so a named port in an egress rule whose peers are
//! all ipBlocks can never match. When the name exists only with another protocol (a common
//! slip: `dns` is UDP, the rule says TCP by default), the message says which.
//!
//! Destinations come from the engine's bit sets (`policy_selects`, compiled rule peers) and
//! an index of named ports over classes, so each entry costs a few bit-set intersections.

use std::collections::HashMap;

use crate::diagnostic::Severity;
use crate::engine::bitset::BitSet;
use crate::model::{Direction, Peer, PortRef};
use crate::ports::Protocol;

use super::context::{rule_field, Context};

pub const UNDEFINED: &str = "named-port-undefined";
pub const WRONG_PROTOCOL: &str = "named-port-wrong-protocol";

fn intersects(a: &BitSet, b: &BitSet) -> bool {
    let mut both = a.clone();
    both.intersect_with(b);
    !both.is_empty()
}

pub(crate) fn check(cx: &mut Context) {
    let model = cx.model;
    let classes = &cx.reach().classes.classes;
    let compiled = cx.compiled();
    // Classes defining each (name, protocol), built on first use.
    let mut index: Option<HashMap<(&str, Protocol), BitSet>> = None;
    for (p, policy) in model.policies.iter().enumerate() {
        for direction in [Direction::Ingress, Direction::Egress] {
            for (i, rule) in policy.rules(direction).unwrap_or_default().iter().enumerate() {
                for (k, entry) in rule.ports.iter().enumerate() {
                    let Some(PortRef::Name(name)) = &entry.port else {
                        continue;
                    };
                    let protocol = entry.protocol;
                    let field = Some(format!("{}.ports[{k}].port", rule_field(direction, i)));
                    let ip_only = rule
                        .peers
                        .as_ref()
                        .is_some_and(|peers| peers.iter().all(|peer| matches!(peer, Peer::IpBlock { .. })));
                    if direction == Direction::Egress && ip_only {
                        let message = format!(
                            "named port {name} ({protocol}) can never match: this rule's peers are all ipBlocks, and a named port resolves only against pods' container ports"
                        );
                        cx.policy_finding(p, field, UNDEFINED, Severity::Warning, message);
                        continue;
                    }
                    let (destinations, whose) = match direction {
                        Direction::Ingress => (&compiled.policy_selects[p], "the workloads this policy selects"),
                        Direction::Egress => (
                            &cx.compiled_rule(p, direction, i).peers.classes,
                            "the workloads this rule's peers select",
                        ),
                    };
                    if destinations.is_empty() {
                        continue; // reported as a selector matching nothing
                    }
                    let index = index.get_or_insert_with(|| {
                        let mut index: HashMap<(&str, Protocol), BitSet> = HashMap::new();
                        for (c, class) in classes.iter().enumerate() {
                            for port in class.named_ports.iter() {
                                index
                                    .entry((port.name.as_str(), port.protocol))
                                    .or_insert_with(|| BitSet::new(classes.len()))
                                    .insert(c);
                            }
                        }
                        index
                    });
                    let defined = |q: Protocol| {
                        index
                            .get(&(name.as_str(), q))
                            .is_some_and(|set| intersects(set, destinations))
                    };
                    if defined(protocol) {
                        continue;
                    }
                    let others: Vec<&str> = Protocol::ALL
                        .into_iter()
                        .filter(|&q| q != protocol && defined(q))
                        .map(Protocol::as_str)
                        .collect();
                    if others.is_empty() {
                        let message = format!("named port {name} ({protocol}) is not defined on any of {whose}");
                        cx.policy_finding(p, field, UNDEFINED, Severity::Warning, message);
                    } else {
                        let message = format!(
                            "named port {name} is defined on {whose} only with protocol {}, not {protocol}: this entry matches nothing",
                            others.join(" and ")
                        );
                        cx.policy_finding(p, field, WRONG_PROTOCOL, Severity::Warning, message);
                    }
                }
            }
        }
    }
}
