//! Semantics of `NetworkPolicy` selection: namespaces, policyTypes, isolation, peers,
//! label selectors and hostNetwork pods (networking.k8s.io/v1 API reference).

mod common;

use common::{allowed, allowed_with, analyze, deployment, namespace, pod, policy};
use netreach_core::Options;

/// shop/{web, api, db} and ops/{monitor, api} as Deployments.
fn cluster() -> String {
    [
        deployment("shop", "web", "app: web", ""),
        deployment("shop", "api", "app: api", ""),
        deployment("shop", "db", "app: db", ""),
        deployment("ops", "monitor", "app: monitor", ""),
        deployment("ops", "api", "app: api", ""),
        namespace("ops", "team: ops"),
        namespace("shop", "team: shop"),
    ]
    .concat()
}

const WEB: &str = "shop/Deployment/web";
const API: &str = "shop/Deployment/api";
const DB: &str = "shop/Deployment/db";
const MONITOR: &str = "ops/Deployment/monitor";
const OPS_API: &str = "ops/Deployment/api";

/// A policy on shop/web with the given ingress `from` list (flow YAML) and no ports.
fn web_from(from: &str) -> String {
    cluster()
        + &policy(
            "shop",
            "p",
            &format!("  podSelector: {{matchLabels: {{app: web}}}}\n  ingress: [{{from: {from}}}]"),
        )
}

// --- namespaces -------------------------------------------------------------------------

const NO_NAMESPACE: &str = "
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: i}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: c, image: i}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: other}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: c, image: i}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{podSelector: {matchLabels: {app: api}}}]}]
";

#[test]
fn objects_without_namespace_are_in_default() {
    assert_eq!(
        allowed(NO_NAMESPACE, "default/Deployment/api", "default/Deployment/web"),
        "all ports"
    );
    // The policy (also defaulted) isolates default/web: the api of another namespace is out.
    assert_eq!(
        allowed(NO_NAMESPACE, "other/Deployment/api", "default/Deployment/web"),
        "no ports"
    );
    assert_eq!(
        allowed(NO_NAMESPACE, "default/Deployment/web", "other/Deployment/api"),
        "all ports"
    );
}

#[test]
fn options_namespace_overrides_the_default() {
    let options = Options {
        namespace: "team".into(),
        ..Options::default()
    };
    assert_eq!(
        allowed_with(NO_NAMESPACE, &options, "team/Deployment/api", "team/Deployment/web"),
        "all ports"
    );
    assert_eq!(
        allowed_with(NO_NAMESPACE, &options, "other/Deployment/api", "team/Deployment/web"),
        "no ports"
    );
    let (_, analysis) = common::analyze_with(NO_NAMESPACE, &options);
    assert!(analysis.endpoint_index("default/Deployment/web").is_none());
}

#[test]
fn metadata_name_label_selects_declared_and_undeclared_namespaces() {
    let by_name = |ns: &str| format!("[{{namespaceSelector: {{matchLabels: {{kubernetes.io/metadata.name: {ns}}}}}}}]");
    // Declared (with other labels only).
    let yaml = web_from(&by_name("ops"));
    assert_eq!(allowed(&yaml, MONITOR, WEB), "all ports");
    assert_eq!(allowed(&yaml, API, WEB), "no ports");
    // Undeclared: `batch` exists only through its workload.
    let yaml = web_from(&by_name("batch")) + &deployment("batch", "job", "app: job", "");
    assert_eq!(allowed(&yaml, "batch/Deployment/job", WEB), "all ports");
    assert_eq!(allowed(&yaml, MONITOR, WEB), "no ports");
}

#[test]
fn metadata_name_label_cannot_be_overridden() {
    // The API server sets kubernetes.io/metadata.name to the name, whatever was written.
    let yaml = web_from("[{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: fake}}}]")
        + &namespace("lying", "kubernetes.io/metadata.name: fake")
        + &deployment("lying", "x", "app: x", "");
    assert_eq!(allowed(&yaml, "lying/Deployment/x", WEB), "no ports");
}

// --- policyTypes --------------------------------------------------------------------------

