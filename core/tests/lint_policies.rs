//! Lint checks about `NetworkPolicy` objects: each check has an input that triggers it and a
//! near-identical one that does not.

mod lint_support;

use lint_support::{assert_at, line_eq, line_of, lint_with, lint_yaml, none, single, with_code};
use netreach_core::{Options, Severity};

/// Two namespaces with workloads; tests append policies.
const WORKLOADS: &str = "\
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {team: shop}
---
apiVersion: v1
kind: Namespace
metadata:
  name: monitoring
  labels: {team: ops}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx
        ports:
        - {name: http, containerPort: 8080}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: api
        image: api
        ports:
        - {name: grpc, containerPort: 9090}
        - {name: stats, containerPort: 9125, protocol: UDP}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: prometheus, namespace: monitoring}
spec:
  selector: {matchLabels: {app: prometheus}}
  template:
    metadata: {labels: {app: prometheus}}
    spec:
      containers:
      - {name: prometheus, image: prom}
";

fn with_policy(policy: &str) -> String {
    format!("{WORKLOADS}---\n{policy}")
}

// ---- policy-selects-nothing ------------------------------------------------------------

const SELECTS: &str = "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: SELECTED}}
  ingress:
  - {}
";

#[test]
fn policy_selecting_no_workload_is_reported_at_its_pod_selector() {
    let yaml = with_policy(&SELECTS.replace("SELECTED", "wbe"));
    let findings = lint_yaml(&yaml);
    let d = single(&findings, "policy-selects-nothing");
    assert_at(
        d,
        Severity::Warning,
        "NetworkPolicy shop/allow-web",
        Some("spec.podSelector"),
        line_of(&yaml, "podSelector: {matchLabels: {app: wbe}}"),
    );
    assert_eq!(
        d.message,
        "podSelector app=wbe selects no workload in namespace shop: the policy has no effect"
    );
}

#[test]
fn policy_selecting_a_workload_is_fine() {
    let findings = lint_yaml(&with_policy(&SELECTS.replace("SELECTED", "web")));
    none(&findings, "policy-selects-nothing");
}

#[test]
fn policy_in_a_namespace_without_workloads_says_so() {
    let yaml = with_policy(
        &SELECTS
            .replace("SELECTED", "web")
            .replace("namespace: shop", "namespace: empty"),
    );
    let findings = lint_yaml(&yaml);
    let d = single(&findings, "policy-selects-nothing");
    assert_eq!(
        d.message,
        "podSelector app=web selects no workload: the input has no workloads in namespace empty"
    );
}

// ---- peer-selects-nothing --------------------------------------------------------------

const PEERS: &str = "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-peers, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {team: OPS}}
      podSelector: {matchLabels: {app: PROMETHEUS}}
    - podSelector: {matchLabels: {app: API}}
";

fn peers(ops: &str, prometheus: &str, api: &str) -> String {
    with_policy(
        &PEERS
            .replace("OPS", ops)
            .replace("PROMETHEUS", prometheus)
            .replace("API", api),
    )
}

#[test]
fn namespace_selector_matching_no_namespace_is_reported_at_the_peer() {
    let yaml = peers("opz", "prometheus", "api");
    let findings = lint_yaml(&yaml);
    let d = single(&findings, "peer-selects-nothing");
    assert_at(
        d,
        Severity::Warning,
        "NetworkPolicy shop/allow-peers",
        Some("spec.ingress[0].from[0]"),
        line_of(&yaml, "- namespaceSelector: {matchLabels: {team: opz}}"),
    );
    assert_eq!(d.message, "namespaceSelector team=opz matches no namespace");
}

#[test]
fn pod_selector_matching_nothing_in_the_selected_namespace_names_it() {
    let yaml = peers("ops", "promethues", "api");
    let findings = lint_yaml(&yaml);
    let d = single(&findings, "peer-selects-nothing");
    assert_at(
        d,
        Severity::Warning,
        "NetworkPolicy shop/allow-peers",
        Some("spec.ingress[0].from[0]"),
        line_of(&yaml, "- namespaceSelector: {matchLabels: {team: ops}}"),
    );
    assert_eq!(
        d.message,
        "podSelector app=promethues matches no workload in namespace monitoring"
    );
}

