//! Semantics of `NetworkPolicy` ports: protocols, ranges, named ports.

mod common;

use common::{allowed, analyze, deployment, policy};

const WEB: &str = "shop/Deployment/web";
const API: &str = "shop/Deployment/api";
const DB: &str = "shop/Deployment/db";

/// web serves `http` on 8080/TCP and `dns` on 53/UDP; db serves `http` on 5432/TCP and
/// `dns` on 53/TCP; api has no named ports.
fn cluster() -> String {
    [
        deployment(
            "shop",
            "web",
            "app: web",
            "{name: http, containerPort: 8080}, {name: dns, containerPort: 53, protocol: UDP}, {containerPort: 9000}",
        ),
        deployment(
            "shop",
            "db",
            "app: db",
            "{name: http, containerPort: 5432}, {name: dns, containerPort: 53, protocol: TCP}",
        ),
        deployment("shop", "api", "app: api", ""),
    ]
    .concat()
}

/// Ingress to web and db from api with the given `ports` list.
fn ingress_ports(ports: &str) -> String {
    cluster()
        + &policy(
            "shop",
            "p",
            &format!("  podSelector: {{matchExpressions: [{{key: app, operator: In, values: [web, db]}}]}}\n  ingress: [{{from: [{{podSelector: {{matchLabels: {{app: api}}}}}}], ports: {ports}}}]"),
        )
}

/// Egress of api to the given peers with the given `ports` list.
fn egress_ports(to: &str, ports: &str) -> String {
    cluster()
        + &policy(
            "shop",
            "p",
            &format!("  podSelector: {{matchLabels: {{app: api}}}}\n  policyTypes: [Egress]\n  egress: [{{to: {to}, ports: {ports}}}]"),
        )
}

#[test]
fn rule_without_ports_allows_all_ports_of_all_protocols() {
    let yaml = cluster()
        + &policy(
            "shop",
            "p",
            "  podSelector: {matchLabels: {app: web}}\n  ingress: [{from: [{podSelector: {matchLabels: {app: api}}}]}]",
        );
    assert_eq!(allowed(&yaml, API, WEB), "all ports");
    let yaml = ingress_ports("[]");
    assert_eq!(allowed(&yaml, API, WEB), "all ports");
}

#[test]
fn port_entry_without_port_is_every_port_of_its_protocol() {
    assert_eq!(allowed(&ingress_ports("[{protocol: UDP}]"), API, WEB), "UDP all");
    assert_eq!(allowed(&ingress_ports("[{}]"), API, WEB), "TCP all");
    assert_eq!(
        allowed(
            &ingress_ports("[{protocol: SCTP}, {protocol: TCP, port: 80}]"),
            API,
            WEB
        ),
        "TCP 80; SCTP all"
    );
}

#[test]
fn protocols_default_to_tcp() {
    assert_eq!(allowed(&ingress_ports("[{port: 80}]"), API, WEB), "TCP 80");
    assert_eq!(
        allowed(&ingress_ports("[{port: 53, protocol: UDP}]"), API, WEB),
        "UDP 53"
    );
    assert_eq!(
        allowed(&ingress_ports("[{port: 9000, protocol: SCTP}]"), API, WEB),
        "SCTP 9000"
    );
    assert_eq!(
        allowed(
            &ingress_ports("[{port: 53, protocol: UDP}, {port: 53}, {port: 443}, {port: 2905, protocol: SCTP}]"),
            API,
            WEB
        ),
        "TCP 53,443; UDP 53; SCTP 2905"
    );
}

#[test]
fn end_port_makes_a_range() {
    assert_eq!(
        allowed(&ingress_ports("[{port: 8000, endPort: 8100}]"), API, WEB),
        "TCP 8000-8100"
    );
    assert_eq!(
        allowed(&ingress_ports("[{port: 8000, endPort: 8000}]"), API, WEB),
        "TCP 8000"
    );
    assert_eq!(
        allowed(
            &ingress_ports("[{port: 1, endPort: 65535, protocol: UDP}, {port: 30000, endPort: 32767}]"),
            API,
            WEB
        ),
        "TCP 30000-32767; UDP all"
    );
    // Overlapping and adjacent entries merge.
    assert_eq!(
        allowed(
            &ingress_ports("[{port: 80, endPort: 90}, {port: 91}, {port: 85, endPort: 100}]"),
            API,
            WEB
        ),
        "TCP 80-100"
    );
}

