//! Semantics of `AdminNetworkPolicy` and `BaselineAdminNetworkPolicy`
//! (policy.networking.k8s.io/v1alpha1): ANP by priority, then `NetworkPolicy`, then the BANP,
//! then the default allow.

mod common;

use std::fmt::Write;

use common::{allowed, deployment, namespace, policy};

const WEB: &str = "shop/Deployment/web";
const DB: &str = "shop/Deployment/db";
const MONITOR: &str = "ops/Deployment/monitor";
const DEV: &str = "dev/Deployment/tool";

fn cluster() -> String {
    [
        namespace("shop", "team: shop"),
        namespace("ops", "team: ops"),
        namespace("dev", "team: dev"),
        deployment("shop", "web", "app: web", "{name: http, containerPort: 8080}"),
        deployment("shop", "db", "app: db", ""),
        deployment("ops", "monitor", "app: monitor", ""),
        deployment("dev", "tool", "app: tool", ""),
    ]
    .concat()
}

/// An ANP on namespace shop with one ingress rule per `(action, from team, ports)`.
fn anp(name: &str, priority: u32, rules: &[(&str, &str, &str)]) -> String {
    let mut text = String::new();
    for (i, (action, team, ports)) in rules.iter().enumerate() {
        let ports = if ports.is_empty() {
            String::new()
        } else {
            format!("\n    ports: {ports}")
        };
        writeln!(text, "  - name: r{i}\n    action: {action}\n    from: [{{namespaces: {{matchLabels: {{team: {team}}}}}}}]{ports}").expect("write");
    }
    let rules = text;
    format!(
        "apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {{name: {name}}}
spec:
  priority: {priority}
  subject: {{namespaces: {{matchLabels: {{team: shop}}}}}}
  ingress:
{rules}---
"
    )
}

/// The BANP on namespace shop with ingress rules `(action, from team)`.
fn banp(rules: &[(&str, &str)]) -> String {
    let mut text = String::new();
    for (action, team) in rules {
        writeln!(
            text,
            "  - action: {action}\n    from: [{{namespaces: {{matchLabels: {{team: {team}}}}}}}]"
        )
        .expect("write");
    }
    let rules = text;
    format!(
        "apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {{name: default}}
spec:
  subject: {{namespaces: {{matchLabels: {{team: shop}}}}}}
  ingress:
{rules}---
"
    )
}

fn np_web_from_ops(ports: &str) -> String {
    policy(
        "shop",
        "np",
        &format!("  podSelector: {{matchLabels: {{app: web}}}}\n  ingress: [{{from: [{{namespaceSelector: {{matchLabels: {{team: ops}}}}}}], ports: {ports}}}]"),
    )
}

#[test]
fn lower_priority_number_wins() {
    let yaml = cluster() + &anp("deny", 10, &[("Deny", "ops", "")]) + &anp("allow", 20, &[("Allow", "ops", "")]);
    assert_eq!(allowed(&yaml, MONITOR, WEB), "no ports");
    let yaml = cluster() + &anp("deny", 30, &[("Deny", "ops", "")]) + &anp("allow", 20, &[("Allow", "ops", "")]);
    assert_eq!(allowed(&yaml, MONITOR, WEB), "all ports");
    // Peers no ANP rule matches fall through to the default.
    assert_eq!(allowed(&yaml, DEV, WEB), "all ports");
}

#[test]
fn first_matching_rule_of_a_policy_wins() {
    let yaml = cluster()
        + &anp(
            "a",
            10,
            &[
                ("Allow", "ops", "[{portNumber: {protocol: TCP, port: 80}}]"),
                ("Deny", "ops", ""),
            ],
        );
    assert_eq!(allowed(&yaml, MONITOR, WEB), "TCP 80");
}

#[test]
fn allow_and_deny_are_final() {
    // Allow beats a NetworkPolicy that would deny.
    let deny_all = policy("shop", "deny-all", "  podSelector: {}\n  policyTypes: [Ingress]");
    let yaml = cluster() + &anp("allow", 10, &[("Allow", "ops", "")]) + &deny_all;
    assert_eq!(allowed(&yaml, MONITOR, WEB), "all ports");
    assert_eq!(allowed(&yaml, DEV, WEB), "no ports");
    // Deny beats a NetworkPolicy that would allow.
    let yaml = cluster()
        + &anp(
            "deny",
            10,
            &[("Deny", "ops", "[{portNumber: {protocol: TCP, port: 22}}]")],
        )
        + &np_web_from_ops("[]");
    assert_eq!(allowed(&yaml, MONITOR, WEB), "TCP 1-21,23-65535; UDP all; SCTP all");
    assert_eq!(allowed(&yaml, DEV, WEB), "no ports");
}