#[test]
fn second_peer_matching_nothing_in_own_namespace_is_found_next_to_a_good_one() {
    let yaml = peers("ops", "prometheus", "apj");
    let findings = lint_yaml(&yaml);
    let d = single(&findings, "peer-selects-nothing");
    assert_at(
        d,
        Severity::Warning,
        "NetworkPolicy shop/allow-peers",
        Some("spec.ingress[0].from[1]"),
        line_of(&yaml, "- podSelector: {matchLabels: {app: apj}}"),
    );
    assert_eq!(d.message, "podSelector app=apj matches no workload in namespace shop");
}

#[test]
fn peers_matching_workloads_are_fine() {
    none(&lint_yaml(&peers("ops", "prometheus", "api")), "peer-selects-nothing");
}

#[test]
fn namespaces_named_outside_the_input_are_not_judged() {
    // kube-system is not part of the input: a deliberate reference, not a typo we can see.
    let yaml = peers("ops", "prometheus", "api").replace(
        "{matchLabels: {team: ops}}",
        "{matchLabels: {kubernetes.io/metadata.name: kube-system}}",
    );
    none(&lint_yaml(&yaml), "peer-selects-nothing");
}

// ---- named-port-undefined / named-port-wrong-protocol -----------------------------------

const NAMED: &str = "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: named-ports, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress, Egress]
  ingress:
  - ports:
    - {port: INGRESS_PORT}
    from:
    - podSelector: {}
  egress:
  - to:
    - podSelector: {matchLabels: {app: api}}
    ports:
    - {port: EGRESS_PORT, protocol: EGRESS_PROTOCOL}
";

fn named(ingress: &str, egress: &str, protocol: &str) -> String {
    with_policy(
        &NAMED
            .replace("INGRESS_PORT", ingress)
            .replace("EGRESS_PORT", egress)
            .replace("EGRESS_PROTOCOL", protocol),
    )
}

#[test]
fn ingress_named_port_missing_on_the_selected_pods() {
    let yaml = named("htp", "grpc", "TCP");
    let findings = lint_yaml(&yaml);
    let d = single(&findings, "named-port-undefined");
    assert_at(
        d,
        Severity::Warning,
        "NetworkPolicy shop/named-ports",
        Some("spec.ingress[0].ports[0].port"),
        line_of(&yaml, "- {port: htp}"),
    );
    assert_eq!(
        d.message,
        "named port htp (TCP) is not defined on any of the workloads this policy selects"
    );
    none(&findings, "named-port-wrong-protocol");
}

#[test]
fn egress_named_port_missing_on_the_peer_pods() {
    let yaml = named("http", "grcp", "TCP");
    let findings = lint_yaml(&yaml);
    let d = single(&findings, "named-port-undefined");
    assert_at(
        d,
        Severity::Warning,
        "NetworkPolicy shop/named-ports",
        Some("spec.egress[0].ports[0].port"),
        line_of(&yaml, "- {port: grcp, protocol: TCP}"),
    );
    assert_eq!(
        d.message,
        "named port grcp (TCP) is not defined on any of the workloads this rule's peers select"
    );
}

#[test]
fn named_port_defined_only_with_another_protocol_says_which() {
    let yaml = named("http", "stats", "TCP");
    let findings = lint_yaml(&yaml);
    let d = single(&findings, "named-port-wrong-protocol");
    assert_at(
        d,
        Severity::Warning,
        "NetworkPolicy shop/named-ports",
        Some("spec.egress[0].ports[0].port"),
        line_of(&yaml, "- {port: stats, protocol: TCP}"),
    );
    assert_eq!(
        d.message,
        "named port stats is defined on the workloads this rule's peers select only with protocol UDP, not TCP: this entry matches nothing"
    );
}

#[test]
fn named_ports_defined_on_their_destinations_are_fine() {
    let findings = lint_yaml(&named("http", "stats", "UDP"));
    none(&findings, "named-port-undefined");
    none(&findings, "named-port-wrong-protocol");
}

#[test]
fn named_port_towards_ip_blocks_only_can_never_match() {
    let yaml = named("http", "grpc", "TCP").replace(
        "- podSelector: {matchLabels: {app: api}}",
        "- ipBlock: {cidr: 192.0.2.0/24}",
    );
    let findings = lint_yaml(&yaml);
    let d = single(&findings, "named-port-undefined");
    assert_eq!(d.location.field.as_deref(), Some("spec.egress[0].ports[0].port"));
    assert!(d.message.contains("can never match"), "{d}");
}

// ---- ingress-ports-from-anywhere / egress-ports-to-anywhere -----------------------------

const OPEN: &str = "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: open-ports, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress, Egress]
  ingress:
  - ports:
    - {port: 8080}
    - {port: 8443, endPort: 8444}
    #FROM
  egress:
  - ports:
    - {port: 443}
    #TO
  - ports:
    - {port: 53, protocol: UDP}
    - {port: 53, protocol: TCP}
