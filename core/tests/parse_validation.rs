//! Validation like the API server: each invalid object becomes a located error and is
//! skipped, while the valid objects around it are still read.

use netreach_core::diagnostic::{Diagnostic, Severity};
use netreach_core::model::Model;
use netreach_core::parse::parse;
use netreach_core::{Options, SourceFile};

fn parse_yaml(yaml: &str) -> Model {
    parse(&[SourceFile::new("test.yaml", yaml)], &Options::default())
}

/// A policy `shop/p` whose second ingress peer (line 11) and port (line 13) are given,
/// followed by a valid policy `shop/ok`.
fn policy(peer: &str, port: &str) -> String {
    format!(
        "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: p
  namespace: shop
spec:
  podSelector: {{}}
  ingress:
  - from:
    - podSelector: {{}}
    - {peer}
    ports:
    - {port}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: ok, namespace: shop}}
spec: {{podSelector: {{}}}}
"
    )
}

/// The single error of `shop/p`; checks that `shop/ok` survived.
fn single_error(yaml: &str) -> Diagnostic {
    let model = parse_yaml(yaml);
    let names: Vec<&str> = model.policies.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        ["ok"],
        "only the invalid policy is skipped: {:#?}",
        model.diagnostics
    );
    assert_eq!(model.diagnostics.len(), 1, "{:#?}", model.diagnostics);
    let d = model.diagnostics[0].clone();
    assert_eq!(d.severity, Severity::Error);
    assert_eq!(d.location.path, "test.yaml");
    assert_eq!(d.location.document, 0);
    let object = d.location.object.as_ref().expect("the object is named");
    assert_eq!(
        (object.kind.as_str(), object.namespace.as_str(), object.name.as_str()),
        ("NetworkPolicy", "shop", "p")
    );
    d
}

fn check(peer: &str, port: &str, code: &str, field: &str, line: usize) -> Diagnostic {
    let d = single_error(&policy(peer, port));
    assert_eq!(d.code, code, "{d}");
    assert_eq!(d.location.field.as_deref(), Some(field), "{d}");
    assert_eq!(d.location.line, line, "{d}");
    assert!(
        d.message.starts_with(&format!("NetworkPolicy shop/p: {field}: ")),
        "{}",
        d.message
    );
    d
}

const PEER_OK: &str = "namespaceSelector: {}";
const PORT_OK: &str = "port: 80";

#[test]
fn the_template_is_valid() {
    let model = parse_yaml(&policy(PEER_OK, PORT_OK));
    assert!(model.diagnostics.is_empty(), "{:#?}", model.diagnostics);
    assert_eq!(model.policies.len(), 2);
}

#[test]
fn invalid_cidr() {
    let d = check(
        "ipBlock: {cidr: 10.0.0/8}",
        PORT_OK,
        "invalid-cidr",
        "spec.ingress[0].from[1].ipBlock.cidr",
        11,
    );
    assert!(
        d.message
            .starts_with("NetworkPolicy shop/p: spec.ingress[0].from[1].ipBlock.cidr: invalid CIDR \"10.0.0/8\""),
        "{}",
        d.message
    );
    check(
        "ipBlock: {except: [10.0.0.0/8]}",
        PORT_OK,
        "invalid-cidr",
        "spec.ingress[0].from[1].ipBlock.cidr",
        11,
    );
}

#[test]
fn invalid_except() {
    let field = "spec.ingress[0].from[1].ipBlock.except[0]";
    check(
        "ipBlock: {cidr: 10.0.0.0/16, except: [10.0.0.0/8]}",
        PORT_OK,
        "invalid-except",
        field,
        11,
    );
    check(
        "ipBlock: {cidr: 10.0.0.0/16, except: [10.0.0.0/16]}",
        PORT_OK,
        "invalid-except",
        field,
        11,
    );
    check(
        "ipBlock: {cidr: 10.0.0.0/16, except: ['fd00::/64']}",
        PORT_OK,
        "invalid-except",
        field,
        11,
    );
    check(
        "ipBlock: {cidr: 10.0.0.0/16, except: [nope]}",
        PORT_OK,
        "invalid-cidr",
        field,
        11,
    );
}

