//! Lint: valid policies that probably do not do what their author meant.
//!
//! Each check is a small module with one job and a stable kebab-case code:
//!
//! | code | severity | module |
//! |------|----------|--------|
//! | `policy-selects-nothing` | warning | [`policy_selects_nothing`] |
//! | `peer-selects-nothing` | warning | [`peer_selects_nothing`] |
//! | `named-port-undefined`, `named-port-wrong-protocol` | warning | [`named_ports`] |
//! | `ingress-ports-from-anywhere` | warning | [`ports_without_peers`] |
//! | `egress-ports-to-anywhere` | info | [`ports_without_peers`] |
//! | `rules-ignored-by-policy-types` | warning | [`ignored_rules`] |
//! | `egress-blocks-dns` | warning | [`dns`] |
//! | `egress-blocks-dns-tcp` | info | [`dns`] |
//! | `workload-not-selected` | warning | [`unselected_workload`] |
//! | `duplicate-policy` | warning | [`duplicate_policies`] |
//! | `rule-shadowed` | info | [`shadowed_rules`] |
//! | `ipblock-overlaps-cluster-cidr`, `invalid-cluster-cidr` | warning | [`cluster_cidrs`] |
//! | `host-network-workload` | info | [`host_network`] |
//!
//! Findings point at the object (and, where there is one, the field) they are about; the
//! line comes from the parser's [`locate`](crate::parse::locate). Messages never contain
//! line numbers, or counts that change when unrelated objects change: the report matches
//! base and head findings by code, object, field and message, so a finding whose YAML
//! merely moved is not "new".
//!
//! Checks work on the engine's classes and compiled bit sets rather than re-matching
//! selectors against every workload, so lint stays linear in the input: no loop over pairs
//! of workloads. Checks that report per workload cap their findings per namespace
//! ([`MAX_WORKLOAD_FINDINGS_PER_NAMESPACE`]) and summarise the rest in one finding.
//!
//! ```
//! use netreach_core::{analysis, lint, parse, Options, SourceFile};
//! let files = [SourceFile::new("np.yaml", "\
//! apiVersion: networking.k8s.io/v1
//! kind: NetworkPolicy
//! metadata: {name: deny, namespace: shop}
//! spec:
//!   podSelector: {matchLabels: {app: gone}}
//! ")];
//! let options = Options::default();
//! let model = parse::parse(&files, &options);
//! let analysis = analysis::analyze(&model, &[]);
//! let findings = lint::lint(&model, &analysis, &files, &options);
//! assert_eq!(findings[0].code, lint::policy_selects_nothing::CODE);
//! assert_eq!(findings[0].location.field.as_deref(), Some("spec.podSelector"));
//! assert_eq!(findings[0].location.line, 5);
//! ```

mod context;

pub mod cluster_cidrs;
pub mod dns;
pub mod duplicate_policies;
pub mod host_network;
pub mod ignored_rules;
pub mod named_ports;
pub mod peer_selects_nothing;
pub mod policy_selects_nothing;
pub mod ports_without_peers;
pub mod shadowed_rules;
pub mod unselected_workload;

use crate::analysis::Analysis;
use crate::diagnostic::Diagnostic;
use crate::model::Model;
use crate::options::Options;
use crate::source::SourceFile;

use context::Context;
pub use context::MAX_WORKLOAD_FINDINGS_PER_NAMESPACE;

/// Lint findings for one side, sorted by location (path, line, code).
pub fn lint(model: &Model, analysis: &Analysis, files: &[SourceFile], options: &Options) -> Vec<Diagnostic> {
    let mut cx = Context::new(model, analysis, files, options);
    policy_selects_nothing::check(&mut cx);
    peer_selects_nothing::check(&mut cx);
    named_ports::check(&mut cx);
    ports_without_peers::check(&mut cx);
    ignored_rules::check(&mut cx);
    dns::check(&mut cx);
    unselected_workload::check(&mut cx);
    duplicate_policies::check(&mut cx);
    shadowed_rules::check(&mut cx);
    cluster_cidrs::check(&mut cx);
    host_network::check(&mut cx);
    let mut findings = cx.finish();
    findings.sort_by(|a, b| {
        (a.location.path.as_str(), a.location.line, a.code.as_str())
            .cmp(&(b.location.path.as_str(), b.location.line, b.code.as_str()))
            .then_with(|| a.location.object.cmp(&b.location.object))
            .then_with(|| a.location.field.cmp(&b.location.field))
            .then_with(|| a.message.cmp(&b.message))
    });
    findings
}