#[test]
fn policy_types_absent_means_ingress_only_without_egress_rules() {
    let yaml = cluster()
        + &policy(
            "shop",
            "p",
            "  podSelector: {matchLabels: {app: web}}\n  ingress: [{from: [{podSelector: {matchLabels: {app: api}}}]}]",
        );
    assert_eq!(allowed(&yaml, API, WEB), "all ports");
    assert_eq!(allowed(&yaml, DB, WEB), "no ports");
    // Egress of web is not isolated.
    assert_eq!(allowed(&yaml, WEB, DB), "all ports");
    assert_eq!(allowed(&yaml, WEB, "8.8.8.8"), "all ports");
}

#[test]
fn policy_types_absent_adds_egress_when_egress_rules_exist() {
    let yaml = cluster()
        + &policy(
            "shop",
            "p",
            "  podSelector: {matchLabels: {app: web}}\n  egress: [{to: [{podSelector: {matchLabels: {app: db}}}]}]",
        );
    assert_eq!(allowed(&yaml, WEB, DB), "all ports");
    assert_eq!(allowed(&yaml, WEB, API), "no ports");
    // Ingress is isolated too (defaulted `Ingress`), with no rules: nothing gets in.
    assert_eq!(allowed(&yaml, API, WEB), "no ports");
    // `egress: []` has no rule: ingress only.
    let yaml = cluster() + &policy("shop", "p", "  podSelector: {matchLabels: {app: web}}\n  egress: []");
    assert_eq!(allowed(&yaml, WEB, API), "all ports");
    assert_eq!(allowed(&yaml, API, WEB), "no ports");
}

#[test]
fn explicit_egress_only_leaves_ingress_open() {
    let yaml = cluster()
        + &policy(
            "shop",
            "p",
            "  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Egress]\n  ingress: [{from: [{podSelector: {matchLabels: {app: db}}}]}]",
        );
    assert_eq!(allowed(&yaml, API, WEB), "all ports");
    assert_eq!(allowed(&yaml, WEB, API), "no ports");
    assert_eq!(allowed(&yaml, WEB, "1.1.1.1"), "no ports");
}

#[test]
fn egress_rules_are_ignored_when_policy_types_is_ingress() {
    let yaml = cluster()
        + &policy(
            "shop",
            "p",
            "  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Ingress]\n  egress: [{to: [{podSelector: {matchLabels: {app: db}}}]}]",
        );
    assert_eq!(allowed(&yaml, WEB, API), "all ports");
    assert_eq!(allowed(&yaml, API, WEB), "no ports");
}

#[test]
fn explicit_both_types_without_rules_deny_everything() {
    let yaml = cluster()
        + &policy(
            "shop",
            "p",
            "  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Ingress, Egress]",
        );
    for other in [API, MONITOR, "8.8.8.8"] {
        assert_eq!(allowed(&yaml, other, WEB), "no ports", "{other}");
        assert_eq!(allowed(&yaml, WEB, other), "no ports", "{other}");
    }
    assert_eq!(allowed(&yaml, API, DB), "all ports");
}

// --- isolation --------------------------------------------------------------------------

#[test]
fn isolation_is_the_union_of_all_selecting_policies() {
    let yaml = cluster()
        + &policy("shop", "deny-all", "  podSelector: {}")
        + &policy("shop", "from-api", "  podSelector: {matchLabels: {app: web}}\n  ingress: [{from: [{podSelector: {matchLabels: {app: api}}}], ports: [{port: 80}]}]")
        + &policy("shop", "from-db", "  podSelector: {matchLabels: {app: web}}\n  ingress: [{from: [{podSelector: {matchLabels: {app: db}}}], ports: [{port: 443}]}, {from: [{podSelector: {matchLabels: {app: api}}}], ports: [{port: 8080}]}]");
    assert_eq!(allowed(&yaml, API, WEB), "TCP 80,8080");
    assert_eq!(allowed(&yaml, DB, WEB), "TCP 443");
    assert_eq!(allowed(&yaml, MONITOR, WEB), "no ports");
    // deny-all alone isolates db.
    assert_eq!(allowed(&yaml, WEB, DB), "no ports");
}