#[test]
fn ip_block_with_a_selector() {
    check(
        "{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}",
        PORT_OK,
        "ipblock-with-selector",
        "spec.ingress[0].from[1]",
        11,
    );
}

#[test]
fn empty_peer() {
    check("{}", PORT_OK, "empty-peer", "spec.ingress[0].from[1]", 11);
}

#[test]
fn invalid_selectors() {
    check(
        "podSelector: {matchExpressions: [{key: app, operator: Equals, values: [a]}]}",
        PORT_OK,
        "invalid-selector",
        "spec.ingress[0].from[1].podSelector.matchExpressions[0].operator",
        11,
    );
    check(
        "namespaceSelector: {matchExpressions: [{key: app, operator: In}]}",
        PORT_OK,
        "invalid-selector",
        "spec.ingress[0].from[1].namespaceSelector.matchExpressions[0].values",
        11,
    );
    check(
        "podSelector: {matchLabels: {app: $web}}",
        PORT_OK,
        "invalid-label",
        "spec.ingress[0].from[1].podSelector.matchLabels",
        11,
    );
    check(
        "podSelector: {matchExpressions: [{key: -app, operator: Exists}]}",
        PORT_OK,
        "invalid-label",
        "spec.ingress[0].from[1].podSelector.matchExpressions[0].key",
        11,
    );
}

#[test]
fn invalid_ports() {
    let field = "spec.ingress[0].ports[0].port";
    check(PEER_OK, "port: 0", "invalid-port", field, 13);
    check(PEER_OK, "port: 65536", "invalid-port", field, 13);
    let d = check(PEER_OK, "port: '80'", "invalid-port", field, 13);
    assert!(d.message.contains("at least one letter"), "{}", d.message);
    check(PEER_OK, "port: HTTP", "invalid-port", field, 13);
    check(PEER_OK, "port: my--port", "invalid-port", field, 13);
    check(PEER_OK, "port: a-very-long-port-name", "invalid-port", field, 13);
}

#[test]
fn invalid_end_ports() {
    let field = "spec.ingress[0].ports[0].endPort";
    check(PEER_OK, "{port: 90, endPort: 80}", "invalid-end-port", field, 13);
    check(PEER_OK, "{port: http, endPort: 80}", "invalid-end-port", field, 13);
    check(PEER_OK, "{endPort: 80}", "invalid-end-port", field, 13);
    check(PEER_OK, "{port: 80, endPort: 65536}", "invalid-end-port", field, 13);
}

#[test]
fn invalid_protocol() {
    check(
        PEER_OK,
        "{port: 80, protocol: ICMP}",
        "invalid-protocol",
        "spec.ingress[0].ports[0].protocol",
        13,
    );
    check(
        PEER_OK,
        "{port: 80, protocol: tcp}",
        "invalid-protocol",
        "spec.ingress[0].ports[0].protocol",
        13,
    );
}

#[test]
fn type_errors_name_field_and_line() {
    let d = check(
        PEER_OK,
        "port: [80]",
        "invalid-object",
        "spec.ingress[0].ports[0].port",
        13,
    );
    assert!(d.message.contains("invalid type"), "{}", d.message);
}

#[test]
fn invalid_policy_types() {
    let yaml = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  policyTypes:\n  - Ingress\n  - Sideways\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ok, namespace: shop}\n";
    let d = single_error(yaml);
    assert_eq!(d.code, "invalid-policy-type");
    assert_eq!(d.location.field.as_deref(), Some("spec.policyTypes[1]"));
    assert_eq!(d.location.line, 7);
}

#[test]
fn every_problem_of_an_object_is_reported() {
    let yaml = policy("ipBlock: {cidr: x}", "{port: 0, protocol: ICMP}");
    let model = parse_yaml(&yaml);
    let codes: Vec<&str> = model.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["invalid-cidr", "invalid-protocol", "invalid-port"]);
    assert_eq!(model.policies.len(), 1);
}