";

#[test]
fn rules_with_ports_but_no_peers_open_them_to_everyone() {
    let yaml = with_policy(OPEN);
    let findings = lint_yaml(&yaml);
    let d = single(&findings, "ingress-ports-from-anywhere");
    assert_at(
        d,
        Severity::Warning,
        "NetworkPolicy shop/open-ports",
        Some("spec.ingress[0]"),
        line_of(&yaml, "  - ports:"),
    );
    assert_eq!(
        d.message,
        "ingress rule 0 allows TCP 8080, TCP 8443-8444 from every source, including outside the cluster: it has ports but no `from`; list the intended peers to restrict it"
    );
    // Egress to anywhere on chosen ports is common: information only; DNS-only rules not at all.
    let d = single(&findings, "egress-ports-to-anywhere");
    let egress_line = line_eq(&yaml, "  egress:") + 1;
    assert_at(
        d,
        Severity::Info,
        "NetworkPolicy shop/open-ports",
        Some("spec.egress[0]"),
        egress_line,
    );
    assert!(
        d.message
            .starts_with("egress rule 0 allows TCP 443 to every destination"),
        "{d}"
    );
}

#[test]
fn rules_with_ports_and_peers_are_fine() {
    let yaml = with_policy(
        &OPEN
            .replace("#FROM", "from: [podSelector: {}]")
            .replace("#TO", "to: [ipBlock: {cidr: 192.0.2.0/24}]"),
    );
    let findings = lint_yaml(&yaml);
    none(&findings, "ingress-ports-from-anywhere");
    none(&findings, "egress-ports-to-anywhere");
}

// ---- rules-ignored-by-policy-types -------------------------------------------------------

const IGNORED: &str = "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: half, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [TYPES]
  ingress:
  - from: [podSelector: {}]
  egress:
  - to: [podSelector: {}]
";

#[test]
fn rules_for_a_direction_policy_types_leaves_out_are_reported() {
    let yaml = with_policy(&IGNORED.replace("TYPES", "Ingress"));
    let findings = lint_yaml(&yaml);
    let d = single(&findings, "rules-ignored-by-policy-types");
    assert_at(
        d,
        Severity::Warning,
        "NetworkPolicy shop/half",
        Some("spec.egress"),
        line_of(&yaml, "  egress:"),
    );
    assert_eq!(
        d.message,
        "policyTypes [Ingress] leaves out Egress, so its 1 egress rule is ignored by Kubernetes: add Egress to policyTypes or remove the rules"
    );
}

#[test]
fn rules_for_listed_directions_are_fine() {
    let findings = lint_yaml(&with_policy(&IGNORED.replace("TYPES", "Ingress, Egress")));
    none(&findings, "rules-ignored-by-policy-types");
}

// ---- duplicate-policy / rule-shadowed ------------------------------------------------------