#[test]
fn a_connection_needs_egress_at_source_and_ingress_at_destination() {
    let yaml = cluster()
        + &policy("shop", "api-out", "  podSelector: {matchLabels: {app: api}}\n  policyTypes: [Egress]\n  egress: [{to: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 80, endPort: 90}]}]")
        + &policy("shop", "web-in", "  podSelector: {matchLabels: {app: web}}\n  ingress: [{from: [{podSelector: {}}], ports: [{port: 85, endPort: 100}]}]");
    assert_eq!(allowed(&yaml, API, WEB), "TCP 85-90");
    // db's egress is open, web's ingress lets it in on 85-100.
    assert_eq!(allowed(&yaml, DB, WEB), "TCP 85-100");
    // api's egress only reaches web.
    assert_eq!(allowed(&yaml, API, DB), "no ports");
}

#[test]
fn empty_pod_selector_selects_every_pod_of_its_namespace_only() {
    let yaml = cluster() + &policy("shop", "deny", "  podSelector: {}\n  policyTypes: [Ingress]");
    for dst in [WEB, API, DB] {
        assert_eq!(allowed(&yaml, MONITOR, dst), "no ports", "{dst}");
    }
    assert_eq!(allowed(&yaml, WEB, MONITOR), "all ports");
    assert_eq!(allowed(&yaml, WEB, OPS_API), "all ports");
}

// --- peers ------------------------------------------------------------------------------

#[test]
fn pod_selector_alone_looks_in_the_policy_namespace() {
    let yaml = web_from("[{podSelector: {matchLabels: {app: api}}}]");
    assert_eq!(allowed(&yaml, API, WEB), "all ports");
    assert_eq!(allowed(&yaml, OPS_API, WEB), "no ports");
}

#[test]
fn namespace_selector_alone_selects_every_pod_of_matching_namespaces() {
    let yaml = web_from("[{namespaceSelector: {matchLabels: {team: ops}}}]");
    assert_eq!(allowed(&yaml, MONITOR, WEB), "all ports");
    assert_eq!(allowed(&yaml, OPS_API, WEB), "all ports");
    // The policy's own namespace does not match `team: ops`.
    assert_eq!(allowed(&yaml, API, WEB), "no ports");
    // `{}` selects every namespace, but still only pods.
    let yaml = web_from("[{namespaceSelector: {}}]");
    assert_eq!(allowed(&yaml, API, WEB), "all ports");
    assert_eq!(allowed(&yaml, MONITOR, WEB), "all ports");
    assert_eq!(allowed(&yaml, "8.8.8.8", WEB), "no ports");
}

#[test]
fn both_selectors_in_one_peer_are_anded() {
    let yaml = web_from("[{namespaceSelector: {matchLabels: {team: ops}}, podSelector: {matchLabels: {app: api}}}]");
    assert_eq!(allowed(&yaml, OPS_API, WEB), "all ports");
    assert_eq!(allowed(&yaml, MONITOR, WEB), "no ports");
    assert_eq!(allowed(&yaml, API, WEB), "no ports");
}

#[test]
fn two_peers_are_ored_the_misplaced_dash_pitfall() {
    // The same selectors as above with a `-` before podSelector: two peers.
    let yaml = cluster()
        + &policy(
            "shop",
            "p",
            "  podSelector: {matchLabels: {app: web}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {team: ops}}
    - podSelector: {matchLabels: {app: api}}",
        );
    assert_eq!(allowed(&yaml, OPS_API, WEB), "all ports");
    assert_eq!(allowed(&yaml, MONITOR, WEB), "all ports");
    assert_eq!(allowed(&yaml, API, WEB), "all ports");
    assert_eq!(allowed(&yaml, DB, WEB), "no ports");
    let anded = cluster()
        + &policy(
            "shop",
            "p",
            "  podSelector: {matchLabels: {app: web}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {team: ops}}
      podSelector: {matchLabels: {app: api}}",
        );
    assert_eq!(allowed(&anded, MONITOR, WEB), "no ports");
    assert_eq!(allowed(&anded, API, WEB), "no ports");
    assert_eq!(allowed(&anded, OPS_API, WEB), "all ports");
}

