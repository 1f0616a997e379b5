//! Semantics of the diff: reachability is compared, never policy text.

mod common;

use common::{deployment, policy};
use netreach_core::api;
use netreach_core::diff::{Change, ChangeKind, Diff, EndpointChange, Scope};
use netreach_core::{Options, SourceFile};

fn diff(base: &str, head: &str) -> Diff {
    let base = [SourceFile::new("base.yaml", base)];
    let head = [SourceFile::new("head.yaml", head)];
    let report = api::report(Some(&base), &head, &Options::default());
    let errors: Vec<String> = report
        .diagnostics
        .iter()
        .filter(|d| d.diagnostic.severity == netreach_core::Severity::Error)
        .map(|d| d.diagnostic.to_string())
        .collect();
    assert!(errors.is_empty(), "test input has errors:\n{}", errors.join("\n"));
    report.diff.expect("a diff with a base")
}

fn change<'a>(diff: &'a Diff, from: &str, to: &str) -> &'a Change {
    diff.changes
        .iter()
        .find(|c| c.from == from && c.to == to)
        .unwrap_or_else(|| panic!("no change {from} -> {to} in {:#?}", summary(diff)))
}

fn summary(diff: &Diff) -> Vec<String> {
    diff.changes
        .iter()
        .map(|c| format!("{} -> {}: {} => {}", c.from, c.to, c.before, c.after))
        .collect()
}

fn cluster() -> String {
    [
        deployment("shop", "web", "app: web", ""),
        deployment("shop", "api", "app: api", ""),
        deployment("ops", "monitor", "app: monitor", ""),
    ]
    .concat()
}

const WEB: &str = "shop/Deployment/web";
const API: &str = "shop/Deployment/api";
const MONITOR: &str = "ops/Deployment/monitor";

#[test]
fn identical_inputs_diff_to_nothing() {
    let yaml = cluster()
        + &policy(
            "shop",
            "p",
            "  podSelector: {}\n  ingress: [{from: [{podSelector: {}}]}]",
        );
    assert!(diff(&yaml, &yaml).is_empty());
}

#[test]
fn renamed_policy_diffs_to_nothing() {
    let spec = "  podSelector: {matchLabels: {app: web}}\n  ingress: [{from: [{podSelector: {matchLabels: {app: api}}}], ports: [{port: 80}]}]";
    let base = cluster() + &policy("shop", "allow-api", spec);
    let head = cluster() + &policy("shop", "web-from-api", spec);
    let d = diff(&base, &head);
    assert!(d.is_empty(), "{:#?}", summary(&d));
}

#[test]
fn end_port_rewritten_as_a_port_list_diffs_to_nothing() {
    let base = cluster() + &policy("shop", "p", "  podSelector: {matchLabels: {app: web}}\n  ingress: [{ports: [{port: 80, endPort: 83}, {port: 53, protocol: UDP}]}]");
    let head = cluster()
        + &policy(
            "shop",
            "q",
            "  podSelector: {matchExpressions: [{key: app, operator: In, values: [web]}]}\n  ingress:\n  - ports: [{port: 80}, {port: 81}]\n  - from: []\n    ports: [{port: 82, endPort: 83}, {port: 53, protocol: UDP}, {port: 83}]",
        );
    let d = diff(&base, &head);
    assert!(d.is_empty(), "{:#?}", summary(&d));
}

#[test]
fn exposure_and_breakage_are_classified() {
    let base = cluster()
        + &policy("shop", "p", "  podSelector: {matchLabels: {app: web}}\n  ingress: [{from: [{podSelector: {matchLabels: {app: api}}}], ports: [{port: 80}]}]");
    let head = cluster()
        + &policy(
            "shop",
            "p",
            "  podSelector: {matchLabels: {app: web}}\n  ingress: [{from: [{podSelector: {matchLabels: {app: api}}}], ports: [{port: 443}]}, {from: [{namespaceSelector: {}}], ports: [{port: 9090}]}]",
        );
    let d = diff(&base, &head);
    let mixed = change(&d, API, WEB);
    assert_eq!(mixed.kind, ChangeKind::Mixed);
    assert_eq!(mixed.before.to_string(), "TCP 80");
    assert_eq!(mixed.after.to_string(), "TCP 443,9090");
    assert_eq!(mixed.added.to_string(), "TCP 443,9090");
    assert_eq!(mixed.removed.to_string(), "TCP 80");
    assert_eq!(mixed.scope, Scope::SameNamespace);
    assert!(mixed.is_exposure() && mixed.is_breakage());
    let exposure = change(&d, MONITOR, WEB);
    assert_eq!(exposure.kind, ChangeKind::Exposure);
    assert_eq!(exposure.scope, Scope::CrossNamespace);
    assert_eq!(exposure.added.to_string(), "TCP 9090");
    assert!(exposure.removed.is_empty());
    assert_eq!(exposure.endpoint_change, None);
    // web to itself: 9090 opened on the self-pair too.
    assert_eq!(change(&d, WEB, WEB).added.to_string(), "TCP 9090");
    assert_eq!(d.changes.len(), 3, "{:#?}", summary(&d));
    assert_eq!(d.exposures(), 3);
    assert_eq!(d.breakages(), 1);
    // Cross-namespace exposure ranks before same-namespace changes.
    assert_eq!((d.changes[0].from.as_str(), d.changes[0].to.as_str()), (MONITOR, WEB));
}

