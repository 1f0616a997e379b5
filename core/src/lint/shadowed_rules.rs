//! `rule-shadowed` (info): a rule that allows nothing another rule of the same policy and
//! direction does not already allow.
//!
//! Rules combine with OR, so a rule contained in another is dead weight — and often a sign that
//! the broader rule is broader than intended (`from: [{namespaceSelector: {}}]` next to a
//! careful `podSelector` rule). Containment is decided on the rules as written, so it holds
//! for every cluster, not just for the workloads in the input:
//! - peers: the broader rule has no peers, or every narrower peer lies within one of its
//!   peers (selectors with a subset of the requirements are broader; `Own` namespace lies
//!   within a namespaceSelector that matches it; ipBlocks compare as address sets, across
//!   all of the broader rule's ipBlocks);
//! - ports: the narrower rule's numeric ports are a subset, and each of its named ports is
//!   named in the broader rule too (or the broader rule opens that whole protocol).
//!
//! This is sufficient, not necessary: some containments (e.g. `app in (a,b)` vs `app=a`)
//! are not recognised, which only means fewer findings. Pairwise, but only within one
//! policy's rules of one direction. When two rules are equivalent, the later one is reported.

use crate::diagnostic::Severity;
use crate::engine::compile::RulePorts;
use crate::ipset::IpSet;
use crate::model::{implicit_namespace_labels, Direction, Labels, NamespaceScope, Peer, Rule};
use crate::selector::Selector;

use super::context::{rule_field, rule_name, Context};

pub const CODE: &str = "rule-shadowed";

/// True when `broad` matches everything `narrow` matches (its requirements are a subset).
fn selector_within(narrow: &Selector, broad: &Selector) -> bool {
    broad.requirements().iter().all(|r| narrow.requirements().contains(r))
}

fn scope_within(narrow: &NamespaceScope, broad: &NamespaceScope, own_labels: &Labels) -> bool {
    match (narrow, broad) {
        (NamespaceScope::Own(_), NamespaceScope::Own(_)) => true,
        (NamespaceScope::Own(_), NamespaceScope::Matching(broad)) => broad.matches(own_labels),
        (NamespaceScope::Matching(narrow), NamespaceScope::Matching(broad)) => selector_within(narrow, broad),
        (NamespaceScope::Matching(_), NamespaceScope::Own(_)) => false,
    }
}

/// One rule's peers, with its ipBlocks merged into one address set.
struct Peers<'a> {
    peers: Option<&'a [Peer]>,
    addresses: IpSet,
}

impl<'a> Peers<'a> {
    fn new(rule: &'a Rule) -> Self {
        let addresses = rule
            .peers
            .iter()
            .flatten()
            .fold(IpSet::empty(), |acc, peer| match peer {
                Peer::IpBlock { set, .. } => acc.union(set),
                Peer::Pods { .. } => acc,
            });
        Peers {
            peers: rule.peers.as_deref(),
            addresses,
        }
    }

    fn within(&self, broad: &Peers, own_labels: &Labels) -> bool {
        let (Some(narrow), Some(broad_peers)) = (self.peers, broad.peers) else {
            return broad.peers.is_none();
        };
        broad.addresses.contains_set(&self.addresses)
            && narrow.iter().all(|peer| match peer {
                Peer::IpBlock { .. } => true,
                Peer::Pods { namespaces, pods } => broad_peers.iter().any(|b| match b {
                    Peer::Pods {
                        namespaces: b_namespaces,
                        pods: b_pods,
                    } => selector_within(pods, b_pods) && scope_within(namespaces, b_namespaces, own_labels),
                    Peer::IpBlock { .. } => false,
                }),
            })
    }
}

fn ports_within(narrow: &RulePorts, broad: &RulePorts) -> bool {
    narrow.numeric.difference(&broad.numeric).is_empty()
        && narrow
            .named
            .iter()
            .all(|named| broad.named.contains(named) || broad.numeric.get(named.1).is_full())
}

pub(crate) fn check(cx: &mut Context) {
    let model = cx.model;
    for (p, policy) in model.policies.iter().enumerate() {
        let own_labels = model
            .namespaces
            .get(&policy.namespace)
            .map_or_else(|| implicit_namespace_labels(&policy.namespace), |ns| ns.labels.clone());
        for direction in [Direction::Ingress, Direction::Egress] {
            let rules = policy.rules(direction).unwrap_or_default();
            if rules.len() < 2 {
                continue;
            }
            let peers: Vec<Peers> = rules.iter().map(Peers::new).collect();
            let ports: Vec<&RulePorts> = (0..rules.len())
                .map(|i| &cx.compiled_rule(p, direction, i).ports)
                .collect();
            let within =
                |a: usize, b: usize| ports_within(ports[a], ports[b]) && peers[a].within(&peers[b], &own_labels);
            for i in 0..rules.len() {
                let Some(j) = (0..rules.len()).find(|&j| j != i && within(i, j) && (j < i || !within(j, i))) else {
                    continue;
                };
                let message = format!(
                    "{} allows nothing that {} does not already allow",
                    rule_name(direction, i),
                    rule_name(direction, j)
                );
                cx.policy_finding(p, Some(rule_field(direction, i)), CODE, Severity::Info, message);
            }
        }
    }
}