#[test]
fn absent_or_empty_from_matches_everything_including_outside() {
    for rule in ["{ports: [{port: 80}]}", "{from: [], ports: [{port: 80}]}"] {
        let yaml = cluster()
            + &policy(
                "shop",
                "p",
                &format!("  podSelector: {{matchLabels: {{app: web}}}}\n  ingress: [{rule}]"),
            );
        for src in [API, MONITOR, "8.8.8.8", "10.1.2.3", "2001:db8::1"] {
            assert_eq!(allowed(&yaml, src, WEB), "TCP 80", "{rule} from {src}");
        }
    }
    let yaml = cluster()
        + &policy(
            "shop",
            "p",
            "  podSelector: {matchLabels: {app: web}}\n  egress: [{to: []}]",
        );
    for dst in [API, MONITOR, "8.8.8.8", "::1"] {
        assert_eq!(allowed(&yaml, WEB, dst), "all ports", "{dst}");
    }
}

#[test]
fn empty_ingress_list_denies_everything() {
    let yaml = cluster() + &policy("shop", "p", "  podSelector: {matchLabels: {app: web}}\n  ingress: []");
    for src in [API, MONITOR, "8.8.8.8"] {
        assert_eq!(allowed(&yaml, src, WEB), "no ports", "{src}");
    }
}

#[test]
fn ip_block_never_matches_pods() {
    let yaml = web_from("[{ipBlock: {cidr: 0.0.0.0/0}}, {ipBlock: {cidr: '::/0'}}]");
    assert_eq!(allowed(&yaml, "8.8.8.8", WEB), "all ports");
    assert_eq!(allowed(&yaml, "2001:db8::1", WEB), "all ports");
    assert_eq!(allowed(&yaml, API, WEB), "no ports");
    assert_eq!(allowed(&yaml, MONITOR, WEB), "no ports");
}

// --- label selectors ----------------------------------------------------------------------

fn labelled() -> String {
    [
        deployment("shop", "web", "app: web", ""),
        deployment("shop", "a", "tier: front, env: prod", ""),
        deployment("shop", "b", "tier: back, env: prod", ""),
        deployment("shop", "c", "tier: cache", ""),
        deployment("shop", "d", "other: x", ""),
    ]
    .concat()
}

fn selected_sources(selector: &str) -> Vec<&'static str> {
    let yaml = labelled()
        + &policy(
            "shop",
            "p",
            &format!(
                "  podSelector: {{matchLabels: {{app: web}}}}\n  ingress: [{{from: [{{podSelector: {selector}}}]}}]"
            ),
        );
    let analysis = analyze(&yaml);
    ["a", "b", "c", "d"]
        .into_iter()
        .filter(|n| common::allowed_in(&analysis, &format!("shop/Deployment/{n}"), WEB) == "all ports")
        .collect()
}

#[test]
fn every_selector_operator() {
    assert_eq!(selected_sources("{matchLabels: {tier: front}}"), ["a"]);
    assert_eq!(
        selected_sources("{matchExpressions: [{key: tier, operator: In, values: [front, back]}]}"),
        ["a", "b"]
    );
    // NotIn matches pods without the key.
    assert_eq!(
        selected_sources("{matchExpressions: [{key: tier, operator: NotIn, values: [front, back]}]}"),
        ["c", "d"]
    );
    assert_eq!(
        selected_sources("{matchExpressions: [{key: tier, operator: Exists}]}"),
        ["a", "b", "c"]
    );
    assert_eq!(
        selected_sources("{matchExpressions: [{key: tier, operator: DoesNotExist}]}"),
        ["d"]
    );
    // matchLabels AND matchExpressions, and expressions ANDed together.
    assert_eq!(
        selected_sources(
            "{matchLabels: {env: prod}, matchExpressions: [{key: tier, operator: NotIn, values: [front]}]}"
        ),
        ["b"]
    );
    assert_eq!(
        selected_sources("{matchExpressions: [{key: tier, operator: Exists}, {key: env, operator: DoesNotExist}]}"),
        ["c"]
    );
    assert_eq!(selected_sources("{}"), ["a", "b", "c", "d"]);
}

