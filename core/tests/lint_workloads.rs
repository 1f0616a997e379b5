//! Lint checks that report workloads: DNS under egress isolation, workloads left out of
//! their namespace's policies, host-network workloads, and the per-namespace cap.

mod lint_support;

use lint_support::{assert_at, line_eq, line_of, lint_yaml, none, single, with_code};
use netreach_core::lint::MAX_WORKLOAD_FINDINGS_PER_NAMESPACE;
use netreach_core::Severity;

fn deployment(namespace: &str, name: &str, extra_spec: &str) -> String {
    format!(
        "\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: {namespace}}}
spec:
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      {extra_spec}containers:
      - {{name: main, image: img}}
"
    )
}

// ---- egress-blocks-dns / egress-blocks-dns-tcp -------------------------------------------

const EGRESS: &str = "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-egress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress:
  - to: [podSelector: {matchLabels: {app: db}}]
    ports: [{port: 5432}]
";

fn dns_input(extra_rule: &str) -> String {
    format!(
        "{}---\n{}---\n{EGRESS}{extra_rule}",
        deployment("shop", "web", ""),
        deployment("shop", "db", "")
    )
}

const KUBE_DNS_RULE: &str = "  - to:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
      podSelector: {matchLabels: {k8s-app: kube-dns}}
    ports:
    - {port: 53, protocol: UDP}
    - {port: 53, protocol: TCP}
";

#[test]
fn egress_isolated_workload_without_dns_is_reported_at_the_workload() {
    let yaml = dns_input("");
    let findings = lint_yaml(&yaml);
    let d = single(&findings, "egress-blocks-dns");
    // No field: the workload's document line.
    assert_at(d, Severity::Warning, "Deployment shop/web", None, 1);
    assert_eq!(
        d.message,
        "egress is restricted by NetworkPolicy web-egress and DNS (port 53) is not allowed to any destination: name lookups will fail"
    );
    // db is not egress-isolated.
    assert_eq!(with_code(&findings, "egress-blocks-dns").len(), 1);
}

#[test]
fn dns_to_kube_system_outside_the_input_counts() {
    let findings = lint_yaml(&dns_input(KUBE_DNS_RULE));
    none(&findings, "egress-blocks-dns");
    none(&findings, "egress-blocks-dns-tcp");
}

#[test]
fn dns_over_udp_only_is_information() {
    let yaml = dns_input(&KUBE_DNS_RULE.replace("    - {port: 53, protocol: TCP}\n", ""));
    let findings = lint_yaml(&yaml);
    none(&findings, "egress-blocks-dns");
    let d = single(&findings, "egress-blocks-dns-tcp");
    assert_at(d, Severity::Info, "Deployment shop/web", None, 1);
    assert!(d.message.contains("over UDP 53 but not TCP 53"), "{d}");
}

#[test]
fn dns_over_tcp_only_is_a_warning() {
    let yaml = dns_input(&KUBE_DNS_RULE.replace("    - {port: 53, protocol: UDP}\n", ""));
    let findings = lint_yaml(&yaml);
    let d = single(&findings, "egress-blocks-dns");
    assert!(d.message.contains("over TCP 53 but not UDP 53"), "{d}");
}

#[test]
fn dns_to_any_address_counts() {
    let rule = KUBE_DNS_RULE.replace(
        "    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}\n      podSelector: {matchLabels: {k8s-app: kube-dns}}\n",
        "    - ipBlock: {cidr: 0.0.0.0/0}\n",
    );
    none(&lint_yaml(&dns_input(&rule)), "egress-blocks-dns");
}

/// A DNS server that is part of the input is judged by the analysis itself: the rule
/// allows it, but the server's own ingress policy must let the lookups in.
const IN_CLUSTER_DNS: &str = "  - to: [podSelector: {matchLabels: {app: dns}}]
    ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]
";

const DNS_SERVER_LOCKED: &str = "\
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: dns-ingress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: dns}}
  ingress:
  - from: [podSelector: {matchLabels: {app: PEER}}]
";

#[test]
fn dns_server_in_the_input_is_judged_by_the_connections() {
    let base = format!("{}---\n{}", deployment("shop", "dns", ""), dns_input(IN_CLUSTER_DNS));
    none(&lint_yaml(&base), "egress-blocks-dns");
    let allowed = format!("{base}{}", DNS_SERVER_LOCKED.replace("PEER", "web"));
    none(&lint_yaml(&allowed), "egress-blocks-dns");
    let blocked = format!("{base}{}", DNS_SERVER_LOCKED.replace("PEER", "db"));
    let findings = lint_yaml(&blocked);
    let d = single(&findings, "egress-blocks-dns");
    assert_eq!(d.location.object.as_ref().unwrap().name, "web");
}