#[test]
fn ingress_named_port_resolves_on_each_selected_pod() {
    let yaml = ingress_ports("[{port: http}]");
    assert_eq!(allowed(&yaml, API, WEB), "TCP 8080");
    assert_eq!(allowed(&yaml, API, DB), "TCP 5432");
}

#[test]
fn named_port_protocol_must_match() {
    let yaml = ingress_ports("[{port: dns, protocol: UDP}]");
    assert_eq!(allowed(&yaml, API, WEB), "UDP 53");
    // db's `dns` is TCP: a UDP `dns` does not resolve there.
    assert_eq!(allowed(&yaml, API, DB), "no ports");
    // The default protocol TCP: web's `dns` is UDP.
    let yaml = ingress_ports("[{port: dns}]");
    assert_eq!(allowed(&yaml, API, WEB), "no ports");
    assert_eq!(allowed(&yaml, API, DB), "TCP 53");
}

#[test]
fn unmatched_named_port_allows_nothing_but_still_isolates() {
    let yaml = ingress_ports("[{port: nope}]");
    assert_eq!(allowed(&yaml, API, WEB), "no ports");
    assert_eq!(allowed(&yaml, DB, WEB), "no ports");
    let yaml = ingress_ports("[{port: nope}, {port: 443}]");
    assert_eq!(allowed(&yaml, API, WEB), "TCP 443");
}

#[test]
fn egress_named_port_resolves_on_the_peer() {
    let yaml = egress_ports("[{podSelector: {}}]", "[{port: http}]");
    assert_eq!(allowed(&yaml, API, WEB), "TCP 8080");
    assert_eq!(allowed(&yaml, API, DB), "TCP 5432");
    // The source's own (absent) named ports do not matter; an address has no named ports.
    assert_eq!(allowed(&yaml, API, "8.8.8.8"), "no ports");
}

#[test]
fn egress_named_port_to_an_ip_block_matches_nothing() {
    let yaml = egress_ports(
        "[{ipBlock: {cidr: 0.0.0.0/0}}]",
        "[{port: http}, {port: dns, protocol: UDP}]",
    );
    assert_eq!(allowed(&yaml, API, "8.8.8.8"), "no ports");
    let yaml = egress_ports(
        "[{ipBlock: {cidr: 0.0.0.0/0}}]",
        "[{port: http}, {port: 53, protocol: UDP}]",
    );
    assert_eq!(allowed(&yaml, API, "8.8.8.8"), "UDP 53");
    // With no `to`, a named port resolves on pods and still not on addresses.
    let yaml = egress_ports("[]", "[{port: http}]");
    assert_eq!(allowed(&yaml, API, WEB), "TCP 8080");
    assert_eq!(allowed(&yaml, API, "8.8.8.8"), "no ports");
}

#[test]
fn named_and_numeric_ports_combine() {
    let yaml = ingress_ports("[{port: http}, {port: 8081, endPort: 8090}, {port: dns, protocol: UDP}]");
    assert_eq!(allowed(&yaml, API, WEB), "TCP 8080-8090; UDP 53");
    assert_eq!(allowed(&yaml, API, DB), "TCP 5432,8081-8090");
}

#[test]
fn unnamed_container_ports_do_not_matter() {
    // web declares 9000 without a name: it neither opens nor restricts anything.
    let yaml = ingress_ports("[{port: 9001}]");
    assert_eq!(allowed(&yaml, API, WEB), "TCP 9001");
    let analysis = analyze(&yaml);
    assert_eq!(common::allowed_in(&analysis, API, DB), "TCP 9001");
}