#[test]
fn invalid_names_and_missing_names() {
    let yaml = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: Bad_Name\n  namespace: shop\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  namespace: shop\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: Shop\n";
    let model = parse_yaml(yaml);
    assert!(model.policies.is_empty() && model.workloads.is_empty());
    let found: Vec<(&str, Option<&str>, usize)> = model
        .diagnostics
        .iter()
        .map(|d| (d.code.as_str(), d.location.field.as_deref(), d.location.line))
        .collect();
    assert_eq!(
        found,
        [
            ("invalid-name", Some("metadata.name"), 4),
            ("invalid-object", Some("metadata.name"), 9),
            ("invalid-name", Some("metadata.namespace"), 16),
        ]
    );
}

#[test]
fn invalid_labels_on_workloads() {
    let yaml = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {ok: yes-it-is}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels:
        app: web
        bad key: x
---
apiVersion: v1
kind: Pod
metadata:
  name: fine
";
    let model = parse_yaml(yaml);
    assert_eq!(model.workloads.len(), 1);
    let d = &model.diagnostics[0];
    assert_eq!(d.code, "invalid-label");
    assert_eq!(d.location.field.as_deref(), Some("spec.template.metadata.labels"));
    assert_eq!(d.location.line, 10);
    assert_eq!(model.diagnostics.len(), 1);
}

#[test]
fn workload_selectors_must_match_their_template() {
    let yaml = "apiVersion: apps/v1
kind: Deployment
metadata: {name: a}
spec:
  selector: {matchLabels: {app: other}}
  template:
    metadata:
      labels: {app: a}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: b}
spec:
  template:
    metadata:
      labels: {app: b}
";
    let model = parse_yaml(yaml);
    assert!(model.workloads.is_empty());
    let found: Vec<(&str, Option<&str>, usize)> = model
        .diagnostics
        .iter()
        .map(|d| (d.code.as_str(), d.location.field.as_deref(), d.location.line))
        .collect();
    assert_eq!(
        found,
        [
            ("invalid-selector", Some("spec.template.metadata.labels"), 8),
            ("invalid-selector", Some("spec.selector"), 13),
        ]
    );
}

#[test]
fn invalid_container_ports() {
    let yaml = "apiVersion: v1
kind: Pod
metadata: {name: a}
spec:
  containers:
  - name: c
    ports:
    - containerPort: 80
      name: Web_Port
  - name: d
    ports:
    - containerPort: 70000
    - {containerPort: 53, protocol: QUIC}
";
    let model = parse_yaml(yaml);
    assert!(model.workloads.is_empty());
    let found: Vec<(&str, Option<&str>, usize)> = model
        .diagnostics
        .iter()
        .map(|d| (d.code.as_str(), d.location.field.as_deref(), d.location.line))
        .collect();
    assert_eq!(
        found,
        [
            ("invalid-port", Some("spec.containers[0].ports[0].name"), 9),
            ("invalid-port", Some("spec.containers[1].ports[0].containerPort"), 12),
            ("invalid-protocol", Some("spec.containers[1].ports[1].protocol"), 13),
        ]
    );
}

#[test]
fn duplicates_keep_the_first() {
    let first = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec: {podSelector: {}}\n";
    let second = "# again\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec: {podSelector: {matchLabels: {app: x}}}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\n";
    let model = parse(
        &[SourceFile::new("a.yaml", first), SourceFile::new("b.yaml", second)],
        &Options::default(),
    );
    assert_eq!(model.policies.len(), 1);
    assert!(
        model.policies[0].pod_selector.is_everything(),
        "the first definition is kept"
    );
    assert_eq!(model.workloads.len(), 1, "a Pod of the same name is another object");
    assert_eq!(model.diagnostics.len(), 1);
    let d = &model.diagnostics[0];
    assert_eq!(d.code, "duplicate-object");
    assert_eq!(
        (d.location.path.as_str(), d.location.line, d.location.document),
        ("b.yaml", 3, 0)
    );
    assert!(d.message.contains("a.yaml:1 (document 0)"), "{}", d.message);
    assert!(d.message.starts_with("NetworkPolicy shop/p: "), "{}", d.message);
}

#[test]
fn an_invalid_object_does_not_count_as_the_first_definition() {
    let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {bad key: x}}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\n";
    let model = parse_yaml(yaml);
    assert_eq!(model.workloads.len(), 1);
    let codes: Vec<&str> = model.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["invalid-label"]);
}