const TWINS: &str = "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-a, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [podSelector: {matchLabels: {app: api}}]
    ports: [{port: 8080}]
  - from: [namespaceSelector: {matchLabels: {team: ops}}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-b, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [namespaceSelector: {matchLabels: {team: ops}}]
  - ports: [{port: PORT, protocol: TCP}]
    from: [podSelector: {matchLabels: {app: api}}]
";

#[test]
fn identical_policies_are_duplicates_even_with_rules_reordered() {
    let yaml = with_policy(&TWINS.replace("PORT", "8080"));
    let findings = lint_yaml(&yaml);
    let d = single(&findings, "duplicate-policy");
    // No field: the policy's document line.
    let line = line_of(&yaml, "metadata: {name: allow-b") - 2;
    assert_at(d, Severity::Warning, "NetworkPolicy shop/allow-b", None, line);
    assert_eq!(
        d.message,
        "has the same podSelector, policyTypes and rules as NetworkPolicy shop/allow-a: one of the two is redundant"
    );
}

#[test]
fn policies_differing_in_a_port_are_not_duplicates() {
    none(
        &lint_yaml(&with_policy(&TWINS.replace("PORT", "8081"))),
        "duplicate-policy",
    );
}

const SHADOW: &str = "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: layered, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from:
    - podSelector: {}
    - namespaceSelector: {matchLabels: {team: ops}}
    ports: [{port: 8080}, {port: http}]
  - from:
    - podSelector: {matchLabels: {app: api}}
    ports: [{port: PORT}]
";

#[test]
fn rule_contained_in_another_rule_is_shadowed() {
    let yaml = with_policy(&SHADOW.replace("PORT", "http"));
    let findings = lint_yaml(&yaml);
    let d = single(&findings, "rule-shadowed");
    let line = line_of(&yaml, "    - podSelector: {matchLabels: {app: api}}") - 1;
    assert_at(
        d,
        Severity::Info,
        "NetworkPolicy shop/layered",
        Some("spec.ingress[1]"),
        line,
    );
    assert_eq!(
        d.message,
        "ingress rule 1 allows nothing that ingress rule 0 does not already allow"
    );
}

#[test]
fn rule_adding_a_port_is_not_shadowed() {
    none(
        &lint_yaml(&with_policy(&SHADOW.replace("PORT", "9090"))),
        "rule-shadowed",
    );
}

#[test]
fn equal_rules_shadow_only_the_later_one() {
    let yaml = with_policy(
        &SHADOW
            .replace("PORT", "8080")
            .replace(
                "    - podSelector: {matchLabels: {app: api}}\n",
                "    - namespaceSelector: {matchLabels: {team: ops}}\n    - podSelector: {}\n",
            )
            .replace("ports: [{port: 8080}]", "ports: [{port: http}, {port: 8080}]"),
    );
    let findings = lint_yaml(&yaml);
    let d = single(&findings, "rule-shadowed");
    assert_eq!(d.location.field.as_deref(), Some("spec.ingress[1]"));
}

// ---- ipblock-overlaps-cluster-cidr ---------------------------------------------------------

const IPBLOCK: &str = "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ipblocks, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from:
    - ipBlock: {cidr: 10.244.1.0/24}
    - ipBlock:
        cidr: 0.0.0.0/0
        except: [EXCEPT]
";

fn cluster(cidrs: &[&str]) -> Options {
    Options {
        cluster_cidrs: cidrs.iter().map(ToString::to_string).collect(),
        ..Options::default()
    }
}

#[test]
fn ip_blocks_inside_or_covering_the_cluster_range_are_reported() {
    let yaml = with_policy(&IPBLOCK.replace("EXCEPT", "192.0.2.0/24"));
    let findings = lint_with(&yaml, &cluster(&["10.244.0.0/16"]));
    let found = with_code(&findings, "ipblock-overlaps-cluster-cidr");
    assert_eq!(found.len(), 2, "{findings:?}");
    assert_at(
        found[0],
        Severity::Warning,
        "NetworkPolicy shop/ipblocks",
        Some("spec.ingress[0].from[0].ipBlock"),
        line_of(&yaml, "- ipBlock: {cidr: 10.244.1.0/24}"),
    );
    assert!(
        found[0]
            .message
            .starts_with("ipBlock 10.244.1.0/24 lies inside the cluster's pod/service range 10.244.0.0/16"),
        "{}",
        found[0]
    );
    assert_at(
        found[1],
        Severity::Warning,
        "NetworkPolicy shop/ipblocks",
        Some("spec.ingress[0].from[1].ipBlock"),
        line_eq(&yaml, "    - ipBlock:"),
    );
    assert!(
        found[1].message.starts_with(
            "ipBlock 0.0.0.0/0 except 192.0.2.0/24 also covers the cluster's pod/service range 10.244.0.0/16"
        ),
        "{}",
        found[1]
    );
}

#[test]
fn ip_blocks_outside_the_cluster_range_or_without_the_option_are_fine() {
    let yaml = with_policy(
        &IPBLOCK
            .replace("EXCEPT", "10.244.0.0/16")
            .replace("10.244.1.0/24", "192.0.2.0/24"),
    );
    none(
        &lint_with(&yaml, &cluster(&["10.244.0.0/16"])),
        "ipblock-overlaps-cluster-cidr",
    );
    let yaml = with_policy(&IPBLOCK.replace("EXCEPT", "192.0.2.0/24"));
    none(&lint_yaml(&yaml), "ipblock-overlaps-cluster-cidr");
}

#[test]
fn invalid_cluster_cidr_option_is_reported_not_ignored() {
    let yaml = with_policy(&IPBLOCK.replace("EXCEPT", "192.0.2.0/24"));
    let findings = lint_with(&yaml, &cluster(&["10.244.0/16"]));
    let d = single(&findings, "invalid-cluster-cidr");
    assert_eq!(d.severity, Severity::Warning);
    assert_eq!(d.location.field.as_deref(), Some("clusterCidrs"));
    none(&findings, "ipblock-overlaps-cluster-cidr");
}