#[test]
fn pass_falls_through_to_network_policy() {
    let yaml = cluster()
        + &anp("pass", 10, &[("Pass", "ops", "")])
        + &anp("deny", 20, &[("Deny", "ops", "")])
        + &np_web_from_ops("[{port: 80}]");
    // Pass skips the later Deny ANP: the NetworkPolicy decides.
    assert_eq!(allowed(&yaml, MONITOR, WEB), "TCP 80");
    // db is not selected by a NetworkPolicy and not by a BANP: the lower ANP Deny does not
    // apply (Pass skips all ANPs), so the default allows.
    assert_eq!(allowed(&yaml, MONITOR, DB), "all ports");
}

#[test]
fn pass_then_baseline_when_no_network_policy_isolates() {
    let yaml = cluster() + &anp("pass", 10, &[("Pass", "ops", "")]) + &banp(&[("Deny", "ops")]);
    assert_eq!(allowed(&yaml, MONITOR, WEB), "no ports");
    assert_eq!(allowed(&yaml, DEV, WEB), "all ports");
}

#[test]
fn baseline_applies_only_when_no_network_policy_isolates() {
    let yaml = cluster() + &banp(&[("Deny", "ops")]) + &np_web_from_ops("[{port: 443}]");
    // web is isolated by the NetworkPolicy: the baseline is not consulted.
    assert_eq!(allowed(&yaml, MONITOR, WEB), "TCP 443");
    // db is not: the baseline denies.
    assert_eq!(allowed(&yaml, MONITOR, DB), "no ports");
    assert_eq!(allowed(&yaml, DEV, DB), "all ports");
}

#[test]
fn baseline_rules_in_order_then_default_allow() {
    let yaml = cluster() + &banp(&[("Allow", "ops"), ("Deny", "ops"), ("Deny", "dev")]);
    assert_eq!(allowed(&yaml, MONITOR, DB), "all ports");
    assert_eq!(allowed(&yaml, DEV, DB), "no ports");
    // Traffic the admin policies do not mention is allowed.
    assert_eq!(allowed(&yaml, WEB, DB), "all ports");
    assert_eq!(allowed(&yaml, "8.8.8.8", DB), "all ports");
}

#[test]
fn admin_named_ports_and_networks() {
    let yaml = cluster()
        + "apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: a}
spec:
  priority: 5
  subject: {pods: {namespaceSelector: {matchLabels: {team: shop}}, podSelector: {matchLabels: {app: web}}}}
  ingress:
  - action: Allow
    from: [{namespaces: {matchLabels: {team: ops}}}]
    ports: [{namedPort: http}]
  - action: Deny
    from: [{namespaces: {}}]
---
";
    assert_eq!(allowed(&yaml, MONITOR, WEB), "TCP 8080");
    assert_eq!(allowed(&yaml, DEV, WEB), "no ports");
    // db is not a subject.
    assert_eq!(allowed(&yaml, DEV, DB), "all ports");
}

#[test]
fn admin_egress_to_networks() {
    let yaml = cluster()
        + "apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: a}
spec:
  priority: 5
  subject: {namespaces: {matchLabels: {team: shop}}}
  egress:
  - action: Deny
    to: [{networks: [10.0.0.0/8]}]
  - action: Allow
    to: [{networks: [0.0.0.0/0]}]
---
" + &policy("shop", "np", "  podSelector: {}\n  policyTypes: [Egress]");
    assert_eq!(allowed(&yaml, WEB, "10.1.1.1"), "no ports");
    assert_eq!(allowed(&yaml, WEB, "8.8.8.8"), "all ports");
    // Not matched by the ANP: the NetworkPolicy's egress isolation denies.
    assert_eq!(allowed(&yaml, WEB, "2001:db8::1"), "no ports");
    assert_eq!(allowed(&yaml, WEB, MONITOR), "no ports");
}
