//! `workload-not-selected` (warning): a workload that no `NetworkPolicy` selects, in a
//! namespace where policies do select other workloads.
//!
//! Namespaces are usually locked down as a whole; one workload left out (a label missing
//! from its pod template, a selector written for the old name) accepts traffic from
//! everywhere while its neighbours are protected. A namespace without any policy is a
//! deliberate (or at least uniform) choice and is not reported.
//!
//! The message does not say how many neighbours are selected: findings are matched across
//! base and head by their message, and a count would make every such finding look new
//! whenever a neighbour is added. Per-namespace counts come from the engine's
//! `policy_selects` bit sets, so the check is linear in classes and workloads.

use crate::diagnostic::Severity;
use crate::engine::bitset::BitSet;

use super::context::Context;

pub const CODE: &str = "workload-not-selected";

pub(crate) fn check(cx: &mut Context) {
    let reach = cx.reach();
    let compiled = cx.compiled();
    let classes = &reach.classes;
    let mut selected = BitSet::new(classes.len());
    for set in &compiled.policy_selects {
        selected.union_with(set);
    }
    let mut selected_in_namespace = vec![0usize; classes.namespaces.len()];
    for c in selected.iter() {
        selected_in_namespace[classes.classes[c].namespace] += classes.members(c).len();
    }
    let consequence = if compiled.has_admin {
        "no NetworkPolicy restricts its traffic (only admin network policies apply)"
    } else {
        "it accepts all traffic and may send anywhere"
    };
    for (w, &c) in classes.of_workload.iter().enumerate() {
        let class = &classes.classes[c];
        if class.host_network || selected.contains(c) || selected_in_namespace[class.namespace] == 0 {
            continue;
        }
        if !cx.list_workload(w, CODE, Severity::Warning, "are not selected by any NetworkPolicy") {
            continue;
        }
        let namespace = &classes.namespaces[class.namespace];
        let message = format!(
            "not selected by any NetworkPolicy in namespace {namespace}, while other workloads there are: {consequence}"
        );
        cx.workload_finding(w, None, CODE, Severity::Warning, message);
    }
}