#[test]
fn pure_breakage() {
    let base = cluster();
    let head = cluster()
        + &policy(
            "shop",
            "deny",
            "  podSelector: {matchLabels: {app: web}}\n  ingress: [{from: [{podSelector: {}}]}]",
        );
    let d = diff(&base, &head);
    let broken = change(&d, MONITOR, WEB);
    assert_eq!(broken.kind, ChangeKind::Breakage);
    assert_eq!(broken.after.to_string(), "no ports");
    assert_eq!(broken.removed.to_string(), "all ports");
    assert!(!broken.is_exposure());
    let outside = d
        .changes
        .iter()
        .find(|c| c.to == WEB && c.from.starts_with("external:"))
        .expect("external breakage");
    assert_eq!(outside.scope, Scope::External);
    assert_eq!(outside.kind, ChangeKind::Breakage);
    // Pairs inside shop are unchanged.
    assert!(d.changes.iter().all(|c| c.from != API));
}

#[test]
fn added_and_removed_endpoints_are_listed() {
    let base = cluster() + &deployment("shop", "old", "app: old", "");
    let head = cluster() + &deployment("shop", "new", "app: new", "");
    let d = diff(&base, &head);
    assert_eq!(d.added_endpoints, ["shop/Deployment/new"]);
    assert_eq!(d.removed_endpoints, ["shop/Deployment/old"]);
    let added = change(&d, "shop/Deployment/new", WEB);
    assert_eq!(added.endpoint_change, Some(EndpointChange::Added));
    assert_eq!(added.kind, ChangeKind::Exposure);
    let removed = change(&d, WEB, "shop/Deployment/old");
    assert_eq!(removed.endpoint_change, Some(EndpointChange::Removed));
    assert_eq!(removed.kind, ChangeKind::Breakage);
    // Changes caused by endpoints coming and going rank last.
    assert!(d.changes.iter().all(|c| c.endpoint_change.is_some()));
}

#[test]
fn external_ranges_are_regrouped_jointly() {
    let base = cluster()
        + &policy(
            "shop",
            "p",
            "  podSelector: {matchLabels: {app: web}}\n  ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0}}]}]",
        );
    let head = cluster()
        + &policy("shop", "p", "  podSelector: {matchLabels: {app: web}}\n  ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}]}]");
    let d = diff(&base, &head);
    assert_eq!(
        summary(&d),
        ["external:10.0.0.0/8 -> shop/Deployment/web: all ports => no ports"]
    );
    let c = &d.changes[0];
    assert_eq!(c.scope, Scope::External);
    assert_eq!(c.kind, ChangeKind::Breakage);
}

#[test]
fn external_ranges_regroup_across_both_sides_boundaries() {
    // Base opens 10/8, head opens 10.0/16 and 11/8: the diff names 10/8 minus 10.0/16
    // (breakage) and 11/8 (exposure), each as its own external endpoint.
    let base = cluster()
        + &policy(
            "shop",
            "p",
            "  podSelector: {matchLabels: {app: web}}\n  ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8}}]}]",
        );
    let head = cluster()
        + &policy("shop", "p", "  podSelector: {matchLabels: {app: web}}\n  ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/16}}, {ipBlock: {cidr: 11.0.0.0/8}}]}]");
    let d = diff(&base, &head);
    let mut lines = summary(&d);
    lines.sort();
    assert_eq!(
        lines,
        [
            "external:10.0.0.0/8 except 10.0.0.0/16 -> shop/Deployment/web: all ports => no ports",
            "external:11.0.0.0/8 -> shop/Deployment/web: no ports => all ports",
        ]
    );
}