// ---- workload-not-selected ---------------------------------------------------------------

const SELECT_WEB: &str = "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchExpressions: [{key: app, operator: In, values: [SELECTED]}]}
  ingress:
  - from: [podSelector: {}]
";

fn unselected_input(selected: &str) -> String {
    format!(
        "{}---\n{}---\n{}---\n{}",
        deployment("shop", "web", ""),
        deployment("shop", "api", ""),
        deployment("other", "lonely", ""),
        SELECT_WEB.replace("SELECTED", selected)
    )
}

#[test]
fn workload_left_out_of_its_namespaces_policies_is_reported() {
    let yaml = unselected_input("web");
    let findings = lint_yaml(&yaml);
    let d = single(&findings, "workload-not-selected");
    let line = line_of(&yaml, "metadata: {name: api, namespace: shop}") - 2;
    assert_at(d, Severity::Warning, "Deployment shop/api", None, line);
    assert_eq!(
        d.message,
        "not selected by any NetworkPolicy in namespace shop, while other workloads there are: it accepts all traffic and may send anywhere"
    );
}

#[test]
fn namespaces_fully_selected_or_without_policies_are_fine() {
    // `other/lonely` has no policy in its namespace at all: a uniform choice, not reported.
    none(&lint_yaml(&unselected_input("web, api")), "workload-not-selected");
}

// ---- host-network-workload ---------------------------------------------------------------

#[test]
fn host_network_workload_is_reported_at_the_field() {
    let yaml = deployment("nodes", "agent", "hostNetwork: true\n      ");
    let findings = lint_yaml(&yaml);
    let d = single(&findings, "host-network-workload");
    assert_at(
        d,
        Severity::Info,
        "Deployment nodes/agent",
        Some("spec.template.spec.hostNetwork"),
        line_of(&yaml, "hostNetwork: true"),
    );
    assert_eq!(
        d.message,
        "uses the host network: NetworkPolicy does not apply to it, and pod selectors do not match it"
    );
}

#[test]
fn host_network_pod_folded_into_its_controller_points_at_the_pod_field() {
    let yaml = "\
apiVersion: v1
kind: Pod
metadata:
  name: agent-x1
  namespace: nodes
  labels: {app: agent}
  ownerReferences:
  - {apiVersion: apps/v1, kind: DaemonSet, name: agent, uid: u1, controller: true}
spec:
  hostNetwork: true
  containers:
  - {name: main, image: img}
";
    let findings = lint_yaml(yaml);
    let d = single(&findings, "host-network-workload");
    assert_at(d, Severity::Info, "DaemonSet nodes/agent", Some("spec.hostNetwork"), 10);
}

#[test]
fn workloads_on_the_pod_network_are_fine() {
    let yaml = deployment("nodes", "agent", "hostNetwork: false\n      ");
    none(&lint_yaml(&yaml), "host-network-workload");
}

// ---- the per-namespace cap ---------------------------------------------------------------

#[test]
fn per_workload_findings_are_capped_per_namespace_and_summarised() {
    let extra = MAX_WORKLOAD_FINDINGS_PER_NAMESPACE + 5;
    let mut yaml = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n".to_string();
    for i in 0..=extra {
        yaml.push_str("---\n");
        yaml.push_str(&deployment("shop", &format!("w{i:03}"), ""));
    }
    yaml.push_str("---\n");
    yaml.push_str(&SELECT_WEB.replace("SELECTED", "w000"));
    let findings = lint_yaml(&yaml);
    let found = with_code(&findings, "workload-not-selected");
    assert_eq!(found.len(), MAX_WORKLOAD_FINDINGS_PER_NAMESPACE + 1);
    let summary = found
        .iter()
        .find(|d| d.location.object.as_ref().unwrap().kind == "Namespace")
        .expect("a summary finding");
    assert_at(
        summary,
        Severity::Warning,
        "Namespace shop",
        None,
        line_eq(&yaml, "apiVersion: v1"),
    );
    assert_eq!(
        summary.message,
        "5 more workloads in namespace shop are not selected by any NetworkPolicy (not listed one by one)"
    );
    // The individually listed ones are the first by id.
    let listed: Vec<&str> = found
        .iter()
        .filter_map(|d| d.location.object.as_ref())
        .filter(|o| o.kind == "Deployment")
        .map(|o| o.name.as_str())
        .collect();
    assert!(
        listed.contains(&"w001") && listed.contains(&"w020") && !listed.contains(&"w021"),
        "{listed:?}"
    );
}
