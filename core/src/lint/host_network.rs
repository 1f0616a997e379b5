//! `host-network-workload` (info): a workload with `hostNetwork: true`.
//!
//! Host-network pods share the node's network namespace: `NetworkPolicy` does not apply to
//! them, and pod selectors do not match them (traffic from them looks like it comes from
//! the node). The analysis shows them as unrestricted; this finding points at the field
//! so a reviewer sees why. Capped per namespace like every per-workload finding.

use crate::diagnostic::Severity;
use crate::model::WorkloadKind;

use super::context::Context;

pub const CODE: &str = "host-network-workload";

/// Where `hostNetwork` sits in a workload of this kind.
fn host_network_field(kind: WorkloadKind) -> &'static str {
    match kind {
        WorkloadKind::Pod => "spec.hostNetwork",
        WorkloadKind::CronJob => "spec.jobTemplate.spec.template.spec.hostNetwork",
        _ => "spec.template.spec.hostNetwork",
    }
}

pub(crate) fn check(cx: &mut Context) {
    let model = cx.model;
    for (w, workload) in model.workloads.iter().enumerate() {
        if !workload.host_network || !cx.list_workload(w, CODE, Severity::Info, "use the host network") {
            continue;
        }
        // A Pod folded into its controller keeps the controller's kind but points at the
        // Pod's document. `locate` falls back to the deepest ancestor found, so the path
        // that exists in the document is the one with the later line.
        let mut field = host_network_field(workload.kind);
        if workload.kind != WorkloadKind::Pod {
            let pod_field = host_network_field(WorkloadKind::Pod);
            if cx.locate(&workload.origin, pod_field) > cx.locate(&workload.origin, field) {
                field = pod_field;
            }
        }
        let message =
            "uses the host network: NetworkPolicy does not apply to it, and pod selectors do not match it".to_string();
        cx.workload_finding(w, Some(field.to_string()), CODE, Severity::Info, message);
    }
}
