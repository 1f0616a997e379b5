//! `duplicate-policy` (warning): two `NetworkPolicies` in one namespace with the same
//! `podSelector`, the same `policyTypes` and the same rules.
//!
//! Policies are additive, so a duplicate changes nothing — until someone edits one copy and
//! wonders why the change has no effect (the other copy still allows it). Usually one is a
//! leftover of a rename. Rules are compared normalised (order of rules, peers and ports does
//! not matter, CIDRs compare as address sets), by hashing one key per policy: linear in the
//! number of policies (full keys are built only for policies that share a namespace and a
//! podSelector). The policy whose name sorts first is taken as the original; each
//! other copy gets the finding.

use std::collections::HashMap;

use crate::diagnostic::Severity;
use crate::ipset::IpSet;
use crate::model::{Direction, NamespaceScope, NetworkPolicy, Peer, PortRef, Rule};
use crate::ports::Protocol;
use crate::selector::Selector;

use super::context::Context;

pub const CODE: &str = "duplicate-policy";

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum PeerKey<'a> {
    /// `namespaces: None` is the policy's own namespace (the same for the whole group).
    Pods {
        namespaces: Option<&'a Selector>,
        pods: &'a Selector,
    },
    Addresses(&'a IpSet),
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct PortKey<'a> {
    protocol: Protocol,
    port: Option<&'a PortRef>,
    end_port: Option<u16>,
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct RuleKey<'a> {
    peers: Option<Vec<PeerKey<'a>>>,
    ports: Vec<PortKey<'a>>,
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct PolicyKey<'a> {
    namespace: &'a str,
    pod_selector: &'a Selector,
    ingress: Option<Vec<RuleKey<'a>>>,
    egress: Option<Vec<RuleKey<'a>>>,
}

fn sorted<T: Ord>(mut items: Vec<T>) -> Vec<T> {
    items.sort();
    items.dedup();
    items
}

fn rule_key(rule: &Rule) -> RuleKey<'_> {
    let peers = rule.peers.as_ref().map(|peers| {
        sorted(
            peers
                .iter()
                .map(|peer| match peer {
                    Peer::Pods { namespaces, pods } => PeerKey::Pods {
                        namespaces: match namespaces {
                            NamespaceScope::Own(_) => None,
                            NamespaceScope::Matching(selector) => Some(selector),
                        },
                        pods,
                    },
                    Peer::IpBlock { set, .. } => PeerKey::Addresses(set),
                })
                .collect(),
        )
    });
    let ports = sorted(
        rule.ports
            .iter()
            .map(|entry| PortKey {
                protocol: entry.protocol,
                port: entry.port.as_ref(),
                // `endPort` equal to `port` is the single port.
                end_port: entry.end_port.filter(|&end| entry.port != Some(PortRef::Number(end))),
            })
            .collect(),
    );
    RuleKey { peers, ports }
}

fn policy_key(policy: &NetworkPolicy) -> PolicyKey<'_> {
    let rules = |direction| {
        policy
            .rules(direction)
            .map(|rules| sorted(rules.iter().map(rule_key).collect()))
    };
    PolicyKey {
        namespace: &policy.namespace,
        pod_selector: &policy.pod_selector,
        ingress: rules(Direction::Ingress),
        egress: rules(Direction::Egress),
    }
}

pub(crate) fn check(cx: &mut Context) {
    let model = cx.model;
    // Cheap first cut: only policies sharing namespace and podSelector can be duplicates,
    // and that is rare, so full keys are built for few policies.
    let mut by_selector: HashMap<(&str, &Selector), Vec<usize>> = HashMap::new();
    for (p, policy) in model.policies.iter().enumerate() {
        by_selector
            .entry((&policy.namespace, &policy.pod_selector))
            .or_default()
            .push(p);
    }
    let mut duplicates: Vec<(usize, usize)> = Vec::new();
    for candidates in by_selector.into_values().filter(|c| c.len() > 1) {
        let mut groups: HashMap<PolicyKey, Vec<usize>> = HashMap::new();
        for p in candidates {
            groups.entry(policy_key(&model.policies[p])).or_default().push(p);
        }
        for mut group in groups.into_values().filter(|g| g.len() > 1) {
            group.sort_by(|&a, &b| model.policies[a].name.cmp(&model.policies[b].name));
            duplicates.extend(group[1..].iter().map(|&copy| (copy, group[0])));
        }
    }
    duplicates.sort_unstable();
    for (copy, original) in duplicates {
        let original = &model.policies[original];
        let message = format!(
            "has the same podSelector, policyTypes and rules as NetworkPolicy {}/{}: one of the two is redundant",
            original.namespace, original.name
        );
        cx.policy_finding(copy, None, CODE, Severity::Warning, message);
    }
}
