//! `policy-selects-nothing` (warning): a `NetworkPolicy` whose `podSelector` matches no
//! workload of its namespace.
//!
//! Such a policy has no effect at all, which is rarely what was meant: usually a label was
//! misspelt, or the workload it was written for was renamed. The engine already evaluated
//! every policy's selector into a bit set over classes (`policy_selects`), so this check
//! only looks at those. When the selector matches only host-network workloads, the message
//! says so: they are matched by labels, but `NetworkPolicy` does not apply to them.

use crate::diagnostic::Severity;

use super::context::Context;

pub const CODE: &str = "policy-selects-nothing";

pub(crate) fn check(cx: &mut Context) {
    let model = cx.model;
    let classes = &cx.reach().classes.classes;
    // Host-network classes are few; scanning them per empty policy is cheap.
    let host: Vec<usize> = (0..classes.len()).filter(|&c| classes[c].host_network).collect();
    for (p, policy) in model.policies.iter().enumerate() {
        if !cx.compiled().policy_selects[p].is_empty() {
            continue;
        }
        let selector = &policy.pod_selector;
        let namespace = &policy.namespace;
        let ns = cx.namespace_index(namespace);
        let host_only = ns.is_some_and(|ns| {
            host.iter()
                .any(|&c| classes[c].namespace == ns && selector.matches(&classes[c].labels))
        });
        let message = if host_only {
            format!(
                "podSelector {selector} selects only host-network workloads in namespace {namespace}, and NetworkPolicy does not apply to those: the policy has no effect"
            )
        } else if ns.is_none_or(|ns| cx.policy_workloads_in(ns) == 0) {
            format!("podSelector {selector} selects no workload: the input has no workloads in namespace {namespace}")
        } else {
            format!("podSelector {selector} selects no workload in namespace {namespace}: the policy has no effect")
        };
        cx.policy_finding(
            p,
            Some("spec.podSelector".to_string()),
            CODE,
            Severity::Warning,
            message,
        );
    }
}