#[test]
fn namespace_selector_operators() {
    let yaml = cluster()
        + &namespace("dev", "team: dev")
        + &deployment("dev", "x", "app: x", "")
        + &deployment("undeclared", "y", "app: y", "")
        + &policy(
            "shop",
            "p",
            "  podSelector: {matchLabels: {app: web}}\n  ingress: [{from: [{namespaceSelector: {matchExpressions: [{key: team, operator: NotIn, values: [ops, shop]}]}}]}]",
        );
    assert_eq!(allowed(&yaml, "dev/Deployment/x", WEB), "all ports");
    // An undeclared namespace has only its name label: NotIn matches it.
    assert_eq!(allowed(&yaml, "undeclared/Deployment/y", WEB), "all ports");
    assert_eq!(allowed(&yaml, MONITOR, WEB), "no ports");
    assert_eq!(allowed(&yaml, API, WEB), "no ports");
}

// --- hostNetwork --------------------------------------------------------------------------

fn with_host_network(extra: &str) -> String {
    cluster()
        + "apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: shop}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {hostNetwork: true, containers: [{name: c, image: i}]}
---
" + extra
}

const AGENT: &str = "shop/DaemonSet/agent";

#[test]
fn host_network_pods_are_not_isolated() {
    let yaml = with_host_network(&policy(
        "shop",
        "deny",
        "  podSelector: {}\n  policyTypes: [Ingress, Egress]",
    ));
    assert_eq!(allowed(&yaml, MONITOR, AGENT), "all ports");
    assert_eq!(allowed(&yaml, AGENT, "8.8.8.8"), "all ports");
    assert_eq!(allowed(&yaml, "8.8.8.8", AGENT), "all ports");
    assert_eq!(allowed(&yaml, MONITOR, WEB), "no ports");
    let analysis = analyze(&yaml);
    let agent = &analysis.endpoints[common::endpoint(&analysis, AGENT)];
    assert!(agent.host_network);
    assert_eq!(agent.ingress_isolated, Some(false));
    assert_eq!(agent.egress_isolated, Some(false));
}

#[test]
fn host_network_pods_are_not_matched_by_pod_or_namespace_selectors() {
    for from in [
        "[{podSelector: {}}]",
        "[{namespaceSelector: {}}]",
        "[{podSelector: {matchLabels: {app: agent}}}]",
        "[{ipBlock: {cidr: 0.0.0.0/0}}]",
    ] {
        let yaml = with_host_network(&policy(
            "shop",
            "p",
            &format!("  podSelector: {{matchLabels: {{app: web}}}}\n  ingress: [{{from: {from}}}]"),
        ));
        assert_eq!(allowed(&yaml, AGENT, WEB), "no ports", "{from}");
    }
    let yaml = with_host_network(&policy(
        "shop",
        "p",
        "  podSelector: {matchLabels: {app: web}}\n  egress: [{to: [{podSelector: {}}]}]",
    ));
    assert_eq!(allowed(&yaml, WEB, AGENT), "no ports");
    assert_eq!(allowed(&yaml, WEB, API), "all ports");
}

#[test]
fn host_network_pods_are_matched_by_empty_from_and_to() {
    let yaml = with_host_network(&policy(
        "shop",
        "p",
        "  podSelector: {matchLabels: {app: web}}\n  ingress: [{ports: [{port: 80}]}]\n  egress: [{}]",
    ));
    assert_eq!(allowed(&yaml, AGENT, WEB), "TCP 80");
    assert_eq!(allowed(&yaml, WEB, AGENT), "all ports");
}

#[test]
fn pods_and_namespaces_of_helpers_are_consistent() {
    // Guard for the helpers themselves: a bare Pod is an endpoint with its own id.
    let yaml = cluster() + &pod("shop", "debug", "app: debug");
    assert_eq!(allowed(&yaml, "shop/Pod/debug", WEB), "all ports");
}
