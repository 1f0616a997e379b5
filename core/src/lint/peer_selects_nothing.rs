//! `peer-selects-nothing` (warning): a `from`/`to` peer whose selectors match nothing in
//! the input, so the peer allows nothing.
//!
//! The message says which half failed: `namespaceSelector team=x matches no namespace`,
//! or `podSelector app=y matches no workload in namespace z`. Usually a label is misspelt
//! or the peer was renamed; either way the rule is silently narrower than it reads.
//!
//! The input is often a slice of a cluster, so the check only judges what the input
//! describes:
//! - a pod selector is reported only when at least one namespace it looks in has workloads
//!   in the input (peers in namespaces the input knows nothing about are not judged);
//! - a namespace selector that names namespaces only by `kubernetes.io/metadata.name` (e.g.
//!   `kube-system`) is a deliberate reference to a namespace outside the input, not a typo
//!   we can detect, and is not reported when those namespaces are absent.
//!
//! Rules with a single pod peer are settled by the engine's compiled peer bit set; only
//! rules with several pod peers evaluate each peer, with early exit and a cache.

use std::collections::HashMap;

use crate::diagnostic::Severity;
use crate::engine::classes::Classes;
use crate::model::{Direction, NamespaceScope, Peer, NAMESPACE_NAME_LABEL};
use crate::selector::{Requirement, Selector};

use super::context::{peer_field, Context};

pub const CODE: &str = "peer-selects-nothing";

/// True when the selector only names namespaces (`kubernetes.io/metadata.name in (...)`).
fn names_namespaces_only(selector: &Selector) -> bool {
    !selector.is_everything()
        && selector
            .requirements()
            .iter()
            .all(|r| matches!(r, Requirement::In { key, .. } if key == NAMESPACE_NAME_LABEL))
}

/// Answers "does this pod selector match a workload in these namespaces", with early exit.
struct AnyMatch<'a> {
    classes: &'a Classes,
    /// Classes subject to `NetworkPolicy`, per namespace index.
    by_namespace: Vec<Vec<usize>>,
    cache: HashMap<(&'a Selector, &'a Selector), bool>,
}

impl<'a> AnyMatch<'a> {
    fn new(classes: &'a Classes) -> Self {
        let mut by_namespace: Vec<Vec<usize>> = vec![Vec::new(); classes.namespaces.len()];
        for (c, class) in classes.classes.iter().enumerate() {
            if !class.host_network {
                by_namespace[class.namespace].push(c);
            }
        }
        AnyMatch {
            classes,
            by_namespace,
            cache: HashMap::new(),
        }
    }

    /// Uncached: the own namespace is one short list, usually matched in the first classes.
    fn any_in(&self, namespaces: &[usize], pods: &Selector) -> bool {
        namespaces
            .iter()
            .flat_map(|&ns| &self.by_namespace[ns])
            .any(|&c| pods.matches(&self.classes.classes[c].labels))
    }

    /// Cached: a namespaceSelector may span many namespaces.
    fn any(&mut self, key: (&'a Selector, &'a Selector), namespaces: &[usize]) -> bool {
        if let Some(&hit) = self.cache.get(&key) {
            return hit;
        }
        let any = self.any_in(namespaces, key.1);
        self.cache.insert(key, any);
        any
    }
}

pub(crate) fn check(cx: &mut Context) {
    let model = cx.model;
    let classes = &cx.reach().classes;
    let mut namespaces_of: HashMap<&Selector, Vec<usize>> = HashMap::new();
    let mut matcher = AnyMatch::new(classes);
    for (p, policy) in model.policies.iter().enumerate() {
        let own = cx.namespace_index(&policy.namespace);
        for direction in [Direction::Ingress, Direction::Egress] {
            for (i, rule) in policy.rules(direction).unwrap_or_default().iter().enumerate() {
                let Some(peers) = &rule.peers else { continue };
                let pod_peers = peers.iter().filter(|peer| matches!(peer, Peer::Pods { .. })).count();
                let rule_matches = !cx.compiled_rule(p, direction, i).peers.classes.is_empty();
                if pod_peers == 0 || (pod_peers == 1 && rule_matches) {
                    continue;
                }
                for (j, peer) in peers.iter().enumerate() {
                    let Peer::Pods { namespaces, pods } = peer else {
                        continue;
                    };
                    let message = match namespaces {
                        NamespaceScope::Own(name) => {
                            // A namespace without workloads is the policy's own problem
                            // (policy-selects-nothing), not this peer's.
                            let Some(ns) = own.filter(|&ns| cx.policy_workloads_in(ns) > 0) else {
                                continue;
                            };
                            if matcher.any_in(&[ns], pods) {
                                continue;
                            }
                            format!("podSelector {pods} matches no workload in namespace {name}")
                        }
                        NamespaceScope::Matching(selector) => {
                            let matched = namespaces_of.entry(selector).or_insert_with(|| {
                                (0..classes.namespaces.len())
                                    .filter(|&n| selector.matches(&classes.namespace_labels[n]))
                                    .collect()
                            });
                            if matched.is_empty() {
                                if names_namespaces_only(selector) {
                                    continue;
                                }
                                format!("namespaceSelector {selector} matches no namespace")
                            } else if matched.iter().all(|&n| cx.policy_workloads_in(n) == 0)
                                || matcher.any((selector, pods), matched)
                            {
                                continue;
                            } else if let [only] = matched.as_slice() {
                                format!(
                                    "podSelector {pods} matches no workload in namespace {}",
                                    classes.namespaces[*only]
                                )
                            } else {
                                format!(
                                    "podSelector {pods} matches no workload in the namespaces matching namespaceSelector {selector}"
                                )
                            }
                        }
                    };
                    cx.policy_finding(p, Some(peer_field(direction, i, j)), CODE, Severity::Warning, message);
                }
            }
        }
    }
}
